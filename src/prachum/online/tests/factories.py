from datetime import timedelta

from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session
from prachum.online.models import OnlineRoom
from prachum.registration.tests.factories import make_delegation, make_registration


def online_meeting(*, starts_in=timedelta(minutes=10), format=Meeting.Format.HYBRID, **overrides):
    """A hybrid meeting in Vientiane whose one session of 2 h starts in `starts_in`."""
    starts_at = timezone.now().replace(microsecond=0) + starts_in
    meeting = make_meeting(format=format, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2), **overrides)
    session = make_session(meeting, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2))
    return meeting, session


def japanese_delegate(meeting, *, status="approved", participation="online", category=None, **overrides):
    japan = make_organization(name_en="Japan", name_lo="ຍີ່ປຸ່ນ", country="JP", time_zone="Asia/Tokyo")
    delegation = make_delegation(meeting, organization=japan)
    values = {"given_name": "Taro", "family_name": "Yamada", "language": "en", **overrides}
    return make_registration(
        meeting, category or make_category(meeting), delegation=delegation, status=status,
        participation=participation, **values,
    )


def make_room(meeting, **overrides) -> OnlineRoom:
    secret = overrides.pop("secret", "")
    values = {"meeting": meeting, "provider": OnlineRoom.Provider.LINK, "join_link": "https://zoom.example.org/j/123456"}
    values.update(overrides)
    room = OnlineRoom(**values)
    room.secret = secret
    room.save()
    return room
