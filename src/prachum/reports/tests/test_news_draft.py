"""The news draft states the meeting's facts, in Lao and in English, as the ministry's news item did."""

import io

import pytest
from django.core.management import call_command

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_session
from prachum.registration.tests.factories import make_registration
from prachum.reports.models import Outcome
from prachum.reports.news import draft_news

pytestmark = pytest.mark.django_db


def test_the_english_draft_of_the_symposium_states_its_facts(symposium):
    draft = draft_news(symposium, language="en")
    assert draft.title == "ASEAN-Japan Symposium on the ASEAN Digital Masterplan 2025"
    body = draft.body
    assert body.startswith("On 10 September 2020, the ASEAN-Japan Symposium on the ASEAN Digital Masterplan 2025 was held online.")
    assert ("co-chaired by Mr. Phoukhong Chithoulokh (Director General, Department of Planning and Cooperation, "
            "Ministry of Posts, Telecommunications and Communications; ADGSOM Chair, Lao PDR) and Mr. Watanabe "
            "(Director-General for International Cooperation and International Strategy, Ministry of Internal "
            "Affairs and Communications (MIC), Japan).") in body
    assert ("The meeting had 33 approved participants from Brunei Darussalam, Cambodia, Indonesia, Lao PDR, Malaysia, "
            "Myanmar, Philippines, Singapore, Thailand, Viet Nam, ASEAN Secretariat and Japan.") in body
    assert ("1. Review of ASEAN-Japan ICT cooperation 2006-2020\n2. ASEAN ICT Masterplan 2020 (AIM 2020) Final Review "
            "(Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR)\n"
            "3. Brainstorming on the draft ASEAN Digital Masterplan 2025\n4. Closing remarks by the Chair") in body
    # The ministry under its name of 2020 (renamed Ministry of Technology and Communications in 2021).
    assert draft.text_by == "Ministry of Posts, Telecommunications and Communications (MPTC), Lao PDR"
    assert "(in Lao)" not in draft.as_text()


def test_the_lao_draft_of_the_symposium_states_its_facts_in_lao(symposium):
    draft = draft_news(symposium, language="lo")
    body = draft.body
    assert draft.title == "ກອງປະຊຸມສຳມະນາທາງໄກອາຊຽນ-ຍີ່ປຸ່ນ ລະດົມຄວາມຄິດໃສ່ຮ່າງແຜນແມ່ບົດດິຈິຕອນອາຊຽນ 2025"
    assert "ວັນທີ 10 ກັນຍາ 2020" in body
    assert "ອອນລາຍ" in body  # held online
    # Their positions in Lao, as the ministry's news item writes them (positions have a Lao version).
    assert "ທ່ານ ພູຂົງ ຈິດຮູບໂລກ (ຫົວໜ້າກົມແຜນການ ແລະ ການຮ່ວມມື" in body and "ທ່ານ Watanabe (ຫົວໜ້າກົມຮ່ວມມືສາກົນ" in body
    assert "Director General" not in body
    assert "ປະທານຮ່ວມ" in body  # co-chaired
    assert "ບຣູໄນ ດາຣຸສຊາລາມ, ກຳປູເຈຍ" in body and "ກອງເລຂາອາຊຽນ ແລະ ຍີ່ປຸ່ນ" in body
    assert body.index("ບຣູໄນ") < body.index("ສປປ ລາວ, ມາເລເຊຍ") < body.index("ຫວຽດນາມ") < body.index("ກອງເລຂາອາຊຽນ")
    assert "ກອງປະຊຸມມີຜູ້ເຂົ້າຮ່ວມທີ່ໄດ້ຮັບການອະນຸມັດ 33 ທ່ານ ຈາກ ບຣູໄນ" in body
    assert "1. ທົບທວນຄືນການຮ່ວມມືດ້ານໄອຊີທີ ອາຊຽນ-ຍີ່ປຸ່ນ 2006-2020" in body
    assert "4. ທ່ານປະທານກ່າວປິດກອງປະຊຸມ" in body
    assert "On " not in body and "The meeting had" not in body  # the sentences are Lao, not English
    assert draft.as_text().splitlines()[-1].startswith("ຂ່າວ: ")


def test_the_outcome_is_part_of_the_draft_and_a_missing_lao_text_is_shown_in_english_and_marked(symposium):
    Outcome.objects.create(meeting=symposium, summary_en="Lessons for ADM 2025 were drawn.", summary_lo="",
                           decisions_lo="ຮັບຮອງບົດລາຍງານ.", decisions_en="The report was adopted.")
    lao = draft_news(symposium, language="lo").body
    assert "Lessons for ADM 2025 were drawn. (ເປັນພາສາອັງກິດ)" in lao
    assert "ຮັບຮອງບົດລາຍງານ." in lao
    english = draft_news(symposium, language="en").body
    assert "Outcome: Lessons for ADM 2025 were drawn." in english and "Decisions: The report was adopted." in english


def test_a_meeting_without_participants_or_co_chairs_still_gets_a_draft():
    meeting = make_meeting(title_lo="", title_en="Workshop on Broadband", format=Meeting.Format.IN_PERSON)
    make_session(meeting, title_en="Opening", title_lo="")
    draft = draft_news(meeting, language="lo")
    assert draft.title == "Workshop on Broadband (ເປັນພາສາອັງກິດ)"
    assert "Opening (ເປັນພາສາອັງກິດ)" in draft.body
    english = draft_news(meeting, language="en")
    assert "co-chaired" not in english.body and "chaired" not in english.body
    assert "participant" not in english.body
    assert english.body.startswith("On ")


def test_one_chair_is_named_as_the_chair():
    meeting = make_meeting()
    chair = make_category(meeting, code="chair", name_en="Chair")
    make_registration(meeting, chair, status="approved", honorific="Ms.", given_name="Keo", family_name="Sone",
                      position="Minister", name_lo="", protocol_role="chair")
    assert "The meeting was chaired by Ms. Keo Sone (Minister)." in draft_news(meeting, language="en").body


def test_the_role_names_the_chairs_not_the_category():
    meeting = make_meeting()
    delegate = make_category(meeting, code="delegate")
    make_registration(meeting, make_category(meeting, code="co-chair"), status="approved", family_name="Category")
    make_registration(meeting, delegate, status="approved", honorific="Ms.", given_name="Keo", family_name="Sone",
                      name_lo="", position="", protocol_role="chair")
    make_registration(meeting, delegate, status="approved", honorific="Mr.", given_name="Taro", family_name="Sato",
                      name_lo="", position="", protocol_role="co_chair")
    body = draft_news(meeting, language="en").body
    assert "The meeting was chaired by Ms. Keo Sone and co-chaired by Mr. Taro Sato." in body
    assert "Category" not in body


def test_a_single_co_chair_is_still_a_co_chair():
    meeting = make_meeting()
    make_registration(meeting, make_category(meeting), status="approved", honorific="Mr.", given_name="Taro",
                      family_name="Sato", name_lo="", position="", protocol_role="co_chair")
    assert "The meeting was co-chaired by Mr. Taro Sato." in draft_news(meeting, language="en").body


def test_the_command_prints_the_draft(symposium):
    out = io.StringIO()
    call_command("news", "asean-japan-symposium-2020", "--lang", "en", stdout=out)
    assert "was held online" in out.getvalue() and "Mr. Watanabe" in out.getvalue()
    out = io.StringIO()
    call_command("news", "asean-japan-symposium-2020", "--lang", "lo", stdout=out)
    assert "ວັນທີ 10 ກັນຍາ 2020" in out.getvalue()
