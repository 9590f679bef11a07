"""Every PDF (e-ticket, badges, List of Participants) writes Latin text in one family, the Noto Sans we
ship ("Prachum Sans"), and Lao in the Noto Sans Lao we ship ("Prachum Lao"): nothing from the machine's
fonts, and Lao shaped (its vowels and tone marks stacked, which pdftotext gives back in order)."""

import re
import subprocess
import tempfile
from pathlib import Path

import pytest

from prachum.badges.services import BadgeSelection, print_badges
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_registration
from prachum.registration.tickets import ticket_pdf
from prachum.reports.lop import list_of_participants_file

from .helpers import pdf_fonts

pytestmark = pytest.mark.django_db

LAO_NAME = "ສົມສັກ ວົງສາ"


@pytest.fixture
def registration():
    meeting = make_meeting(title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສ", title_en="Senior Officials' Meeting 2030")
    delegation = make_delegation(meeting, organization=make_organization(name_en="Viet Nam", name_lo="ຫວຽດນາມ"))
    category = make_category(meeting, name_en="Delegate", name_lo="ຜູ້ແທນ")
    return make_registration(meeting=meeting, category=category, delegation=delegation, given_name="Somsak",
                             family_name="Vongsa", name_lo=LAO_NAME, position="Director-General",
                             status=Registration.Status.APPROVED)


def families(content: bytes) -> set[str]:
    """The embedded fonts' names without the subset tag: {"Prachum-Sans", "Prachum-Lao-Bold", …}."""
    lines = pdf_fonts(content).splitlines()[2:]
    return {re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in lines if line.strip()}


def text_of(content: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "file.pdf"
        path.write_bytes(content)
        return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def pdfs(registration):
    meeting = registration.meeting
    yield "ticket", ticket_pdf(registration)
    yield "badges", print_badges(meeting=meeting, selection=BadgeSelection(language="lo"))[0]
    for language in ("lo", "en"):
        yield f"lop-{language}", list_of_participants_file(meeting, language=language, file_format="pdf")[2]


def test_latin_is_one_family_and_lao_is_ours_in_every_pdf(registration):
    for name, content in pdfs(registration):
        found = families(content)
        assert found, name
        assert all(re.fullmatch(r"Prachum-(Sans|Lao)(-Bold)?(-Oblique)?", family) for family in found), (name, found)
        assert any(family.startswith("Prachum-Sans") for family in found), (name, found)
        text = text_of(content)
        assert "Somsak" in text or "SOMSAK" in text.upper(), name
        if name != "lop-en":
            assert LAO_NAME in text or "ຜູ້ແທນ" in text, name
