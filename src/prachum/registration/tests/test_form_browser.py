"""Registering in Lao on a phone-sized headless Chromium, through the emailed link to the e-ticket on the private page.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""


import pytest

from prachum.meetings.models import QuestionKind
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation, make_question
from prachum.registration.tests.web import open_category, open_meeting
from prachum.meetings.tests.factories import make_organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def meeting(settings):
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    meeting = open_meeting(
        slug="adgsom-browser", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ",
        title_en="ASEAN Digital Senior Officials' Meeting",
        privacy_notice_lo="ຂໍ້ມູນຂອງທ່ານໃຊ້ສຳລັບການຈັດກອງປະຊຸມນີ້ເທົ່ານັ້ນ.",
    )
    make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    delegate = open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    open_category(meeting, code="observer", name_lo="ຜູ້ສັງເກດການ", name_en="Observer")
    dietary = make_question(meeting, "dietary", QuestionKind.CHOICE, label_lo="ຄວາມຕ້ອງການດ້ານອາຫານ", choices=[
        {"value": "none", "lo": "ບໍ່ມີ", "en": "None"}, {"value": "other", "lo": "ອື່ນໆ", "en": "Other"}])
    make_question(meeting, "dietary-other", QuestionKind.TEXT, label_lo="ກະລຸນາລະບຸ", is_required=True,
                  show_if_question=dietary, show_if_value="other")
    arrival = make_question(meeting, "arrival", QuestionKind.DATE, label_lo="ວັນທີເດີນທາງມາຮອດວຽງຈັນ")
    arrival.current_version.categories.set([delegate])
    return meeting


@pytest.fixture
def browser_page(meeting, chromium):
    """A page in headless Chromium, 390 × 844 (a phone); the meeting is made before the browser starts."""
    return chromium.new_page(viewport={"width": 390, "height": 844}, locale="lo-LA")


def test_registering_in_lao_on_a_phone_leads_to_the_e_ticket(live_server, browser_page, screenshots):
    from playwright.sync_api import expect

    page = browser_page
    page.goto(f"{live_server.url}/lo/m/adgsom-browser/")
    page.locator("a.button--register").click()
    expect(page).to_have_url(f"{live_server.url}/lo/m/adgsom-browser/register/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.get_by_text("ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ")).to_be_visible()

    # Questions appear as they apply: the arrival date for delegates, the description for "other".
    arrival, other = page.locator('[data-question="arrival"]'), page.locator('[data-question="dietary-other"]')
    expect(arrival).to_be_hidden()
    expect(other).to_be_hidden()
    page.get_by_label("ຜູ້ແທນ").check()
    expect(arrival).to_be_visible()
    page.locator('[data-question="dietary"]').get_by_label("ອື່ນໆ").check()
    expect(other).to_be_visible()
    page.screenshot(path=str(screenshots / "register-lo.png"), full_page=True)

    # Sent with the "other" description missing: the summary takes the focus and links to the field.
    page.locator("#id_honorific").select_option(label="ທ່ານນາງ")
    page.locator("#id_given_name").fill("ແກ້ວ")
    page.locator("#id_family_name").fill("ພົມມະຈັນ")
    page.get_by_label("ຍິງ", exact=True).check()
    page.locator("#id_position").fill("ຮອງຫົວໜ້າພະແນກ")
    page.locator("#id_organization").select_option(label="ສປປ ລາວ")
    page.locator("#id_email").fill("keo@example.la")
    page.locator("#id_phone").fill("໐໒໐ ໕໕໕໑ ໒໓໔໕")
    page.locator("#id_consent").check()
    page.locator('form[data-registration-form] button[type="submit"]').click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    page.screenshot(path=str(screenshots / "register-lo-error.png"), full_page=True)
    summary.locator('a[href="#id_q_dietary-other"]').click()
    expect(page.locator("#id_q_dietary-other")).to_be_focused()
    # The answers were kept; the name, written only in Lao, moved to the Lao field with Latin letters proposed.
    expect(page.locator("#id_given_name")).to_have_value("Keo")
    expect(page.locator("#id_name_lo")).to_have_value("ແກ້ວ ພົມມະຈັນ")

    page.locator("#id_q_dietary-other").fill("ບໍ່ກິນຖົ່ວດິນ")
    page.locator('form[data-registration-form] button[type="submit"]').click()

    # The answer names no registration (it would tell anyone which addresses are registered): the private
    # link comes by email.
    expect(page).to_have_url(f"{live_server.url}/lo/m/adgsom-browser/register/sent/")
    expect(page.locator("h1")).to_have_text("ກະລຸນາກວດເບິ່ງອີເມວຂອງທ່ານ")  # "Check your email"
    expect(page.get_by_text("keo@example.la")).to_be_visible()
    registration = Registration.objects.get()
    assert f"/lo/r/{registration.manage_token}/" in registration.messages.get(to_email="keo@example.la").body_text
    page.goto(f"{live_server.url}/lo/r/{registration.manage_token}/")
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    qr = page.locator("img.ticket__qr")
    expect(qr).to_be_visible()
    page.wait_for_function("() => { const img = document.querySelector('img.ticket__qr'); return img.complete && img.naturalWidth > 0; }")
    box = qr.bounding_box()
    assert box["width"] >= 250  # large enough to scan from the phone's screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    page.screenshot(path=str(screenshots / "manage-lo.png"), full_page=True)

    registration = Registration.objects.get()
    assert (registration.status, registration.phone, registration.language) == ("approved", "+8562055512345", "lo")
