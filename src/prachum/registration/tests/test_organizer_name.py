"""The organizer sees a name written only in Lao script with its proposed Latin letters, and corrects it."""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.tests.factories import make_organizer, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    with translation.override("en"):
        yield


@pytest.fixture
def meeting():
    return make_meeting(slug="names-test")


@pytest.fixture
def lao_only(meeting):
    """A registration from before the form proposed Latin letters: Lao in the Latin fields and in name_lo."""
    return make_registration(meeting, make_category(meeting), given_name="ວິໄລວັນ", family_name="ພຸດທະວົງ",
                             name_lo="ວິໄລວັນ ພຸດທະວົງ")


def value_of(page: str, name: str) -> str:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
    match = re.search(r'value="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else ""


def test_the_detail_page_shows_the_proposal_once_beside_the_lao_name(client, meeting, lao_only):
    client.force_login(make_organizer(meeting))
    page = client.get(reverse("organizer:registration", args=[meeting.slug, lao_only.pk])).content.decode()
    heading = re.search(r"<h1>(.*?)</h1>", page, re.S).group(1)
    assert "Vilaivan Phoutthavong" in heading
    assert heading.count("ວິໄລວັນ ພຸດທະວົງ") == 1
    assert "is a proposal in Latin letters" in html.unescape(page)
    assert reverse("organizer:registration_name", args=[meeting.slug, lao_only.pk]) in page


def test_the_name_page_offers_the_proposal_and_saves_the_correction(client, meeting, lao_only):
    organizer = make_organizer(meeting)
    client.force_login(organizer)
    url = reverse("organizer:registration_name", args=[meeting.slug, lao_only.pk])
    page = client.get(url).content.decode()
    assert (value_of(page, "given_name"), value_of(page, "family_name"), value_of(page, "name_lo")) == (
        "Vilaivan", "Phoutthavong", "ວິໄລວັນ ພຸດທະວົງ")

    response = client.post(url, {"given_name": "Vilayvanh", "family_name": "Phoutthavong", "name_lo": "ວິໄລວັນ ພຸດທະວົງ"})

    assert response.status_code == 302
    lao_only.refresh_from_db()
    assert (lao_only.given_name, lao_only.family_name, lao_only.name_lo) == (
        "Vilayvanh", "Phoutthavong", "ວິໄລວັນ ພຸດທະວົງ")
    event = AuditEvent.objects.filter(kind="registration.updated").get()
    assert event.actor == organizer
    assert event.after["given_name"] == "Vilayvanh"


def test_lao_typed_into_the_latin_fields_comes_back_proposed(client, meeting, lao_only):
    client.force_login(make_organizer(meeting))
    url = reverse("organizer:registration_name", args=[meeting.slug, lao_only.pk])
    response = client.post(url, {"given_name": "ສົມສັກ", "family_name": "ວົງສາ", "name_lo": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert (value_of(page, "given_name"), value_of(page, "family_name"), value_of(page, "name_lo")) == (
        "Somsak", "Vongsa", "ສົມສັກ ວົງສາ")
    lao_only.refresh_from_db()
    assert lao_only.given_name == "ວິໄລວັນ"  # nothing saved yet


def test_check_in_staff_cannot_change_a_name(client, meeting, lao_only):
    client.force_login(make_organizer(meeting, role=MeetingRole.Role.CHECKIN))
    url = reverse("organizer:registration_name", args=[meeting.slug, lao_only.pk])
    response = client.post(url, {"given_name": "X", "family_name": "", "name_lo": ""})
    assert response.status_code == 403
    lao_only.refresh_from_db()
    assert lao_only.given_name == "ວິໄລວັນ"
