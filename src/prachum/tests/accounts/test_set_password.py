"""Choosing a password through the link of a role invitation (accounts.services, accounts.views)."""

import re

import pytest
from django.db import transaction

from prachum.accounts.services import find_or_create_user, queue_role_invitation, set_password_url
from prachum.meetings.models import Role
from prachum.meetings.tests.factories import make_meeting, make_user
from prachum.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(settings):
    settings.PRACHUM_BASE_URL = "http://testserver"
    user, created = find_or_create_user(email="Focal.VN@Example.org", language="lo")
    assert created and user.email == "focal.vn@example.org" and not user.has_usable_password()
    return user


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_the_link_leaves_the_address_and_sets_the_password_once(client, invited):
    url = path_of(set_password_url(invited, "lo"))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    page = client.get(response["Location"])
    assert "ຕັ້ງລະຫັດຜ່ານຂອງທ່ານ" in page.content.decode() and "focal.vn@example.org" in page.content.decode()
    done = client.post(response["Location"], {"new_password1": "ວຽງຈັນ-Hanoi-2026!", "new_password2": "ວຽງຈັນ-Hanoi-2026!"})
    assert done["Location"] == "/lo/accounts/password-set/"
    invited.refresh_from_db()
    assert invited.check_password("ວຽງຈັນ-Hanoi-2026!")
    again = client.get(url, follow=True)
    assert "ລິ້ງນີ້ໃຊ້ບໍ່ໄດ້ອີກແລ້ວ" in again.content.decode()


def test_wrong_and_weak_passwords_are_refused_in_the_pages_language(client, invited):
    response = client.get(path_of(set_password_url(invited, "en")))
    form_url = response["Location"]
    page = client.post(form_url, {"new_password1": "a long pass phrase 1", "new_password2": "another one"}).content.decode()
    assert "The two password fields didn’t match." in page
    page = client.post(form_url, {"new_password1": "12345678", "new_password2": "12345678"}).content.decode()
    assert "This password is too common." in page or "entirely numeric" in page
    invited.refresh_from_db()
    assert not invited.has_usable_password()


def test_a_made_up_link_is_refused(client):
    page = client.get("/lo/accounts/set-password/MTIz/abc-def/", follow=True).content.decode()
    assert "ລິ້ງນີ້ໃຊ້ບໍ່ໄດ້ອີກແລ້ວ" in page


def test_the_invitation_is_written_in_the_users_language_without_the_token_in_the_subject(invited):
    meeting = make_meeting(title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM")
    with transaction.atomic():
        message = queue_role_invitation(user=invited, meeting=meeting, role_label=Role.REVIEWER.label,
                                        invited_by=make_user(first_name="Meeting", last_name="Secretariat"))
    assert message.language == "lo" and message.subject == "ບົດບາດຂອງທ່ານໃນ ກອງປະຊຸມ ADGSOM ໃນ Prachum"
    assert "ຜູ້ພິຈາລະນາ" in message.body_text and "Meeting Secretariat" in message.body_text
    assert re.search(r"/lo/accounts/set-password/[^/]+/[^/]+/", message.body_text)
    assert "set-password" in message.body_html and Message.objects.count() == 1


def test_an_email_that_names_another_account_gets_a_distinct_user_name():
    make_user(username="x@example.org", email="other@example.org")
    user, created = find_or_create_user(email="X@example.org")
    assert created and user.username != "x@example.org" and user.email == "x@example.org"
