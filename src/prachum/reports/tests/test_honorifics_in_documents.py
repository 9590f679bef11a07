"""Each document prints honorifics and positions in its own language only: the LoP (PDF, read back with
pdftotext), the badges and the emails, for people who chose their honorific on the Lao form and on the
English one."""

import re

import pytest

from prachum.badges.rendering import badges_pdf
from prachum.badges.selectors import badge_registrations
from prachum.badges.tests.pdf_tools import pdf_text
from prachum.directory.honorifics import STANDARD_HONORIFICS
from prachum.meetings.models import Delegation
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.notify.emails import render_registration_email
from prachum.registration.tests.factories import make_registration
from prachum.reports.lop import list_of_participants_file

pytestmark = pytest.mark.django_db

LAO_LABELS = {lao for _, _, lao in STANDARD_HONORIFICS}
ENGLISH_LABELS = {english for _, english, _ in STANDARD_HONORIFICS}


@pytest.fixture
def meeting():
    meeting = make_meeting(title_en="ASEAN-Japan Symposium", title_lo="ກອງປະຊຸມສຳມະນາອາຊຽນ-ຍີ່ປຸ່ນ")
    delegate = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    lao_pdr = Delegation.objects.create(meeting=meeting, organization=make_organization(
        name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=4))
    japan = Delegation.objects.create(meeting=meeting, organization=make_organization(
        name_en="Japan", name_lo="ຍີ່ປຸ່ນ", protocol_order=20))
    # Chosen on the Lao form (ທ່ານ, ທ່ານນາງ) and on the English one (Mr., H.E.), as the form stores them.
    make_registration(meeting, delegate, status="approved", delegation=lao_pdr, language="lo", honorific="ທ່ານ",
                      given_name="Phoukhong", family_name="Chithoulokh", name_lo="ພູຄົງ ຈິດທູລົກ",
                      position="", position_lo="ຫົວໜ້າກົມແຜນການ")
    make_registration(meeting, delegate, status="approved", delegation=lao_pdr, language="lo", honorific="ທ່ານ ນາງ",
                      given_name="Vilayvanh", family_name="Phouthavong", name_lo="ວິໄລວັນ ພຸດທະວົງ",
                      position="Deputy Director", position_lo="ຮອງຫົວໜ້າພະແນກ")
    make_registration(meeting, delegate, status="approved", delegation=japan, language="en", honorific="H.E.",
                      given_name="Taro", family_name="Suzuki", name_lo="", position="Vice-Minister", position_lo="")
    make_registration(meeting, delegate, status="approved", delegation=japan, language="en", honorific="Dr.",
                      given_name="Hanako", family_name="Sato", name_lo="", position="Senior Official")
    return meeting


def words(text: str) -> set[str]:
    return set(re.findall(r"[\w.']+", text))


def assert_only(language: str, text: str):
    flat = " ".join(text.split())
    if language == "en":
        assert not [label for label in LAO_LABELS if label in flat], flat
    else:
        assert not (words(flat) & ENGLISH_LABELS), flat
        assert "ທ່ານ ນາງ" not in flat  # one spelling: ທ່ານນາງ


def test_the_list_of_participants_in_each_language(meeting, tmp_path):
    english = pdf_text(list_of_participants_file(meeting, language="en", file_format="pdf")[2], tmp_path)
    lao = pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2], tmp_path)
    assert_only("en", english)
    assert_only("lo", lao)
    flat_en, flat_lo = " ".join(english.split()), " ".join(lao.split())
    for text in ("Mr. Phoukhong Chithoulokh", "Ms. Vilayvanh Phouthavong", "H.E. Taro Suzuki", "Dr. Hanako Sato",
                 "Deputy Director", "Vice-Minister"):
        assert text in flat_en
    for text in ("ທ່ານ ພູຄົງ ຈິດທູລົກ", "ທ່ານນາງ ວິໄລວັນ ພຸດທະວົງ", "ພະນະທ່ານ Taro Suzuki", "ດຣ. Hanako Sato",
                 "ຫົວໜ້າກົມແຜນການ", "ຮອງຫົວໜ້າພະແນກ"):
        # pdftotext puts a space after some stacked Lao clusters: compare without spaces.
        assert text.replace(" ", "") in flat_lo.replace(" ", ""), text
    assert "ຫົວໜ້າກົມແຜນການ" in english.replace(" ", "")  # no English position: the Lao one, marked


def test_the_badges_in_each_language(meeting, tmp_path):
    for language in ("en", "lo"):
        text = pdf_text(badges_pdf(badge_registrations(meeting), meeting=meeting, language=language), tmp_path)
        assert_only(language, text)
        assert ("H.E." if language == "en" else "ພະນະທ່ານ") in text


@pytest.mark.parametrize("language, greeting", [("en", "Dear Mr. Phoukhong Chithoulokh,"), ("lo", "ທ່ານ ພູຄົງ ຈິດທູລົກ")])
def test_an_email_greets_in_its_own_language_whichever_form_was_used(meeting, language, greeting):
    phoukhong = meeting.registrations.get(given_name="Phoukhong")  # chose ທ່ານ on the Lao form
    email = render_registration_email(registration=phoukhong, kind="registration.confirmed", language=language)
    assert greeting in email.text
    assert_only(language, email.text.split("\n\n")[0])  # the greeting paragraph
