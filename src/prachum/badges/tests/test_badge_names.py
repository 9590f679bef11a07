"""A badge prints the name once in each script: a registration that holds only Lao script gets its Latin
letters on the Latin line, never the Lao twice."""

import re

import pytest

from prachum.badges.rendering import badges_pdf
from prachum.badges.tests.pdf_tools import pdf_text
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["lo", "en"])
def test_a_lao_only_name_is_printed_once_in_lao_and_once_in_latin_letters(language, tmp_path):
    meeting = make_meeting(title_en="Names meeting", title_lo="ກອງປະຊຸມຊື່")
    registration = make_registration(meeting, make_category(meeting), status=Registration.Status.APPROVED,
                                      given_name="ວິໄລວັນ", family_name="ພຸດທະວົງ", name_lo="ວິໄລວັນ ພຸດທະວົງ")
    text = pdf_text(badges_pdf([registration], meeting=meeting, language=language), tmp_path)
    flat = re.sub(r"\s+", " ", text)
    assert flat.count("ວິໄລວັນ") == 1
    assert "Vilaivan" in flat and "Phoutthavong" in flat
