"""The check-in page, the organizer's device and attendance pages, and `prachum device-token`."""

import io
import re

import pytest
from django.core.management import CommandError, call_command

from prachum.audit.models import AuditEvent
from prachum.checkin.models import Device
from prachum.checkin.services import authenticate_device, check_in, sync_checkins
from prachum.checkin.tests.conftest import new_id

pytestmark = pytest.mark.django_db


def test_the_desk_page_for_check_in_staff_in_both_languages(door, client):
    client.force_login(door.staff)
    for lang, phrase in (("en", "Session being checked"), ("lo", None)):
        response = client.get(f"/{lang}/checkin/{door.meeting.slug}/")
        assert response.status_code == 200
        html = response.content.decode()
        assert f'<html lang="{lang}">' in html
        assert "zxing-wasm-3.1.4/zxing-reader.iife.js" in html and "cdn" not in html.lower()
        if phrase:
            assert phrase in html
        assert door.keo.badge_code not in html  # codes come from the API, for the device's own storage
    assert response["Cache-Control"].startswith("max-age=0")


def test_staff_of_another_meeting_get_403_and_it_is_audited(door, client):
    client.force_login(door.other_staff)
    assert client.get(f"/en/checkin/{door.meeting.slug}/").status_code == 403
    assert AuditEvent.objects.filter(kind="access.denied", meeting=door.meeting).exists()


def test_anonymous_visitors_go_to_the_login(door, client):
    response = client.get(f"/en/checkin/{door.meeting.slug}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_service_worker_is_served_under_the_checkin_path(client):
    response = client.get("/en/checkin/sw.js")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/javascript")
    assert b"/api/" in response.content


def test_an_organizer_creates_a_device_sees_its_token_once_and_revokes_it(door, client):
    client.force_login(door.manager)
    response = client.post(f"/en/manage/{door.meeting.slug}/checkin/devices/", {"name": "Gate 2 tablet"})
    token = re.search(r'id="new-token">([^<]+)<', response.content.decode()).group(1)
    device = authenticate_device(token)
    assert device.name == "Gate 2 tablet" and device.token_hash != token
    assert token not in client.get(f"/en/manage/{door.meeting.slug}/checkin/devices/").content.decode()
    client.post(f"/en/manage/{door.meeting.slug}/checkin/devices/{device.pk}/revoke/")
    assert Device.objects.get(pk=device.pk).revoked_at is not None
    assert AuditEvent.objects.filter(kind="checkin.device_revoked").exists()


def test_check_in_staff_may_not_manage_devices_nor_read_attendance(door, client):
    client.force_login(door.staff)
    assert client.get(f"/en/manage/{door.meeting.slug}/checkin/devices/").status_code == 403
    assert client.get(f"/en/manage/{door.meeting.slug}/attendance/").status_code == 403


def test_the_attendance_page_lists_who_came_when_through_which_device_and_conflicts(door, client):
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(), actor=door.staff)
    sync_checkins(meeting=door.meeting, device=door.device, items=[
        {"client_id": new_id(), "code": door.lan.badge_code, "session": door.day1.pk}])
    sync_checkins(meeting=door.meeting, device=door.device2, items=[
        {"client_id": new_id(), "code": door.lan.badge_code, "session": door.day1.pk}])
    client.force_login(door.manager)
    html = client.get(f"/en/manage/{door.meeting.slug}/attendance/?session={door.day1.pk}").content.decode()
    assert "2 of 3 expected people checked in." in html
    assert "Noy Desk" in html and "Front desk" in html and "Hall B phone" in html
    assert "(conflict)" in html
    assert "Somsak Inthavong" in html and "Not checked in" in html
    assert "Cancelled Person" not in html
    lao = client.get(f"/lo/manage/{door.meeting.slug}/attendance/?session={door.day1.pk}")
    assert lao.status_code == 200


def test_a_conflict_from_a_browser_desk_is_named_by_the_staff_member_not_by_a_dash(door, client):
    sync_checkins(meeting=door.meeting, device=door.device, items=[
        {"client_id": new_id(), "code": door.lan.badge_code, "session": door.day1.pk}])
    sync_checkins(meeting=door.meeting, actor=door.staff, items=[
        {"client_id": new_id(), "code": door.lan.badge_code, "session": door.day1.pk}])
    client.force_login(door.manager)
    html = client.get(f"/en/manage/{door.meeting.slug}/attendance/?session={door.day1.pk}").content.decode()
    assert re.search(r"Also checked in at \d\d:\d\d by Noy Desk on the check-in page \(conflict\)", html)
    assert " on – " not in html


def test_the_desk_names_staff_by_their_name_never_by_the_email_they_log_in_with(door, client):
    from prachum.meetings.models import MeetingRole
    from prachum.registration.tests.factories import make_organizer

    nameless = make_organizer(door.meeting, role=MeetingRole.Role.CHECKIN, username="door2@example.org",
                              email="door2@example.org")
    client.force_login(door.staff)
    assert "Checking in as Noy Desk" in client.get(f"/en/checkin/{door.meeting.slug}/").content.decode()
    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(), actor=nameless)
    client.force_login(nameless)
    assert "door2@example.org" not in client.get(f"/en/checkin/{door.meeting.slug}/").content.decode()
    again = check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day1, client_id=new_id(),
                     actor=door.staff)
    assert again.outcome == "already" and "door2" not in again.message


def test_the_attendance_selector_for_reports(door):
    from prachum.checkin.selectors import attendance

    check_in(meeting=door.meeting, code=door.keo.badge_code, session=door.day2, client_id=new_id(), device=door.device)
    [row] = attendance(door.meeting, door.day2)
    assert (row.registration, row.device, row.by) == (door.keo, "Front desk", "")
    assert attendance(door.meeting, door.day1) == []
    assert len(attendance(door.meeting, door.day1.pk, include_absent=True)) == 3


def test_the_device_token_command_prints_a_token_for_the_meeting(door):
    out = io.StringIO()
    call_command("device_token", door.meeting.slug, "--name", "CLI phone", stdout=out, stderr=io.StringIO())
    token = out.getvalue().strip()
    assert authenticate_device(token).meeting == door.meeting
    with pytest.raises(CommandError):
        call_command("device_token", "no-such-meeting", stdout=io.StringIO(), stderr=io.StringIO())
