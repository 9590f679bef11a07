"""The limits around the login: a forgotten password by email (through the outbox, to a real SMTP server),
the passwords accepted, the session's idle and absolute limits, and password guessing spread over many
usernames from one address (django-axes with accounts.lockout)."""

import re
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils import translation

from prachum.accounts.tests.factories import DEFAULT_PASSWORD, make_user
from prachum.notify.models import Message

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "ວຽງຈັນ-ນ້ຳງື່ມ-2026"


@pytest.fixture
def mail(settings, mail_server):
    settings.PRACHUM_DELIVERY = "inline"
    settings.PRACHUM_BASE_URL = "http://testserver"
    return mail_server


def test_the_address_the_lockout_page_and_the_docs_give_exists_in_both_languages(client):
    response = client.get("/accounts/password_reset/")
    assert response.status_code == 302 and response["Location"] == "/lo/accounts/password_reset/"
    assert client.get("/lo/accounts/password_reset/").status_code == 200
    assert client.get("/en/accounts/password_reset/").status_code == 200
    assert 'href="/en/accounts/password_reset/"' in client.get("/en/accounts/login/").content.decode()


def test_a_forgotten_password_is_chosen_again_through_the_emailed_link(client, mail):
    user = make_user(username="keo", email="Keo@mpt.gov.la", first_name="ເກດ", language="en")
    response = client.post("/lo/accounts/password_reset/", {"email": "KEO@MPT.GOV.LA"})
    assert response["Location"] == "/lo/accounts/password_reset/sent/"
    [email] = mail.wait_for(1)
    assert email["To"] == "Keo@mpt.gov.la"
    text = email.get_body(("plain",)).get_content()
    assert "ເກດ" in text and "keo" in text  # in Lao, the page's language, with the user name
    assert Message.objects.get(kind="account.password_reset").language == "lo"
    link = re.search(r"http://testserver(/lo/accounts/reset/\S+/)", text).group(1)
    form_page = client.get(link, follow=True)
    form_url = form_page.redirect_chain[-1][0]
    short = client.post(form_url, {"new_password1": "short-1", "new_password2": "short-1"})
    assert short.status_code == 200
    assert "12" in short.content.decode()  # the minimum length, said in Lao (see the validators' test)
    done = client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/lo/accounts/password-set/"
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert 'id="link-expired"' in client.get(link, follow=True).content.decode()  # used once: no longer works


def test_the_reset_page_says_the_same_whether_the_email_has_an_account_or_not(client, mail):
    make_user(email="known@mpt.gov.la")
    known = client.post("/en/accounts/password_reset/", {"email": "known@mpt.gov.la"})
    unknown = client.post("/en/accounts/password_reset/", {"email": "nobody@mpt.gov.la"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).content == client.get(unknown["Location"]).content
    assert [m["To"] for m in mail.wait_for(1)] == ["known@mpt.gov.la"]
    assert not Message.objects.filter(to_email="nobody@mpt.gov.la").exists()


def test_an_invited_account_that_never_chose_a_password_can_ask_for_the_link_again(client, mail):
    user = make_user(email="invited@mpt.gov.la")
    user.set_unusable_password()
    user.save()
    client.post("/en/accounts/password_reset/", {"email": "invited@mpt.gov.la"})
    assert mail.wait_for(1)[0]["To"] == "invited@mpt.gov.la"


def test_asking_many_times_from_one_address_sends_only_a_few(client, mail, settings):
    settings.PRACHUM_RATELIMIT_PASSWORD_RESET = "2/m"
    make_user(email="flooded@mpt.gov.la")
    for _ in range(5):
        assert client.post("/en/accounts/password_reset/", {"email": "flooded@mpt.gov.la"}).status_code == 302
    assert Message.objects.filter(to_email="flooded@mpt.gov.la").count() == 2


@pytest.mark.parametrize("password, code", [
    ("eleven-char", "password_too_short"),
    ("password1234", "password_too_common"),
    ("somchai.phommachanh", "password_too_similar"),
    ("123456789012345", "password_entirely_numeric"),
])
def test_weak_passwords_are_refused_with_a_lao_reason(password, code):
    user = get_user_model()(username="somchai.phommachanh", email="somchai.phommachanh@mpt.gov.la")
    with translation.override("lo"), pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert code in [error.code for error in refused.value.error_list]
    assert all(re.search("[\u0e80-\u0eff]", message) for message in refused.value.messages)
    validate_password(NEW_PASSWORD, user)


def test_a_session_unused_for_longer_than_the_idle_limit_ends_on_the_login_page(client, settings):
    settings.PRACHUM_SESSION_IDLE_SECONDS = 600
    user = make_user(username="somchai")
    client.post("/lo/accounts/login/", {"username": "somchai", "password": DEFAULT_PASSWORD})
    assert client.get("/lo/manage/").status_code == 200
    session = client.session
    session["prachum_last_seen_at"] -= 601
    session.save()
    response = client.get("/lo/manage/")
    assert response.status_code == 302 and response["Location"] == "/lo/accounts/login/?next=/lo/manage/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert 'session-ended' in page
    assert user.pk


def test_a_session_in_use_ends_anyway_once_it_is_older_than_its_absolute_age(client, settings):
    settings.SESSION_COOKIE_AGE = 3600
    make_user(username="somchai")
    client.post("/en/accounts/login/", {"username": "somchai", "password": DEFAULT_PASSWORD})
    session = client.session
    session["prachum_logged_in_at"] -= 3601
    session["prachum_last_seen_at"] = int(time.time())
    session.save()
    response = client.get("/en/manage/")
    assert response["Location"] == "/en/accounts/login/?next=/en/manage/"


def test_guesses_spread_over_eight_usernames_from_one_address_are_refused(client):
    users = [make_user(username=f"officer{n}") for n in range(9)]
    statuses = []
    for n in range(8):
        for guess in range(3):  # below the 5 per username
            statuses.append(client.post("/en/accounts/login/", {
                "username": f"officer{n}", "password": f"guess {guess}"}).status_code)
    assert statuses[:19] == [200] * 19 and set(statuses[19:]) == {429}  # the 20th failure locks the address
    # Even a right password is refused from this address now …
    response = client.post("/en/accounts/login/", {"username": "officer8", "password": DEFAULT_PASSWORD})
    assert response.status_code == 429 and "_auth_user_id" not in client.session
    # … but not from another one.
    other = client.post("/en/accounts/login/", {"username": "officer8", "password": DEFAULT_PASSWORD},
                        REMOTE_ADDR="192.0.2.77")
    assert other.status_code == 302 and users


def test_a_colleagues_typos_from_the_same_office_do_not_lock_the_others(client):
    make_user(username="noy")
    make_user(username="keo")
    for guess in range(4):
        client.post("/en/accounts/login/", {"username": "noy", "password": f"typo {guess}"})
    assert client.post("/en/accounts/login/", {"username": "keo", "password": DEFAULT_PASSWORD}).status_code == 302


def test_logging_into_ones_own_account_does_not_clear_the_guesses_at_others(client):
    make_user(username="guesser")
    for n in range(19):
        client.post("/en/accounts/login/", {"username": f"victim{n % 6}", "password": "guess"})
    assert client.post("/en/accounts/login/", {"username": "guesser", "password": DEFAULT_PASSWORD}).status_code == 302
    client.post("/en/accounts/logout/")
    assert client.post("/en/accounts/login/", {"username": "victim0", "password": "guess"}).status_code == 429
