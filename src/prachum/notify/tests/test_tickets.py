"""The e-ticket's QR code and the calendar file, as the confirmation email and the manage page use them."""

import shutil
import struct
import subprocess
from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_meeting, make_session
from prachum.notify.ics import registration_calendar
from prachum.core.qr import qr_code_pixel_size, qr_code_png
from prachum.notify.tests.factories import make_registration

ZBARIMG = shutil.which("zbarimg") or "/usr/bin/zbarimg"


def decode_qr(png: bytes, tmp_path) -> str:
    path = tmp_path / "ticket.png"
    path.write_bytes(png)
    result = subprocess.run([ZBARIMG, "--raw", "-q", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", png[16:24])


def test_the_qr_code_holds_exactly_the_badge_code(tmp_path):
    assert decode_qr(qr_code_png("7KQ2M9XHRT4W"), tmp_path) == "7KQ2M9XHRT4W"


def test_the_qr_code_is_large_with_its_quiet_zone():
    png = qr_code_png("7KQ2M9XHRT4W")
    # Version 1 (21 modules) + a quiet zone of 4 on each side, 10 pixels a module.
    assert png_size(png) == (290, 290) == (qr_code_pixel_size("7KQ2M9XHRT4W"),) * 2


@pytest.mark.django_db
def test_a_registrations_qr_code_has_its_badge_code_and_nothing_else(tmp_path):
    registration = make_registration(given_name="Souk", family_name="Vongsa", email="souk@example.org")
    decoded = decode_qr(qr_code_png(registration.badge_code), tmp_path)
    assert decoded == registration.badge_code
    assert "Souk" not in decoded and "souk@" not in decoded


def events(ics: bytes):
    calendar = icalendar.Calendar.from_ical(ics)
    return calendar, list(calendar.walk("VEVENT"))


@pytest.mark.django_db
def test_one_event_per_session_in_the_meetings_time_zone_with_its_vtimezone():
    meeting = make_meeting(
        title_en="ADGSOM", venue_en="Lao-ITECC", time_zone="Asia/Vientiane",
        starts_at=datetime(2030, 3, 2, 2, 0, tzinfo=UTC), ends_at=datetime(2030, 3, 3, 10, 0, tzinfo=UTC),
    )
    opening = make_session(meeting, title_en="Opening", location_en="Hall A",
                           starts_at=datetime(2030, 3, 2, 2, 0, tzinfo=UTC), ends_at=datetime(2030, 3, 2, 3, 30, tzinfo=UTC))
    closing = make_session(meeting, title_en="Closing", starts_at=datetime(2030, 3, 3, 8, 0, tzinfo=UTC))
    registration = make_registration(meeting, language="en", status="approved")

    ics = registration_calendar(registration)
    calendar, (first, second) = events(ics)

    text = ics.decode()
    assert "METHOD:PUBLISH" in text
    assert "DTSTART;TZID=Asia/Vientiane:20300302T090000" in text
    assert "DTEND;TZID=Asia/Vientiane:20300302T103000" in text
    assert "DTSTART;TZID=Asia/Vientiane:20300303T150000" in text
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Vientiane"]
    assert first["DTSTART"].dt == datetime(2030, 3, 2, 2, 0, tzinfo=UTC)
    assert first["DTSTART"].dt.utcoffset() == timedelta(hours=7)
    assert second["DTEND"].dt == datetime(2030, 3, 3, 9, 0, tzinfo=UTC)
    assert str(first["UID"]) == f"{registration.badge_code}-{opening.pk}@prachum"
    assert str(second["UID"]) == f"{registration.badge_code}-{closing.pk}@prachum"
    assert first["SEQUENCE"] == 0
    assert str(first["SUMMARY"]) == "ADGSOM: Opening"
    assert str(first["LOCATION"]) == "Hall A, Lao-ITECC"
    assert f"/en/r/{registration.manage_token}/" in str(first["DESCRIPTION"])


@pytest.mark.django_db
def test_uids_are_stable_for_a_registration_and_differ_between_registrations():
    meeting = make_meeting()
    make_session(meeting)
    one, other = make_registration(meeting), make_registration(meeting)
    uids = lambda registration: [str(e["UID"]) for e in events(registration_calendar(registration))[1]]  # noqa: E731
    assert uids(one) == uids(one)
    assert set(uids(one)).isdisjoint(uids(other))


@pytest.mark.django_db
def test_a_meeting_without_sessions_is_one_event_in_the_participants_language():
    meeting = make_meeting(title_lo="ກອງປະຊຸມທົດລອງ", title_en="Test meeting", venue_lo="ວຽງຈັນ",
                           starts_at=datetime(2030, 3, 2, 2, 0, tzinfo=UTC))
    registration = make_registration(meeting, language="lo")

    _calendar, (event,) = events(registration_calendar(registration))

    assert str(event["UID"]) == f"{registration.badge_code}-meeting@prachum"
    assert str(event["SUMMARY"]) == "ກອງປະຊຸມທົດລອງ"
    assert str(event["LOCATION"]) == "ວຽງຈັນ"
    assert f"/lo/r/{registration.manage_token}/" in str(event["DESCRIPTION"])
    assert event["DTSTART"].dt == datetime(2030, 3, 2, 2, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_an_online_meeting_is_located_online():
    meeting = make_meeting(format=Meeting.Format.ONLINE, venue_en="Not shown")
    _calendar, (event,) = events(registration_calendar(make_registration(meeting, language="en")))
    assert str(event["LOCATION"]) == "Online"


@pytest.mark.django_db
def test_times_stay_right_in_sydney_across_the_end_of_summer_time():
    # Summer time in Sydney ends on Sunday 7 April 2030 at 03:00 (UTC+11 → UTC+10).
    meeting = make_meeting(
        time_zone="Australia/Sydney",
        starts_at=datetime(2030, 4, 5, 22, 0, tzinfo=UTC), ends_at=datetime(2030, 4, 8, 7, 0, tzinfo=UTC),
    )
    saturday = make_session(meeting, starts_at=datetime(2030, 4, 5, 22, 0, tzinfo=UTC))  # 09:00 AEDT
    monday = make_session(meeting, starts_at=datetime(2030, 4, 7, 23, 0, tzinfo=UTC))  # 09:00 AEST
    registration = make_registration(meeting)

    ics = registration_calendar(registration)
    calendar, (first, second) = events(ics)

    text = ics.decode()
    assert "DTSTART;TZID=Australia/Sydney:20300406T090000" in text
    assert "DTSTART;TZID=Australia/Sydney:20300408T090000" in text
    assert first["DTSTART"].dt == saturday.starts_at and first["DTSTART"].dt.utcoffset() == timedelta(hours=11)
    assert second["DTSTART"].dt == monday.starts_at and second["DTSTART"].dt.utcoffset() == timedelta(hours=10)
    (zone,) = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Australia/Sydney"
    # The VTIMEZONE itself says when the offset changes, for calendars that read it instead of a zone database.
    (standard,) = [c for c in zone.subcomponents if c.name == "STANDARD"]
    assert standard["DTSTART"].dt == datetime(2030, 4, 7, 3, 0)
    assert standard["TZOFFSETFROM"].td == timedelta(hours=11) and standard["TZOFFSETTO"].td == timedelta(hours=10)
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
