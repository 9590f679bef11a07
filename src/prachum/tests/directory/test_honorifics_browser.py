"""An organizer adds an honorific in Lao on a phone; a participant then picks it on the English form, and the
confirmation email greets them with it in English. Headless Chromium, a real SMTP server."""

import pytest
from django.contrib.auth.models import Permission

from prachum.directory.models import Honorific
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_user
from prachum.registration.models import Registration
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def test_an_organizer_adds_tan_sri_and_a_participant_registers_with_it(
        live_server, settings, mail_server, chromium, screenshots):
    from playwright.sync_api import expect

    settings.PRACHUM_DELIVERY = "inline"
    settings.PRACHUM_BASE_URL = live_server.url
    settings.PRACHUM_RATELIMIT_REGISTER = "1000/m"
    organizer = make_user(username="noy", email="noy@mpt.gov.la", language="lo")
    organizer.user_permissions.add(Permission.objects.get(codename="add_meeting"))
    meeting = open_meeting(slug="adgsom-honorifics", title_en="ADGSOM", title_lo="ກອງປະຊຸມ ADGSOM")
    open_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ")

    page = chromium.new_context(viewport=PHONE, locale="lo-LA").new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/lo/manage/")
    page.locator("#id_username").fill("noy")
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("form.form button[type=submit]").click()
    page.locator("#manage-honorifics").click()
    expect(page).to_have_url(f"{live_server.url}/lo/manage/honorifics/")
    expect(page.locator("#honorifics")).to_contain_text("ພະນະທ່ານ")

    # "ທ່ານ" is in the list already (as Mr.): refused, in Lao, and what was typed stays.
    page.locator("#id_label_en").fill("Tan Sri")
    page.locator("#id_label_lo").fill("ທ່ານ")
    page.locator("#add-honorific").click()
    expect(page.locator("#id_label_lo_errors")).to_contain_text("Mr.")
    expect(page.locator("#id_label_en")).to_have_value("Tan Sri")
    page.locator("#id_label_lo").fill("ຕັນສຣີ")
    page.locator("#add-honorific").click()
    expect(page.locator("#honorifics")).to_contain_text("ຕັນສຣີ")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshots / "honorifics-lo-390.png"), full_page=True)
    assert Honorific.objects.get(code="tan-sri").label_lo == "ຕັນສຣີ"

    # A participant on the English form sees the English label only, and picks it.
    form = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-US").new_page()
    form.goto(f"{live_server.url}/en/m/adgsom-honorifics/register/")
    options = form.locator("#id_honorific option").all_text_contents()
    assert "Tan Sri" in options and "H.E." in options and "ຕັນສຣີ" not in options and "ທ່ານ" not in options
    form.locator("#id_honorific").select_option(label="Tan Sri")
    form.locator("#id_given_name").fill("Ahmad")
    form.locator("#id_family_name").fill("Ismail")
    form.get_by_label("Male", exact=True).check()
    form.locator("#id_position").fill("Deputy Secretary-General")
    form.locator("#id_email").fill("ahmad@example.my")
    form.locator("#id_consent").check()
    form.locator('form[data-registration-form] button[type="submit"]').click()
    expect(form.get_by_text("Thank you. A message with the link to your registration is on its way to ahmad@example.my.",
                            exact=False)).to_be_visible()

    registration = Registration.objects.get(email="ahmad@example.my")
    assert registration.honorific.code == "tan-sri"
    email = mail_server.wait_for(1)[0]
    text = email.get_body(preferencelist=("plain",)).get_content()
    assert "Dear Tan Sri Ahmad Ismail," in text
    assert "ຕັນສຣີ" not in text
