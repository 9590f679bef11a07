"""Someone whose organization sends no delegation opens the Lao form on a phone, sends it without choosing
one, and reads, beside the list and in the summary, that they should write to the secretariat, and where.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import pytest

from prachum.meetings.tests.factories import make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "adgsom.secretariat@example.la"
NOT_LISTED_LO = "ຖ້າອົງການຈັດຕັ້ງຂອງທ່ານບໍ່ມີໃນລາຍຊື່, ກະລຸນາຂຽນຫາກອງເລຂາທີ່"


@pytest.fixture
def meeting(settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    host = make_organization(code="la-mtc", kind="national_body", name_en="Ministry of Technology and Communications",
                             name_lo="ກະຊວງເຕັກໂນໂລຊີ ແລະ ການສື່ສານ", email=ADDRESS, protocol_order=100)
    meeting = open_meeting(slug="adgsom-not-listed", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ",
                           title_en="ASEAN Digital Senior Officials' Meeting", host=host)
    make_delegation(meeting, organization=make_organization(name_en="Viet Nam", name_lo="ຫວຽດນາມ", protocol_order=11))
    open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    return meeting


def test_the_lao_form_on_a_phone_says_to_write_to_the_secretariat_at_its_address(live_server, meeting, chromium,
                                                                                  screenshots):
    from playwright.sync_api import expect

    page = chromium.new_page(viewport={"width": 390, "height": 844}, locale="lo-LA")
    page.goto(f"{live_server.url}/lo/m/adgsom-not-listed/register/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    hint = page.locator("#id_organization_helptext")
    expect(hint).to_contain_text(NOT_LISTED_LO)
    expect(hint.get_by_role("link", name=ADDRESS)).to_have_attribute("href", f"mailto:{ADDRESS}")

    page.locator("#id_given_name").fill("ສົມສັກ")
    page.locator("#id_family_name").fill("ວົງສາ")
    page.get_by_label("ຊາຍ", exact=True).check()
    page.locator("#id_position_lo").fill("ຫົວໜ້າພະແນກ")
    page.locator("#id_email").fill("somsak@example.la")
    page.locator("#id_consent").check()
    page.locator('form[data-registration-form] button[type="submit"]').click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    error = page.locator("#id_organization_error")
    expect(error).to_contain_text("ກະລຸນາເລືອກຄະນະຜູ້ແທນຂອງທ່ານ.")
    expect(error).to_contain_text(f"{NOT_LISTED_LO} {ADDRESS}.")
    expect(error.get_by_role("link", name=ADDRESS)).to_have_attribute("href", f"mailto:{ADDRESS}")
    expect(summary).to_contain_text(ADDRESS)
    assert "This field is required." not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the address wraps, nothing overflows
    page.screenshot(path=str(screenshots / "register-lo-not-listed.png"), full_page=True)
    assert not Registration.objects.exists()
