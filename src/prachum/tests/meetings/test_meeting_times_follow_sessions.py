"""A meeting's start and end follow its sessions on its days; a session off its days is refused.

What people read (emails, calendar files, the public page) says the meeting's times, so they must move
when the organizer moves the first or last session.
"""

from datetime import UTC, datetime, timedelta

import pytest

from prachum.audit.models import AuditEvent
from prachum.meetings import setup
from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.tests.factories import make_meeting, make_session, make_user
from prachum.notify.emails import render_registration_email
from prachum.notify.ics import registration_calendar
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

NINE = datetime(2031, 9, 10, 2, 0, tzinfo=UTC)  # 09:00 in Vientiane (UTC+7)


@pytest.fixture
def owner():
    return make_user(email="owner@example.org")


@pytest.fixture
def meeting(owner):
    """10 September 2031, 09:00–16:00 in Vientiane, a morning and an afternoon session."""
    meeting = make_meeting(slug="adgsom-times", starts_at=NINE, ends_at=NINE + timedelta(hours=7))
    MeetingRole.objects.create(meeting=meeting, user=owner, role=Role.OWNER)
    make_session(meeting, title_en="Morning", starts_at=NINE, ends_at=NINE + timedelta(hours=3))
    make_session(meeting, title_en="Afternoon", starts_at=NINE + timedelta(hours=4), ends_at=NINE + timedelta(hours=7))
    return meeting


def _move(meeting, owner, title, *, starts_at, ends_at):
    session = meeting.sessions.get(title_en=title)
    return setup.save_session(meeting_id=meeting.pk, actor=owner, session_id=session.pk, title_en=title,
                              title_lo=session.title_lo, starts_at=starts_at, ends_at=ends_at)


def test_moving_the_last_session_to_16_30_makes_the_email_and_calendar_say_16_30(client, meeting, owner):
    registration = make_registration(meeting=meeting, status=Registration.Status.APPROVED, language="en")
    client.force_login(owner)
    response = client.post(f"/en/manage/{meeting.slug}/setup/sessions/{meeting.sessions.get(title_en='Afternoon').pk}/",
                           {"title_en": "Afternoon", "starts_at": "2031-09-10T13:00", "ends_at": "2031-09-10T16:30"})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.ends_at == NINE + timedelta(hours=7, minutes=30)
    assert meeting.starts_at == NINE
    changed = AuditEvent.objects.filter(kind="meeting.updated", meeting=meeting).get()
    assert changed.after == {"ends_at": meeting.ends_at.isoformat()}
    registration.refresh_from_db()
    email = render_registration_email(registration=registration, kind="registration.confirmed")
    assert "09:00–16:30" in email.text and "16:00" not in email.text
    calendar = registration_calendar(registration).decode()
    assert "DTEND;TZID=Asia/Vientiane:20310910T163000" in calendar
    assert "T160000" not in calendar
    page = client.get(f"/en/m/{meeting.slug}/").content.decode()
    assert "16:30" in page and "16:00" not in page


def test_the_first_session_moved_earlier_starts_the_meeting_earlier(meeting, owner):
    _move(meeting, owner, "Morning", starts_at=NINE - timedelta(minutes=30), ends_at=NINE + timedelta(hours=3))
    meeting.refresh_from_db()
    assert meeting.starts_at == NINE - timedelta(minutes=30)
    assert meeting.ends_at == NINE + timedelta(hours=7)


def test_a_session_off_the_meetings_days_is_refused_beside_its_field(meeting, owner):
    with pytest.raises(setup.SetupError) as refused:
        _move(meeting, owner, "Afternoon", starts_at=NINE + timedelta(days=1), ends_at=NINE + timedelta(days=1, hours=2))
    assert (refused.value.code, refused.value.field) == ("session_outside", "starts_at")
    with pytest.raises(setup.SetupError) as refused:
        setup.save_session(meeting_id=meeting.pk, actor=owner, title_en="Dinner", starts_at=NINE + timedelta(hours=12),
                           ends_at=NINE + timedelta(hours=16))  # 21:00 to 01:00 the next day
    assert (refused.value.code, refused.value.field) == ("session_outside", "ends_at")
    meeting.refresh_from_db()
    assert meeting.ends_at == NINE + timedelta(hours=7)
    assert meeting.sessions.count() == 2


def test_on_a_meeting_of_several_days_a_session_on_a_middle_day_leaves_the_times_alone(owner):
    meeting = make_meeting(starts_at=NINE, ends_at=NINE + timedelta(days=2, hours=8))
    MeetingRole.objects.create(meeting=meeting, user=owner, role=Role.OWNER)
    setup.save_session(meeting_id=meeting.pk, actor=owner, title_en="Day two", starts_at=NINE + timedelta(days=1),
                       ends_at=NINE + timedelta(days=1, hours=2))
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.ends_at) == (NINE, NINE + timedelta(days=2, hours=8))
    assert not AuditEvent.objects.filter(kind="meeting.updated", meeting=meeting).exists()
    setup.save_session(meeting_id=meeting.pk, actor=owner, title_en="Closing", starts_at=NINE + timedelta(days=2),
                       ends_at=NINE + timedelta(days=2, hours=3))
    meeting.refresh_from_db()
    assert meeting.ends_at == NINE + timedelta(days=2, hours=3)


def test_deleting_the_last_session_ends_the_meeting_with_the_one_before_on_that_day(meeting, owner):
    setup.delete_session(meeting_id=meeting.pk, actor=owner, session_id=meeting.sessions.get(title_en="Afternoon").pk)
    meeting.refresh_from_db()
    assert meeting.ends_at == NINE + timedelta(hours=3)


def test_new_days_that_leave_a_session_outside_are_refused(meeting, owner):
    with pytest.raises(setup.SetupError) as refused:
        setup.update_meeting(meeting_id=meeting.pk, actor=owner, starts_at=NINE + timedelta(days=1),
                             ends_at=NINE + timedelta(days=1, hours=7))
    assert (refused.value.code, refused.value.field) == ("sessions_outside", "starts_at")
    assert "Morning" in refused.value.message


def test_a_settings_change_of_the_times_on_days_with_sessions_keeps_the_sessions_times(meeting, owner):
    meeting = setup.update_meeting(meeting_id=meeting.pk, actor=owner, starts_at=NINE - timedelta(hours=1),
                                   ends_at=NINE + timedelta(hours=9))
    assert (meeting.starts_at, meeting.ends_at) == (NINE, NINE + timedelta(hours=7))
