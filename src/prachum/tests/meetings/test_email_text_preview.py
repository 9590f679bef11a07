"""The email-text preview shows what is sent: the greeting every email begins with, then the organizer's
text; the form says the greeting is added, so organizers do not write a second "Dear …"."""

import re
from html import unescape

import pytest

from prachum.meetings import setup
from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.tests.factories import make_meeting, make_user
from prachum.notify.emails import render_registration_email
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

BODY = "Welcome to {meeting}. Please bring your passport."


@pytest.fixture
def meeting():
    return make_meeting(slug="adgsom-emails", title_en="ADGSOM")


@pytest.fixture
def organizer(client, meeting):
    user = make_user()
    MeetingRole.objects.create(meeting=meeting, user=user, role=Role.MANAGER)
    client.force_login(user)
    return user


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_preview_has_the_greeting_above_the_text_as_the_email_has(client, meeting, organizer):
    url = f"/en/manage/{meeting.slug}/setup/emails/registration.confirmed/"
    response = client.post(url, {"subject_lo": "", "subject_en": "", "body_lo": "", "body_en": BODY, "preview": "1"})
    page = _text(response.content.decode())
    assert "Dear Ms. Keo Phommachanh, Welcome to ADGSOM. Please bring your passport." in page
    assert "already begins with “Dear” and the person's name" in page

    setup.save_email_text(meeting_id=meeting.pk, actor=organizer, kind="registration.confirmed", body_en=BODY)
    registration = make_registration(meeting=meeting, status=Registration.Status.APPROVED, language="en",
                                     honorific="Ms", given_name="Keo", family_name="Phommachanh")
    sent = render_registration_email(registration=registration, kind="registration.confirmed").text
    assert " ".join(sent.split()).startswith("Dear Ms. Keo Phommachanh, Welcome to ADGSOM. Please bring your passport.")
    assert sent.count("Dear") == 1


def test_the_lao_preview_greets_in_lao(client, meeting, organizer):
    url = f"/lo/manage/{meeting.slug}/setup/emails/registration.confirmed/"
    response = client.post(url, {"subject_lo": "", "subject_en": "", "body_lo": "ຍິນດີຕ້ອນຮັບ", "body_en": "",
                                 "preview": "1"})
    assert "ຮຽນ ທ່ານນາງ ແກ້ວ ພົມມະຈັນ, ຍິນດີຕ້ອນຮັບ" in _text(response.content.decode())
