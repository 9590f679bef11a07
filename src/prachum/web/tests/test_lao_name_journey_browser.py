"""A person writes their name only in Lao script on a phone, in Lao: the form shows it in Latin letters, the
person corrects one letter and sends it; the List of Participants prints the Latin letters in English and
the Lao name once in Lao.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
import subprocess

import pytest

from prachum.meetings.tests.factories import make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation
from prachum.registration.tests.web import open_category, open_meeting
from prachum.reports.lop import list_of_participants_file

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAO = re.compile("[\u0e80-\u0eff]")


@pytest.fixture
def meeting(settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    meeting = open_meeting(slug="lao-names", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ",
                           title_en="ASEAN Digital Senior Officials' Meeting")
    make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    return meeting


@pytest.fixture
def phone(meeting, chromium):
    return chromium.new_page(viewport={"width": 390, "height": 844}, locale="lo-LA")


def pdf_text(content: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_a_lao_only_name_is_proposed_in_latin_letters_corrected_and_printed_once(
        live_server, meeting, phone, screenshots, tmp_path):
    from playwright.sync_api import expect

    page = phone
    page.goto(f"{live_server.url}/lo/m/lao-names/register/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    page.locator("#id_given_name").fill("ສົມສັກ")
    page.locator("#id_family_name").fill("ວົງສາ")
    page.get_by_label("ຊາຍ", exact=True).check()
    page.locator("#id_position_lo").fill("ຫົວໜ້າພະແນກ")
    page.locator("#id_organization").select_option(label="ສປປ ລາວ")
    page.locator("#id_email").fill("somsak@example.la")
    page.locator("#id_consent").check()
    page.locator('form[data-registration-form] button[type="submit"]').click()

    # Back with the proposal filled in and said in words; nothing saved yet.
    expect(page.locator("#id_given_name")).to_have_value("Somsak")
    expect(page.locator("#id_family_name")).to_have_value("Vongsa")
    expect(page.locator("#id_name_lo")).to_have_value("ສົມສັກ ວົງສາ")
    expect(page.locator("[data-error-summary]")).to_contain_text("Somsak Vongsa")
    expect(page.locator("#id_given_name_error")).to_contain_text("Somsak Vongsa")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(screenshots / "lao-name-proposed.png"), full_page=True)
    assert not Registration.objects.exists()

    # The family writes its name with a W: one letter corrected, then sent.
    page.locator("#id_family_name").fill("Wongsa")
    page.locator('form[data-registration-form] button[type="submit"]').click()
    page.wait_for_url(re.compile(r".*/lo/m/lao-names/register/sent/$"))  # "check your email"
    page.screenshot(path=str(screenshots / "lao-name-registered.png"), full_page=True)

    registration = Registration.objects.get()
    assert (registration.given_name, registration.family_name, registration.name_lo) == (
        "Somsak", "Wongsa", "ສົມສັກ ວົງສາ")
    assert registration.status == "approved"

    english = pdf_text(list_of_participants_file(meeting, language="en", file_format="pdf")[2], tmp_path, "lop-en")
    [line] = [line for line in english.splitlines() if "Somsak Wongsa" in line]
    assert not LAO.search(line) and "ສົມສັກ" not in english

    lao = pdf_text(list_of_participants_file(meeting, language="lo", file_format="pdf")[2], tmp_path, "lop-lo")
    assert lao.count("ສົມສັກ ວົງສາ") == 1 and "(Somsak Wongsa)" in lao
