"""The public page names a co-chair whose registration holds only Lao script: in Latin letters on the English
page, in Lao on the Lao page, once each."""

import pytest
from django.test import Client

from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration

pytestmark = pytest.mark.django_db


def page(meeting, language) -> str:
    response = Client().get(f"/{language}/m/{meeting.slug}/")
    assert response.status_code == 200
    return response.content.decode().split("<main")[1]


def test_a_lao_only_co_chair_is_named_in_latin_letters_in_english_and_in_lao_in_lao():
    meeting = make_meeting()
    delegation = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ"))
    make_registration(meeting, make_category(meeting, code="co-chair"), protocol_role="co_chair", status=Registration.Status.APPROVED,
                      delegation=delegation, honorific="", given_name="ວິໄລວັນ", family_name="ພຸດທະວົງ",
                      name_lo="ວິໄລວັນ ພຸດທະວົງ")

    english = page(meeting, "en")
    assert "<strong>Vilaivan Phoutthavong</strong>" in english and "ວິໄລວັນ" not in english
    lao = page(meeting, "lo")
    assert lao.count("ວິໄລວັນ ພຸດທະວົງ") == 1 and "Vilaivan" not in lao
