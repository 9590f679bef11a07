"""A name is printed once per script: the List of Participants and the news item in English print the Latin
letters (proposed ones where a registration holds only Lao script), and in Lao the Lao name once."""

import re

import pytest

from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.reports.lop import list_of_participants_file
from prachum.reports.news import draft_news
from prachum.reports.selectors import list_of_participants

from .helpers import pdf_text

pytestmark = pytest.mark.django_db

LAO = re.compile("[\u0e80-\u0eff]")


@pytest.fixture
def meeting():
    meeting = make_meeting(title_en="Names meeting", title_lo="ກອງປະຊຸມຊື່", venue_en="Don Chan Palace",
                           venue_lo="ໂຮງແຮມດອນຈັນພາເລດ")
    delegation = make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ"))
    delegate = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    co_chair = make_category(meeting, code="co-chair", name_en="Co-Chair", name_lo="ປະທານຮ່ວມ")
    # Registrations from before the form proposed Latin letters: Lao in the Latin fields.
    make_registration(meeting, co_chair, delegation=delegation, status="approved", honorific="", protocol_role="co_chair",
                      given_name="ວິໄລວັນ", family_name="ພຸດທະວົງ", name_lo="ວິໄລວັນ ພຸດທະວົງ",
                      position="Director", position_lo="ຫົວໜ້າ")
    make_registration(meeting, delegate, delegation=delegation, status="approved", honorific="",
                      given_name="ສົມສັກ ວົງສາ", family_name="", name_lo="", position="Officer", position_lo="ພະນັກງານ")
    make_registration(meeting, delegate, delegation=delegation, status="approved", honorific="",
                      given_name="Keo", family_name="Phommachanh", name_lo="ແກ້ວ ພົມມະຈັນ",
                      position="Officer", position_lo="ພະນັກງານ")
    return meeting


def test_the_english_list_prints_latin_letters_only(meeting):
    people = {p.name: p.other_name for d in list_of_participants(meeting, language="en").groups for p in d.people}
    assert people == {"Vilaivan Phoutthavong": "", "Somsak Vongsa": "", "Keo Phommachanh": ""}

    text = pdf_text(list_of_participants_file(meeting, language="en", file_format="pdf")[2])
    for name in ("Vilaivan Phoutthavong", "Somsak Vongsa", "Keo Phommachanh"):
        [line] = [line for line in text.splitlines() if name in line]
        assert not LAO.search(line), line
    assert "ວິໄລວັນ" not in text and "ສົມສັກ" not in text


def test_the_lao_list_prints_each_lao_name_once_with_its_latin_letters(meeting):
    people = {p.name: p.other_name for d in list_of_participants(meeting, language="lo").groups for p in d.people}
    assert people == {"ວິໄລວັນ ພຸດທະວົງ": "Vilaivan Phoutthavong", "ສົມສັກ ວົງສາ": "Somsak Vongsa",
                      "ແກ້ວ ພົມມະຈັນ": "Keo Phommachanh"}

    text = pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2])
    assert text.count("ວິໄລວັນ ພຸດທະວົງ") == 1 and text.count("ສົມສັກ ວົງສາ") == 1
    assert "(Vilaivan Phoutthavong)" in text and "(Somsak Vongsa)" in text


def test_the_news_names_the_co_chair_in_the_language_of_the_item(meeting):
    english = draft_news(meeting, language="en").body
    assert "Vilaivan Phoutthavong" in english and "ວິໄລວັນ" not in english
    lao = draft_news(meeting, language="lo").body
    assert lao.count("ວິໄລວັນ ພຸດທະວົງ") == 1 and "Vilaivan" not in lao
