"""The login as a person sees it, in headless Chromium: an organizer sets up the second step with an
authenticator app (in Lao, on a phone) and logs in with it and with a recovery code; another uses a passkey
(Chromium's virtual authenticator); someone who forgot their password chooses a new one through the email
that reaches a real SMTP server.

Screenshots go to $SCREENSHOTS_DIR when it is set (to look at them), else to pytest's tmp_path."""

import re
import subprocess
import time
from base64 import b32decode

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from prachum.accounts.tests.factories import DEFAULT_PASSWORD
from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def organizer(settings, live_server):
    settings.PRACHUM_REQUIRE_2FA = "organizers"
    settings.PRACHUM_BASE_URL = live_server.url
    user = make_user(username="keo", email="keo@mpt.gov.la", first_name="ເກດ", last_name="ພົມມະຈັນ", language="lo")
    MeetingRole.objects.create(meeting=make_meeting(), user=user, role=Role.MANAGER)
    return user


def fits(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def log_in(page, base, username, password):
    page.goto(f"{base}/accounts/login/?next=/lo/manage/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form.form button[type=submit]").click()


def log_out(page):
    page.locator("header form.logout button").click()


def app_code(secret: str, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for `secret` (as the page gives it, in groups of four)."""
    key = b32decode(secret.replace(" ", ""))
    return f"{totp(key, t0=0, step=30, digits=6, drift=steps_ahead):06d}"


def test_an_organizer_sets_up_an_app_then_logs_in_with_it_and_with_a_recovery_code(
        live_server, organizer, screenshots, chromium):
    from playwright.sync_api import expect

    base = f"{live_server.url}/lo"
    page = chromium.new_context(viewport=PHONE, locale="lo-LA").new_page()

    # Password first; the account has none of the second factors its role asks for, so it is sent to set one up.
    log_in(page, base, "keo", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/security/\?next="))
    expect(page.locator("html")).to_have_attribute("lang", "lo")
    expect(page.locator("#two-factor-required")).to_be_visible()
    assert fits(page)
    page.screenshot(path=str(screenshots / "security-required-lo-390.png"), full_page=True)
    page.goto(f"{base}/manage/")  # any organizer page sends it back
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/security/\?next="))

    # The QR code and the key to type; the app's code confirms it.
    page.locator("#set-up-app").click()
    expect(page.locator(".enrol-qr svg")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    qr_png = screenshots / "security-app-qr.png"
    page.locator(".enrol-qr svg").screenshot(path=str(qr_png))
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(qr_png)], capture_output=True, text=True).stdout.strip()
    assert scanned.startswith("otpauth://totp/Prachum%3Akeo?") and f"secret={secret.replace(' ', '')}" in scanned
    assert fits(page)
    page.screenshot(path=str(screenshots / "security-app-lo-390.png"), full_page=True)
    page.locator("#id_code").fill(app_code(secret))
    page.locator("#confirm-app").click()

    # Ten recovery codes, once.
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/security/recovery-codes/"))
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    assert fits(page)
    page.screenshot(path=str(screenshots / "security-recovery-codes-lo-390.png"), full_page=True)
    page.locator("#recovery-codes-kept").click()
    expect(page).to_have_url(f"{base}/manage/")
    assert TOTPDevice.objects.get(user=organizer).confirmed
    assert StaticToken.objects.filter(device__user=organizer).count() == 10

    # Next time: password, then the app's code.
    log_out(page)
    log_in(page, base, "keo", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/login/second-step/\?next="))
    page.locator("#id_code").fill("000000")
    page.locator("#verify-code").click()
    expect(page.locator("#id_code_errors")).to_be_visible()
    assert fits(page)
    page.screenshot(path=str(screenshots / "second-step-wrong-lo-390.png"), full_page=True)
    time.sleep(1.1)  # django-otp waits a second after a wrong code
    page.locator("#id_code").fill(app_code(secret, steps_ahead=1))  # the code of the enrolment is spent
    page.locator("#verify-code").click()
    expect(page).to_have_url(f"{base}/manage/")

    # Without the phone: a recovery code, which is then spent.
    log_out(page)
    log_in(page, base, "keo", DEFAULT_PASSWORD)
    page.locator("#id_code").fill(codes[3])
    page.locator("#verify-code").click()
    expect(page).to_have_url(f"{base}/manage/")
    expect(page.locator(".message--warning")).to_contain_text("9")
    page.screenshot(path=str(screenshots / "recovery-code-used-lo-390.png"), full_page=True)
    assert StaticToken.objects.filter(device__user=organizer).count() == 9
    log_out(page)
    log_in(page, base, "keo", DEFAULT_PASSWORD)
    page.locator("#id_code").fill(codes[3])
    page.locator("#verify-code").click()
    expect(page.locator("#id_code_errors")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/login/second-step/"))


def test_an_organizer_adds_a_passkey_and_logs_in_with_it(live_server, organizer, screenshots, chromium):
    from playwright.sync_api import expect

    base = f"{live_server.url}/lo"
    context = chromium.new_context(viewport=PHONE, locale="lo-LA")
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True, "automaticPresenceSimulation": True,
    }})

    log_in(page, base, "keo", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/security/\?next="))
    page.locator("#passkey-register-button").click()
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/security/recovery-codes/"))
    assert page.locator("#recovery-codes code").count() == 10
    page.locator("#recovery-codes-kept").click()
    expect(page).to_have_url(f"{base}/manage/")
    assert WebAuthnCredential.objects.filter(user=organizer, confirmed=True).count() == 1

    log_out(page)
    log_in(page, base, "keo", DEFAULT_PASSWORD)
    expect(page).to_have_url(re.compile(rf"{re.escape(base)}/accounts/login/second-step/\?next="))
    assert fits(page)
    page.screenshot(path=str(screenshots / "second-step-passkey-lo-390.png"), full_page=True)
    page.locator("#passkey-verification-button").click()
    expect(page).to_have_url(f"{base}/manage/")
    assert WebAuthnCredential.objects.get(user=organizer).last_used_at is not None


def test_a_forgotten_password_is_chosen_again_through_the_email(settings, live_server, mail_server, screenshots,
                                                                 chromium):
    from playwright.sync_api import expect

    settings.PRACHUM_BASE_URL = live_server.url
    settings.PRACHUM_DELIVERY = "inline"
    user = make_user(username="noy", email="noy@mpt.gov.la", first_name="ນ້ອຍ", language="lo")
    base = f"{live_server.url}/lo"
    page = chromium.new_context(viewport=PHONE, locale="lo-LA").new_page()

    page.goto(f"{base}/accounts/login/")
    page.locator("#forgot-password").click()
    expect(page).to_have_url(f"{base}/accounts/password_reset/")
    page.locator("#id_email").fill("NOY@mpt.gov.la")
    page.locator("#send-reset-link").click()
    expect(page.locator("#reset-sent")).to_be_visible()
    assert fits(page)
    page.screenshot(path=str(screenshots / "password-reset-sent-lo-390.png"), full_page=True)

    [email] = mail_server.wait_for(1)
    assert email["To"] == "noy@mpt.gov.la"
    text = email.get_body(("plain",)).get_content()
    assert "ນ້ອຍ" in text and "noy" in text
    link = re.search(rf"{re.escape(live_server.url)}/lo/accounts/reset/\S+/", text).group(0)

    page.goto(link)
    page.locator("#id_new_password1").fill("short")
    page.locator("#id_new_password2").fill("short")
    page.locator("#save-new-password").click()
    expect(page.locator(".errorlist")).to_be_visible()
    page.screenshot(path=str(screenshots / "password-reset-too-short-lo-390.png"), full_page=True)
    new_password = "ຫຼວງພະບາງ-Noy-2026"
    page.locator("#id_new_password1").fill(new_password)
    page.locator("#id_new_password2").fill(new_password)
    page.locator("#save-new-password").click()
    expect(page).to_have_url(f"{base}/accounts/password-set/")
    user.refresh_from_db()
    assert user.check_password(new_password)

    log_in(page, base, "noy", new_password)
    expect(page).to_have_url(f"{base}/manage/")
