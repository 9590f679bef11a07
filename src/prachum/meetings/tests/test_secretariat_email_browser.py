"""An organizer gives the meeting its secretariat's address in the Lao settings page, in headless Chromium;
a visitor reads it on the Lao public page on a phone, as a link to write to.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import pytest

from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_meeting, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADDRESS = "adgsom.secretariat@example.org"


@pytest.fixture
def meeting():
    meeting = make_meeting(slug="adgsom-contact", title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM")
    MeetingRole.objects.create(meeting=meeting, user=make_user(username="secretariat"), role=Role.MANAGER)
    return meeting


def test_the_organizer_sets_the_address_in_lao_and_the_lao_public_page_links_to_it(
        live_server, meeting, screenshots, chromium):
    from playwright.sync_api import expect

    base = f"{live_server.url}/lo"
    page = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="lo-LA").new_page()
    page.goto(f"{base}/accounts/login/?next=/lo/manage/{meeting.slug}/setup/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/manage/{meeting.slug}/setup/")

    # A mistake first: the page's own message, in Lao, beside the field; what was typed stays.
    page.locator("#id_contact_email").fill("secretariat at example.org")
    page.locator("form.form--wide button[type=submit]").last.click()
    error = page.locator("#field-contact_email .errorlist")
    expect(error).to_have_text("ກະລຸນາປ້ອນທີ່ຢູ່ອີເມວໃຫ້ຖືກຕ້ອງ.")
    expect(page.locator("#id_contact_email")).to_have_value("secretariat at example.org")
    page.locator("#field-contact_email").screenshot(path=str(screenshots / "contact-email-error-lo.png"))

    page.locator("#id_contact_email").fill(ADDRESS)
    page.locator("form.form--wide button[type=submit]").last.click()
    expect(page.locator(".message--success")).to_be_visible()
    meeting.refresh_from_db()
    assert meeting.contact_email == ADDRESS

    phone = chromium.new_context(viewport={"width": 390, "height": 844}, locale="lo-LA").new_page()
    phone.goto(f"{base}/m/{meeting.slug}/")
    fact = phone.locator("dd.secretariat-email")
    expect(fact).to_have_text(f"ກະລຸນາຂຽນຫາກອງເລຂາທີ່ {ADDRESS}.")
    expect(fact.locator("a")).to_have_attribute("href", f"mailto:{ADDRESS}")
    expect(phone.locator("dl.facts dt").last).to_have_text("ສອບຖາມ")
    box = fact.bounding_box()
    assert box["x"] + box["width"] <= 390, "the address runs off the phone's screen"
    phone.locator("dl.facts").screenshot(path=str(screenshots / "contact-email-public-lo.png"))
