"""Registering again with another spelling of one's address, in Lao on a phone (390 px): the second form
gets the same "check your email" page as the first, nothing is registered twice, and the address's owner
gets their private link by email (a real SMTP server). No one learns from the form who is registered."""

import re

import pytest

from prachum.meetings.tests.factories import make_organization
from prachum.registration.models import Registration
from prachum.registration.tests.factories import make_delegation
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
TITLE_LO = "ກອງປະຊຸມທົດລອງ"
PRIVATE_LINK = re.compile(r"https?://[^\s\"'<>]+/lo/r/[^/\s\"'<>]+/")


@pytest.fixture
def meeting(settings, live_server, mail_server):
    settings.PRACHUM_DELIVERY = "inline"  # each email leaves when its request commits
    settings.PRACHUM_BASE_URL = live_server.url
    meeting = open_meeting(slug="lao-again", title_lo=TITLE_LO, title_en="Test meeting")
    make_delegation(meeting, organization=make_organization(name_en="Lao PDR", name_lo="ສປປ ລາວ", protocol_order=5))
    open_category(meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate")
    return meeting


def fill_and_send(page, base_url, *, given_name: str, email: str):
    page.goto(f"{base_url}/lo/m/lao-again/register/")
    page.get_by_label("ຜູ້ແທນ").check()
    page.locator("#id_given_name").fill(given_name)
    page.locator("#id_family_name").fill("Phommachanh")
    page.locator("#id_name_lo").fill(f"ຄຳ{given_name}")
    page.get_by_label("ຍິງ", exact=True).check()
    page.locator("#id_position").fill("Deputy Director")
    page.locator("#id_organization").select_option(label="ສປປ ລາວ")
    # Typed as the form field receives it (a browser may send a typed domain in its ASCII form instead).
    page.locator("#id_email").evaluate("(input, value) => { input.type = 'text'; input.value = value; }", email)
    page.locator("#id_consent").check()
    page.locator('form[data-registration-form] button[type="submit"]').click()


def test_the_second_spelling_of_a_lao_address_gets_the_same_page_and_the_owner_gets_the_link(
    live_server, mail_server, meeting, chromium, screenshots
):
    from playwright.sync_api import expect

    first = chromium.new_page(viewport=PHONE, locale="lo-LA")
    fill_and_send(first, live_server.url, given_name="Kham", email="kham@ຄຳ.ລາວ")
    expect(first).to_have_url(f"{live_server.url}/lo/m/lao-again/register/sent/")
    expect(first.locator("h1")).to_have_text("ກະລຸນາກວດເບິ່ງອີເມວຂອງທ່ານ")  # "Check your email"
    first_text = first.locator("main").inner_text()
    first.screenshot(path=str(screenshots / "registered-lo.png"), full_page=True)

    # Someone (the same person on another phone, or anyone) sends the address with ໍ + າ instead of ຳ.
    second = chromium.new_page(viewport=PHONE, locale="lo-LA")
    fill_and_send(second, live_server.url, given_name="Noy", email="KHAM@ຄໍາ.ລາວ")
    expect(second).to_have_url(f"{live_server.url}/lo/m/lao-again/register/sent/")
    assert second.locator("main").inner_text() == first_text.replace("kham@ຄຳ.ລາວ", "KHAM@ຄໍາ.ລາວ")
    assert second.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    second.screenshot(path=str(screenshots / "registered-again-lo.png"), full_page=True)

    registration = Registration.objects.get()
    assert (registration.email, registration.given_name) == ("kham@ຄຳ.ລາວ", "Kham")  # kept as first typed
    confirmation, link_again = mail_server.wait_for(2)
    assert confirmation["To"] == link_again["To"] == "kham@xn--s6c6g8c.xn--q7ce6a"
    assert TITLE_LO in str(link_again["Subject"])
    link = PRIVATE_LINK.search(link_again.get_body(preferencelist=("plain",)).get_content()).group(0)
    assert link == PRIVATE_LINK.search(confirmation.get_body(preferencelist=("plain",)).get_content()).group(0)

    # The link in the email is the way in.
    first.goto(link)
    expect(first.locator("img.ticket__qr")).to_be_visible()
