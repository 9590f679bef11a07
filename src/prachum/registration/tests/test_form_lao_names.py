"""A name written only in Lao script: the form proposes it in Latin letters, shows the proposal, and
takes what the person sends next as written."""

import html
import re

import pytest
from django.test import Client
from django.utils import translation

from prachum.registration.forms import MESSAGES
from prachum.registration.models import Registration
from prachum.registration.tests.web import (
    errors_of,
    manage_token_of,
    manage_url,
    post_form,
    valid_data,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


def value_of(response, name: str) -> str:
    """The value an <input name=…> is shown with."""
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', response.content.decode())
    assert tag, name
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def proposal_message(language: str, latin: str) -> str:
    with translation.override(language):
        return html.escape(str(MESSAGES["name_romanized"]) % {"name": latin})


def test_lao_in_the_latin_fields_comes_back_moved_to_the_lao_field_with_a_latin_proposal(client, meeting, category):
    response = post_form(client, meeting, valid_data(category, given_name="ສົມສັກ", family_name="ວົງສາ", name_lo=""))

    assert response.status_code == 200
    assert not Registration.objects.exists()
    assert value_of(response, "given_name") == "Somsak"
    assert value_of(response, "family_name") == "Vongsa"
    assert value_of(response, "name_lo") == "ສົມສັກ ວົງສາ"
    message = proposal_message("en", "Somsak Vongsa")
    assert "We wrote your name in Latin letters as “Somsak Vongsa”" in html.unescape(message)
    assert errors_of(response)["given_name"] == [message]


def test_sent_again_the_corrected_latin_name_is_kept_as_written(client, meeting, category):
    data = valid_data(category, given_name="ສົມສັກ ວົງສາ", family_name="", name_lo="")
    shown = post_form(client, meeting, data)
    assert (value_of(shown, "given_name"), value_of(shown, "family_name")) == ("Somsak", "Vongsa")

    again = {**data, "given_name": "Somsack", "family_name": value_of(shown, "family_name"),
             "name_lo": value_of(shown, "name_lo")}
    manage_token_of(post_form(client, meeting, again))

    registration = Registration.objects.get()
    assert (registration.given_name, registration.family_name) == ("Somsack", "Vongsa")
    assert registration.name_lo == "ສົມສັກ ວົງສາ"


def test_only_a_lao_name_on_the_lao_page_gets_the_proposal_in_lao(client, meeting, category):
    data = valid_data(category, given_name="", family_name="", name_lo="ວິໄລວັນ ພຸດທະວົງ")
    response = post_form(client, meeting, data, language="lo")

    assert response.status_code == 200
    assert '<html lang="lo">' in response.content.decode()
    assert value_of(response, "given_name") == "Vilaivan"
    assert value_of(response, "family_name") == "Phoutthavong"
    assert value_of(response, "name_lo") == "ວິໄລວັນ ພຸດທະວົງ"
    assert errors_of(response)["given_name"] == [proposal_message("lo", "Vilaivan Phoutthavong")]
    # Sent again unchanged, the proposal is accepted.
    manage_token_of(post_form(client, meeting, {**data, "given_name": "Vilaivan", "family_name": "Phoutthavong"},
                              language="lo"))
    registration = Registration.objects.get()
    assert (registration.given_name, registration.family_name, registration.name_lo) == (
        "Vilaivan", "Phoutthavong", "ວິໄລວັນ ພຸດທະວົງ")


def test_a_latin_name_with_its_lao_goes_through_at_once(client, meeting, category):
    manage_token_of(post_form(client, meeting, valid_data(category)))
    assert Registration.objects.get().name_lo == "ແກ້ວ ພົມມະຈັນ"


def test_a_lao_name_in_the_latin_fields_beside_another_lao_name_keeps_that_one(client, meeting, category):
    response = post_form(client, meeting, valid_data(category, given_name="ພູຄົງ", family_name="", name_lo="ທ່ານ ພູຄົງ"))
    assert value_of(response, "given_name") == "Phoukhong"
    assert value_of(response, "name_lo") == "ທ່ານ ພູຄົງ"


def test_the_manage_page_proposes_too(client, meeting, category):
    token = manage_token_of(post_form(client, meeting, valid_data(category)))
    page = client.get(manage_url(token))
    data = {name: value_of(page, name) for name in ("given_name", "family_name", "name_lo", "position", "email")}
    data.update(given_name="ນ້ອຍ", family_name="ພົມມະຈັນ", name_lo="", gender="female", honorific="ms")

    response = client.post(manage_url(token), data)

    assert response.status_code == 200
    assert (value_of(response, "given_name"), value_of(response, "family_name")) == ("Noy", "Phommachan")
    registration = Registration.objects.get()
    assert registration.given_name == "Keo"  # nothing kept before the person sees the proposal


def test_a_name_with_no_letters_to_propose_is_asked_for_as_before(meeting, category):
    response = post_form(Client(), meeting, valid_data(category, given_name="", family_name="", name_lo=""))
    assert "given_name" in errors_of(response)
    assert not Registration.objects.exists()


def test_a_focal_point_nominating_a_lao_only_name_is_told_about_the_name_not_their_own(client):
    from prachum.meetings.tests.factories import make_category, make_organization
    from prachum.registration.tests.factories import form_token, make_delegation, make_focal_point
    from prachum.registration.tests.web import open_meeting

    meeting = open_meeting(slug="nominations", registration_mode="nomination")
    delegation = make_delegation(meeting, organization=make_organization(code="LA", name_en="Lao PDR"))
    category = make_category(meeting, code="delegate")
    client.force_login(make_focal_point(delegation))
    data = {"honorific": "", "given_name": "ພູຄົງ", "family_name": "", "gender": "male", "position": "Officer",
            "email": "phoukhong@example.la", "category": str(category.pk), "language": "lo", "form_token": form_token()}

    response = client.post(f"/en/manage/{meeting.slug}/delegation/{delegation.pk}/nominate/", data)

    assert response.status_code == 200 and not Registration.objects.exists()
    assert value_of(response, "given_name") == "Phoukhong" and value_of(response, "name_lo") == "ພູຄົງ"
    assert errors_of(response)["given_name"] == [
        "We wrote the name in Latin letters as “Phoukhong”. Correct it if needed, then send the form again."]


def test_an_invitation_naming_the_person_in_lao_opens_with_the_latin_letters_proposed(client, meeting, category):
    from prachum.registration.tests.factories import make_invitation

    invitation = make_invitation(meeting, given_name="ສົມສັກ", family_name="ວົງສາ", category=category)
    page = client.get(f"/lo/m/{meeting.slug}/register/?invitation={invitation.token}")
    assert (value_of(page, "given_name"), value_of(page, "family_name"), value_of(page, "name_lo")) == (
        "Somsak", "Vongsa", "ສົມສັກ ວົງສາ")
