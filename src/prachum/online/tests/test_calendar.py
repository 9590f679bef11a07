"""The calendar file (notify/ics.py) in two zones, its SEQUENCE on a change of time, METHOD:CANCEL."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.db import transaction

from prachum.meetings.tests.factories import make_category, make_meeting, make_session
from prachum.notify.ics import registration_calendar
from prachum.notify.models import Message
from prachum.notify.services import build_email
from prachum.online.services import meeting_times_changed
from prachum.online.tests.factories import japanese_delegate, make_room
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


def events(ics: bytes):
    calendar = icalendar.Calendar.from_ical(ics)
    return calendar, [c for c in calendar.walk("VEVENT")]


def test_vientiane_times_carry_their_tzid_and_vtimezone():
    meeting = make_meeting(time_zone="Asia/Vientiane", starts_at=datetime(2026, 12, 14, 7, 0, tzinfo=UTC))
    make_session(meeting, starts_at=datetime(2026, 12, 14, 7, 0, tzinfo=UTC), ends_at=datetime(2026, 12, 14, 9, 30, tzinfo=UTC))
    registration = japanese_delegate(meeting)
    ics = registration_calendar(registration)
    assert b"DTSTART;TZID=Asia/Vientiane:20261214T140000" in ics
    assert b"DTEND;TZID=Asia/Vientiane:20261214T163000" in ics
    calendar, (event,) = events(ics)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Vientiane"]
    # Read in Tokyo, the same moment is 16:00.
    assert event.decoded("dtstart").astimezone(ZoneInfo("Asia/Tokyo")).hour == 16


@pytest.mark.parametrize("zone, offset_before, offset_after", [
    ("Australia/Sydney", timedelta(hours=11), timedelta(hours=10)),
    ("Europe/Brussels", timedelta(hours=1), timedelta(hours=2)),
])
def test_a_meeting_across_a_change_of_summer_time_keeps_its_local_hours(zone, offset_before, offset_after):
    """Sydney leaves summer time on 5 April 2026; Brussels enters it on 29 March 2026."""
    tz = ZoneInfo(zone)
    first = datetime(2026, 3, 27, 9, 0, tzinfo=tz)
    second = datetime(2026, 4, 8, 9, 0, tzinfo=tz)
    meeting = make_meeting(time_zone=zone, starts_at=first.astimezone(UTC), ends_at=(second + timedelta(hours=3)).astimezone(UTC))
    make_session(meeting, starts_at=first.astimezone(UTC), ends_at=(first + timedelta(hours=3)).astimezone(UTC))
    make_session(meeting, starts_at=second.astimezone(UTC), ends_at=(second + timedelta(hours=3)).astimezone(UTC))
    registration = make_registration(meeting, status="approved")
    calendar, found = events(registration_calendar(registration))
    starts = [event.decoded("dtstart") for event in found]
    assert [s.hour for s in starts] == [9, 9]  # 09:00 local both days
    assert [str(s.tzinfo) for s in starts] == [zone, zone]
    assert [s.utcoffset() for s in starts] == [offset_before, offset_after]
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == zone
    assert {c.name for c in vtimezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_a_change_of_time_raises_the_sequence_and_sends_the_updated_calendar():
    meeting = make_meeting()
    session = make_session(meeting)
    approved = make_registration(meeting, status="approved", language="en")
    make_registration(meeting, status="pending")
    _cal, (event,) = events(registration_calendar(approved))
    assert event["SEQUENCE"] == 0
    with transaction.atomic():
        session.starts_at += timedelta(hours=1)
        session.ends_at += timedelta(hours=1)
        session.save()
        assert meeting_times_changed(meeting) == 1
    message = Message.objects.get(kind="online.calendar_updated")
    assert message.registration == approved and message.attachments == [{"type": "ics"}]
    assert "have changed" in message.body_text
    approved.meeting.refresh_from_db()
    email = build_email(message)
    (part,) = [p for p in email.attachments]
    _cal, (event,) = events(part.get_payload(decode=True))
    assert event["SEQUENCE"] == 1
    assert event.decoded("dtstart") == session.starts_at


def test_a_cancelled_registration_gets_method_cancel_with_a_higher_sequence():
    meeting = make_meeting()
    make_session(meeting)
    registration = make_registration(meeting, status="cancelled")
    calendar, (event,) = events(registration_calendar(registration))
    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED" and event["SEQUENCE"] == 1


def test_the_cancellation_email_carries_the_cancel_calendar():
    meeting = make_meeting()
    make_session(meeting)
    registration = make_registration(meeting, status="cancelled", language="en")
    from prachum.notify.services import queue_message

    with transaction.atomic():
        message = queue_message(registration=registration, kind="registration.cancelled")
    email = build_email(message)
    (part,) = email.attachments
    assert part.get_content_type() == "text/calendar" and part.get_param("method") == "CANCEL"


def test_an_online_participants_calendar_carries_the_personal_join_link():
    meeting = make_meeting(format="online")
    session = make_session(meeting)
    make_room(meeting)
    registration = japanese_delegate(meeting, category=make_category(meeting))
    _cal, (event,) = events(registration_calendar(registration))
    assert f"/en/join/{registration.pk}-" in str(event["DESCRIPTION"])
    assert f"/{session.pk}/" in str(event["DESCRIPTION"])
