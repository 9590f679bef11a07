"""A person's data as a file, from the organizer's page of the registration and from the person's private page;
erasure by an owner through a confirm step."""

import json
import subprocess

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting
from prachum.notify.models import Message
from prachum.registration.models import Answer, Registration
from prachum.registration.tests.factories import (
    make_delegation, make_focal_point, make_organizer, make_question, make_registration,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    meeting = make_meeting(title_lo="ກອງປະຊຸມ ADGSOM ຄັ້ງທີ 6", title_en="6th ADGSOM")
    delegation = make_delegation(meeting)
    registration = make_registration(meeting, delegation=delegation, given_name="Somphone", family_name="Vongsa",
                                     name_lo="ສົມພອນ ວົງສາ", email="somphone@example.la", language="lo")
    passport = make_question(meeting, "passport", label_en="Passport number", label_lo="ເລກໜັງສືຜ່ານແດນ",
                             is_sensitive=True)
    Answer.objects.create(registration=registration, question=passport, question_version=passport.current_version,
                          sensitive_value="P1234567")
    Message.objects.create(meeting=meeting, registration=registration, kind="registration.received",
                           to_email=registration.email, subject="ໄດ້ຮັບການລົງທະບຽນ", body_text="ສະບາຍດີ",
                           status=Message.Status.SENT, sent_at=timezone.now())
    return registration


def _json(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/json"
    return json.loads(b"".join(response.streaming_content) if response.streaming else response.content)


def test_a_manager_exports_the_person_with_sensitive_answers_in_clear_and_it_is_audited(client, person):
    manager = make_organizer(person.meeting, role=MeetingRole.Role.MANAGER)
    client.force_login(manager)
    url = f"/en/manage/{person.meeting.slug}/registrations/{person.pk}/personal-data/?format=json"
    data = _json(client.get(url))
    assert data["registration"]["given_name"] == "Somphone" and data["registration"]["name_lo"] == "ສົມພອນ ວົງສາ"
    assert data["answers"] == [{"question": "Passport number", "kind": "text", "sensitive": True, "answer": "P1234567"}]
    assert [m["subject"] for m in data["messages"]] == ["ໄດ້ຮັບການລົງທະບຽນ"]
    assert data["check_ins"] == [] and data["joins"] == []
    event = AuditEvent.objects.get(kind="registration.data_exported")
    assert (event.registration_id, event.actor_id, event.after) == (person.pk, manager.pk, {"format": "json"})


def test_a_focal_point_exports_their_delegate_with_sensitive_answers_masked(client, person):
    client.force_login(make_focal_point(person.delegation))
    url = f"/en/manage/{person.meeting.slug}/registrations/{person.pk}/personal-data/?format=json"
    assert _json(client.get(url))["answers"][0]["answer"] == "•••••567"


def test_check_in_staff_and_strangers_get_no_export(client, person):
    client.force_login(make_organizer(person.meeting, role=MeetingRole.Role.CHECKIN))
    url = f"/en/manage/{person.meeting.slug}/registrations/{person.pk}/personal-data/?format=json"
    assert client.get(url).status_code == 403
    other = make_registration(make_meeting())
    client.force_login(make_organizer(other.meeting, role=MeetingRole.Role.OWNER))
    assert client.get(url).status_code == 403


def test_the_person_downloads_their_data_from_their_private_page_as_lao_pdf(client, person, tmp_path):
    token = person.manage_token
    page = client.get(f"/lo/r/{token}/").content.decode()
    assert f"/lo/r/{token}/personal-data/?format=pdf" in page
    data = _json(client.get(f"/lo/r/{token}/personal-data/?format=json"))
    assert data["answers"][0]["answer"] == "P1234567"  # their own, in clear
    response = client.get(f"/lo/r/{token}/personal-data/?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    (tmp_path / "data.pdf").write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "data.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Somphone" in text and "somphone@example.la" in text and "P1234567" in text
    assert "ສົມພອນ ວົງສາ" in text and "ເລກໜັງສືຜ່ານແດນ" in text
    event = AuditEvent.objects.filter(kind="registration.data_exported").latest("pk")
    assert (event.actor_label, event.after) == ("participant", {"format": "pdf"})
    assert client.get(f"/lo/r/{token}/personal-data/?format=xml").status_code == 404
    assert client.get("/lo/r/not-a-token/personal-data/?format=json").status_code == 404


def test_only_an_owner_erases_after_a_confirm_step(client, person):
    meeting = person.meeting
    erase = f"/en/manage/{meeting.slug}/registrations/{person.pk}/erase/"
    client.force_login(make_organizer(meeting, role=MeetingRole.Role.MANAGER))
    assert client.get(erase).status_code == 403
    assert client.post(erase).status_code == 403
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER)
    client.force_login(owner)
    confirm = client.get(erase)
    assert confirm.status_code == 200 and "Erase the data now" in confirm.content.decode()
    Registration.objects.get(pk=person.pk, erased_at__isnull=True)  # a GET changes nothing
    response = client.post(erase)
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.erased_at is not None and person.full_name == f"#{person.pk}"
    detail = client.get(response["Location"]).content.decode()
    assert "data was erased on" in detail and "Somphone" not in detail
    assert client.get(f"/en/r/{person.manage_token}/").status_code == 200  # the new link only (never sent)
