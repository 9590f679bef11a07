"""The login's second step (accounts.two_factor, accounts.middleware, accounts.login_views) with Django's
test client: who is made to set one up, what an app code and a recovery code do, and that the organizer
pages, the account's security page and Django's admin stay shut until the second factor is given."""

import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from prachum.accounts import two_factor
from prachum.accounts.tests.factories import DEFAULT_PASSWORD
from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _second_step_on(settings):
    settings.PRACHUM_REQUIRE_2FA = "organizers"


def code_of(device, offset=0) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset):06d}"


def organizer(role=Role.MANAGER, **fields):
    user = make_user(**fields)
    MeetingRole.objects.create(meeting=make_meeting(), user=user, role=role)
    return user


def log_in(client, user, next_url="/en/manage/"):
    return client.post(f"/en/accounts/login/?next={next_url}", {"username": user.username, "password": DEFAULT_PASSWORD})


def enrol_app(user):
    device = two_factor.start_app_enrolment(user=user)
    device, codes = two_factor.confirm_app_enrolment(user=user, device_id=device.pk, code=code_of(device))
    return device, codes


@pytest.mark.parametrize("policy, role, superuser, must", [
    ("organizers", Role.MANAGER, False, True),
    ("organizers", Role.OWNER, False, True),
    ("organizers", Role.REVIEWER, False, True),
    ("organizers", Role.CHECKIN, False, False),
    ("organizers", None, True, True),
    ("administrators", Role.MANAGER, False, False),
    ("administrators", None, True, True),
    ("off", None, True, False),
])
def test_who_must_use_a_second_factor_follows_the_setting(settings, policy, role, superuser, must):
    settings.PRACHUM_REQUIRE_2FA = policy
    user = organizer(role) if role else make_user(is_superuser=superuser)
    assert two_factor.must_use_two_factor(user) is must


def test_an_organizer_without_a_device_is_sent_to_set_one_up_before_any_organizer_page(client):
    user = organizer()
    response = log_in(client, user)
    assert response.status_code == 302 and response["Location"] == "/en/accounts/security/?next=%2Fen%2Fmanage%2F"
    for url in ("/en/manage/", "/en/manage/outbox/", "/en/manage/accounts/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/en/accounts/security/?next="), url
    page = client.get("/en/accounts/security/?next=/en/manage/")
    assert page.status_code == 200 and 'id="two-factor-required"' in page.content.decode()


def test_setting_up_an_app_shows_a_qr_code_and_recovery_codes_once(client):
    user = organizer()
    log_in(client, user)
    page = client.get("/en/accounts/security/app/?next=/en/manage/").content.decode()
    assert "<svg" in page and 'id="totp-secret"' in page and "<script" not in page.split("<main")[1]
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post("/en/accounts/security/app/", {"code": "000000", "next": "/en/manage/"})
    assert wrong.status_code == 200 and "This code is not right" in wrong.content.decode()
    time.sleep(1.1)  # django-otp refuses any code for 1 s after one wrong code, 2 s after two, …
    done = client.post("/en/accounts/security/app/", {"code": code_of(device), "next": "/en/manage/"})
    assert done["Location"] == "/en/accounts/security/recovery-codes/?next=%2Fen%2Fmanage%2F"
    codes_page = client.get(done["Location"]).content.decode()
    assert codes_page.count("<code>") == 10
    assert client.get(done["Location"])["Location"].startswith("/en/accounts/security/")  # shown once
    assert client.get("/en/manage/").status_code == 200  # this session gave its second factor
    assert TOTPDevice.objects.get(user=user).confirmed and StaticToken.objects.filter(device__user=user).count() == 10
    assert AuditEvent.objects.filter(kind="account.two_factor_added", actor=user).exists()


def test_the_next_login_asks_for_an_app_code_and_a_wrong_one_is_refused(client):
    user = organizer()
    device, _codes = enrol_app(user)
    response = log_in(client, user)
    assert response["Location"] == "/en/accounts/login/second-step/?next=%2Fen%2Fmanage%2F"
    assert client.get("/en/manage/")["Location"].startswith("/en/accounts/login/second-step/")
    # With a password alone, no other second factor can be added.
    assert client.get("/en/accounts/security/app/")["Location"].startswith("/en/accounts/login/second-step/")
    wrong = client.post("/en/accounts/login/second-step/", {"code": "123456", "next": "/en/manage/"})
    assert "This code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # the failure is counted even though the step is refused
    device.throttling_failure_count, device.throttling_failure_timestamp = 0, None
    device.save()
    session_key = client.session.session_key
    ok = client.post("/en/accounts/login/second-step/", {"code": code_of(device, offset=1), "next": "/en/manage/"})
    assert ok["Location"] == "/en/manage/"
    assert client.session.session_key != session_key
    assert client.get("/en/manage/").status_code == 200


def test_a_recovery_code_lets_in_once(client):
    user = organizer()
    _device, codes = enrol_app(user)
    log_in(client, user)
    ok = client.post("/en/accounts/login/second-step/", {"code": codes[0].upper().replace("-", " "), "next": "/en/manage/"})
    assert ok["Location"] == "/en/manage/"
    assert two_factor.recovery_codes_left(user) == 9
    assert AuditEvent.objects.filter(kind="account.recovery_code_used", actor=user).exists()
    client.post("/en/accounts/logout/")
    log_in(client, user)
    again = client.post("/en/accounts/login/second-step/", {"code": codes[0], "next": "/en/manage/"})
    assert again.status_code == 200 and "This code is not right" in again.content.decode()


def test_a_checkin_volunteer_is_not_made_to_set_one_up(client):
    user = organizer(Role.CHECKIN)
    response = log_in(client, user)
    assert response["Location"] == "/en/manage/"
    assert client.get("/en/manage/").status_code == 200


def test_with_the_setting_off_an_account_that_has_a_device_is_still_asked_for_it(client, settings):
    settings.PRACHUM_REQUIRE_2FA = "off"
    user = organizer()
    enrol_app(user)
    assert log_in(client, user)["Location"].startswith("/en/accounts/login/second-step/")


def test_a_role_given_during_a_session_asks_for_the_second_step_within_a_minute(client):
    user = make_user()
    log_in(client, user)
    assert client.get("/en/manage/").status_code == 200
    MeetingRole.objects.create(meeting=make_meeting(), user=user, role=Role.OWNER)
    session = client.session
    session["prachum_no_second_step_at"] = int(time.time()) - 61
    session.save()
    assert client.get("/en/manage/")["Location"].startswith("/en/accounts/security/")


def test_the_admin_opens_only_after_the_second_step(client, settings):
    settings.PRACHUM_REQUIRE_2FA = "off"  # the admin asks for it whatever the setting
    admin = make_user(is_superuser=True)
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    login = client.get("/admin/login/?next=/admin/")
    assert login["Location"] == "/lo/accounts/login/?next=%2Fadmin%2F"
    log_in(client, admin, "/admin/")
    response = client.get("/admin/", follow=True)
    assert "/accounts/security/?next=" in response.redirect_chain[-1][0]
    device, _codes = enrol_app(admin)
    client.post("/en/accounts/logout/")
    log_in(client, admin, "/admin/")
    client.post("/en/accounts/login/second-step/", {"code": code_of(device, offset=1), "next": "/admin/"})
    assert client.get("/admin/").status_code == 200


def test_the_admin_refuses_a_password_posted_to_its_own_login_form(client):
    admin = make_user(is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": admin.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/lo/accounts/login/")
    assert "_auth_user_id" not in client.session
