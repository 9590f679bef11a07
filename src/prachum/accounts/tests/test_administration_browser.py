"""The site administrator's path in headless Chromium, in Lao on a phone: invite an organizer who may create
meetings; the invitation arrives at a real SMTP server; the organizer chooses a password through its link in
a browser of their own, mistypes it once, logs in, and opens the new-meeting form; the administrator then
deactivates them, and their next request finds them logged out.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re

import pytest
from django.contrib.auth import get_user_model

from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.audit.models import AuditEvent
from prachum.accounts.tests.factories import DEFAULT_PASSWORD, make_user

from .conftest import give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
NEW_PASSWORD = "ວຽງຈັນ-Noy-2026!"


@pytest.fixture
def site_administrator(settings, mail_server):
    settings.PRACHUM_DELIVERY = "inline"
    return give(make_user(username="admin", email="admin@mpt.gov.la", first_name="ບຸນມີ", last_name="ສີສຸວັນ",
                          language="lo"), "administer_site")


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/?next=/lo/manage/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.form button[type=submit]").click()


def test_an_administrator_invites_an_organizer_who_creates_a_meeting_until_deactivated(
        live_server, settings, site_administrator, mail_server, screenshots, chromium):
    from playwright.sync_api import expect

    settings.PRACHUM_BASE_URL = live_server.url
    base = f"{live_server.url}/lo"
    admin = chromium.new_context(viewport=PHONE, locale="lo-LA").new_page()

    # The administrator logs in, and goes from "My meetings" to the accounts and the invitation form.
    log_in(admin, base, "admin", DEFAULT_PASSWORD)
    expect(admin).to_have_url(f"{base}/manage/")
    expect(admin.locator("html")).to_have_attribute("lang", "lo")
    admin.locator("#manage-accounts").click()
    expect(admin).to_have_url(f"{base}/manage/accounts/")
    admin.locator("#invite-account").click()
    expect(admin).to_have_url(f"{base}/manage/accounts/invite/")
    expect(admin.locator("#id_language_0")).to_be_checked()  # Lao, the page's language
    admin.locator("#id_email").fill("Noy.Sisouk@MPT.gov.la")
    admin.locator("#id_given_name").fill("ນ້ອຍ")
    admin.locator("#id_family_name").fill("ສີສຸກ")
    admin.locator("#id_may_create_meetings").check()
    assert fits(admin)
    admin.screenshot(path=str(screenshots / "accounts-invite-lo-390.png"), full_page=True)
    admin.locator("#send-invitation").click()
    expect(admin).to_have_url(f"{base}/manage/accounts/")
    noy = get_user_model().objects.get(email="noy.sisouk@mpt.gov.la")
    row = admin.locator(f"#account-{noy.pk}")
    expect(row).to_contain_text("ນ້ອຍ ສີສຸກ")
    expect(row.locator('[data-action="revoke-create"]')).to_be_visible()
    assert fits(admin)
    admin.screenshot(path=str(screenshots / "accounts-lo-390.png"), full_page=True)
    assert may_create_meetings(noy) and not is_site_administrator(noy) and not noy.has_usable_password()

    # The invitation arrives, in Lao, with the link to choose a password.
    [invitation] = mail_server.wait_for(1)
    assert invitation["To"] == "noy.sisouk@mpt.gov.la"
    html = invitation.get_body(("html",)).get_content()
    assert '<html lang="lo">' in html and "ນ້ອຍ ສີສຸກ" in html and "ບຸນມີ ສີສຸວັນ" in html  # to whom, and by whom
    text = invitation.get_body(("plain",)).get_content()
    link = re.search(rf"{re.escape(live_server.url)}/lo/accounts/set-password/\S+/", text).group(0)

    # In a browser of their own, the organizer chooses a password, mistypes it once, then logs in.
    organizer = chromium.new_context(viewport=PHONE, locale="lo-LA").new_page()
    organizer.goto(link)
    expect(organizer.locator("html")).to_have_attribute("lang", "lo")
    expect(organizer.get_by_text("noy.sisouk@mpt.gov.la")).to_be_visible()  # their user name
    organizer.locator("#id_new_password1").fill(NEW_PASSWORD)
    organizer.locator("#id_new_password2").fill(NEW_PASSWORD)
    organizer.locator("form.form button[type=submit]").click()
    expect(organizer).to_have_url(f"{base}/accounts/password-set/")
    log_in(organizer, base, "noy.sisouk@mpt.gov.la", "ວຽງຈັນ-Noy-2025!")
    error = organizer.locator("#login-errors")
    expect(error).to_contain_text("ກະລຸນາປ້ອນ")  # Django's "Please enter a correct …", in Lao
    organizer.screenshot(path=str(screenshots / "login-wrong-password-lo-390.png"), full_page=True)
    organizer.locator("#id_password").fill(NEW_PASSWORD)
    organizer.locator("form.form button[type=submit]").click()
    expect(organizer).to_have_url(f"{base}/manage/")
    expect(organizer.locator("#manage-accounts")).to_have_count(0)
    with organizer.expect_response(f"{base}/manage/new/") as opened:
        organizer.locator("#new-meeting").click()
    assert opened.value.status == 200
    expect(organizer.locator("h1")).to_have_text("ກອງປະຊຸມໃໝ່")  # "New meeting"
    expect(organizer.locator("#id_slug")).to_be_visible()
    organizer.screenshot(path=str(screenshots / "new-meeting-lo-390.png"), full_page=True)

    # The administrator deactivates them; the organizer's next request finds them logged out.
    admin.reload()
    admin.locator(f'#account-{noy.pk} [data-action="deactivate"]').click()
    expect(admin.locator(".message--success")).to_be_visible()
    expect(admin.locator(f'#account-{noy.pk} [data-action="reactivate"]')).to_be_visible()
    expect(admin.locator("#trail")).to_be_visible()
    admin.screenshot(path=str(screenshots / "accounts-deactivated-lo-390.png"), full_page=True)
    assert fits(admin)
    admin.set_viewport_size({"width": 1280, "height": 900})
    assert fits(admin)
    admin.screenshot(path=str(screenshots / "accounts-deactivated-lo-1280.png"), full_page=True)
    assert not get_user_model().objects.get(pk=noy.pk).is_active
    organizer.goto(f"{base}/manage/new/")
    expect(organizer).to_have_url(re.compile(rf"{re.escape(base)}/accounts/login/\?next="))
    log_in(organizer, base, "noy.sisouk@mpt.gov.la", NEW_PASSWORD)
    expect(organizer.locator("#login-errors")).to_contain_text("ກະລຸນາປ້ອນ")
    kinds = list(AuditEvent.objects.filter(object_id=str(noy.pk), kind__startswith="account.")
                 .order_by("pk").values_list("kind", "actor__username"))
    assert kinds == [("account.invited", "admin"), ("account.deactivated", "admin")]
