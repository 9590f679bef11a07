"""Site administration's pages (/<lang>/manage/accounts/), the organizer page's links to them, the 403 pages
that say what is missing and who grants it, and invitations in the language their sender chose."""

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.audit.models import AuditEvent
from prachum.jobs.models import Job
from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.tests.factories import DEFAULT_PASSWORD, make_meeting, make_organization, make_user
from prachum.notify.models import Message
from prachum.registration.tests.factories import make_delegation

from prachum.accounts.tests.conftest import give

pytestmark = pytest.mark.django_db

ACCOUNTS = "/en/manage/accounts/"


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def admin_client(client, administrator):
    client.force_login(administrator)
    return client


# -- the accounts page ------------------------------------------------------------------------------

def test_the_accounts_page_lists_accounts_with_their_rights_roles_and_the_trail(admin_client, administrator, organizer):
    meeting = make_meeting()
    MeetingRole.objects.create(meeting=meeting, user=organizer, role=Role.REVIEWER)
    MeetingRole.objects.create(meeting=make_meeting(), user=organizer, role=Role.MANAGER)
    admin_client.post(f"{ACCOUNTS}{organizer.pk}/right/", {"right": "may_create_meetings", "granted": "1"})
    page = text(admin_client.get(ACCOUNTS))
    row = re.search(rf'<tr id="account-{organizer.pk}".*?</tr>', page, re.S).group(0)
    assert "Keo Phommachanh" in row and "keo@example.la" in row
    assert re.search(r'data-label="May create meetings">Yes<', row)
    assert re.search(r'data-label="Site administrator">No', row)
    assert re.search(r'data-label="Last login">Never<', row)
    assert re.search(r'data-label="Meeting roles">2<', row)
    assert 'data-action="deactivate"' in row and 'data-action="revoke-create"' in row
    mine = re.search(rf'<tr id="account-{administrator.pk}".*?</tr>', page, re.S).group(0)
    assert "This is you." in mine and 'data-action="deactivate"' not in mine  # no button to lock oneself out
    trail = page.split('id="trail"')[1]
    assert "Right granted" in trail and "Keo Phommachanh" in trail and "May create meetings" in trail
    assert 'id="account-emails" href="/en/manage/outbox/"' in page  # the invitations sent, or kept without mail


def test_the_accounts_page_in_lao(admin_client, organizer):
    page = text(admin_client.get("/lo/manage/accounts/"))
    assert '<html lang="lo">' in page and "keo@example.la" in page


def test_searching_accounts(admin_client, organizer):
    make_user(email="someone.else@example.org")
    page = text(admin_client.get(ACCOUNTS, {"q": "phomma"}))
    assert "keo@example.la" in page and "someone.else@example.org" not in page


def test_the_pages_need_a_login_and_the_administrator_right(client, organizer):
    assert client.get(ACCOUNTS)["Location"].startswith("/en/accounts/login/")
    client.force_login(organizer)
    for url in (ACCOUNTS, f"{ACCOUNTS}invite/"):
        response = client.get(url)
        assert response.status_code == 403
        assert 'data-refusal="administer_site"' in text(response)


def test_non_administrators_posting_get_403_and_change_nothing(client, administrator, organizer):
    client.force_login(organizer)
    target = make_user()
    for url, data in (
        (f"{ACCOUNTS}invite/", {"email": "x@example.org", "given_name": "X", "language": "en", "administrator": "on"}),
        (f"{ACCOUNTS}{target.pk}/active/", {"active": "0"}),
        (f"{ACCOUNTS}{organizer.pk}/right/", {"right": "administrator", "granted": "1"}),
        (f"{ACCOUNTS}{target.pk}/resend/", {}),
    ):
        assert client.post(url, data).status_code == 403
    assert fresh(target).is_active and not is_site_administrator(fresh(organizer))
    assert not get_user_model().objects.filter(email="x@example.org").exists() and not Message.objects.exists()


def test_posts_without_the_csrf_token_are_refused(administrator, organizer):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(administrator)
    assert client.post(f"{ACCOUNTS}{organizer.pk}/active/", {"active": "0"}).status_code == 403
    assert client.post(f"{ACCOUNTS}invite/", {"email": "x@example.org", "given_name": "X", "language": "en"}).status_code == 403
    assert fresh(organizer).is_active and not get_user_model().objects.filter(email="x@example.org").exists()


# -- inviting ----------------------------------------------------------------------------------------

def test_inviting_an_organizer_from_the_page(admin_client, settings):
    settings.PRACHUM_BASE_URL = "http://testserver"
    page = text(admin_client.get("/lo/manage/accounts/invite/"))
    for field_id in ("id_email", "id_given_name", "id_family_name", "id_language_0", "id_language_1",
                     "id_may_create_meetings", "id_administrator", "send-invitation"):
        assert f'id="{field_id}"' in page
    assert re.search(r'id="id_language_0"[^>]*checked|checked[^>]*id="id_language_0"', page)  # the page's language
    response = admin_client.post("/lo/manage/accounts/invite/", {
        "email": "Noy@Example.LA", "given_name": "ນ້ອຍ", "family_name": "ສີສຸກ", "language": "en",
        "may_create_meetings": "on"})
    assert response["Location"] == "/lo/manage/accounts/"
    user = get_user_model().objects.get(email="noy@example.la")
    assert may_create_meetings(user) and not is_site_administrator(user) and user.language == "en"
    message = Message.objects.get(to_email="noy@example.la")
    assert message.language == "en" and message.meeting is None
    assert "noy@example.la" in text(admin_client.get("/lo/manage/accounts/"))


def test_bad_input_on_the_invitation_form_is_shown_beside_its_field(admin_client, organizer):
    url = f"{ACCOUNTS}invite/"
    page = text(admin_client.post(url, {"email": "not-an-email", "given_name": "", "language": "xx"}))
    assert "Enter a valid email address." in page and "This field is required." in page
    assert "Select a valid choice." in page and 'value="not-an-email"' in page
    page = text(admin_client.post(url, {"email": "KEO@example.la", "given_name": "Keo", "language": "lo"}))
    assert "An account with this email exists already." in page
    page = text(admin_client.post(url, {"email": "x@example.org", "given_name": "<b>X</b>", "language": "lo"}))
    assert "HTML tags" in page
    assert get_user_model().objects.count() == 2 and not Message.objects.exists()


# -- deactivating, rights ------------------------------------------------------------------------------

def test_deactivating_an_account_logs_it_out_at_its_next_request(admin_client, organizer):
    from django.test import Client

    theirs = Client()
    theirs.force_login(organizer)
    assert theirs.get("/en/manage/").status_code == 200
    response = admin_client.post(f"{ACCOUNTS}{organizer.pk}/active/", {"active": "0"}, follow=True)
    assert "is deactivated and can no longer log in" in text(response)
    assert theirs.get("/en/manage/")["Location"].startswith("/en/accounts/login/")
    login = theirs.post("/en/accounts/login/", {"username": organizer.username, "password": DEFAULT_PASSWORD})
    assert login.status_code == 200 and "Please enter a correct" in text(login)
    admin_client.post(f"{ACCOUNTS}{organizer.pk}/active/", {"active": "1"})
    assert fresh(organizer).is_active


def test_an_administrator_cannot_deactivate_themselves_from_the_page(admin_client, administrator):
    response = admin_client.post(f"{ACCOUNTS}{administrator.pk}/active/", {"active": "0"}, follow=True)
    assert "You cannot deactivate your own account." in text(response)
    response = admin_client.post(f"{ACCOUNTS}{administrator.pk}/right/", {"right": "administrator", "granted": "0"},
                                 follow=True)
    assert "You cannot take away your own administrator right." in text(response)
    assert fresh(administrator).is_active and is_site_administrator(fresh(administrator))
    assert not AuditEvent.objects.filter(kind__startswith="account.").exists()


def test_granting_administrator_and_an_unknown_right(admin_client, organizer):
    response = admin_client.post(f"{ACCOUNTS}{organizer.pk}/right/", {"right": "administrator", "granted": "1"}, follow=True)
    assert "is now a site administrator" in text(response) and is_site_administrator(fresh(organizer))
    assert admin_client.post(f"{ACCOUNTS}{organizer.pk}/right/", {"right": "superuser", "granted": "1"}).status_code == 400
    assert admin_client.get(f"{ACCOUNTS}{organizer.pk}/right/").status_code == 405
    assert admin_client.post(f"{ACCOUNTS}999999/active/", {"active": "0"}).status_code == 404


def test_a_new_link_to_choose_a_password(admin_client, organizer):
    response = admin_client.post(f"{ACCOUNTS}{organizer.pk}/resend/", follow=True)
    assert "A new link to choose a password is sent" in text(response)
    assert Message.objects.get().to_email == "keo@example.la"


# -- the organizer page's links ------------------------------------------------------------------------

def test_my_meetings_links_to_new_copy_and_accounts_by_right(client, administrator, organizer):
    client.force_login(organizer)
    page = text(client.get("/en/manage/"))
    assert 'id="new-meeting"' not in page and 'id="manage-accounts"' not in page
    organizer = give(organizer, "add_meeting")
    page = text(client.get("/en/manage/"))
    assert 'id="new-meeting"' in page and 'href="/en/manage/new/copy/"' in page and 'id="manage-accounts"' not in page
    assert client.get("/en/manage/new/").status_code == 200
    client.force_login(administrator)
    page = text(client.get("/en/manage/"))
    assert 'id="manage-accounts"' in page and 'id="new-meeting"' not in page


# -- 403 pages say what is missing and who grants it ----------------------------------------------------

def test_creating_a_meeting_without_the_right_names_the_administrators(client, administrator, organizer):
    give(make_user(first_name="Former", last_name="Admin", is_active=False), "administer_site")
    client.force_login(organizer)
    for url in ("/en/manage/new/", "/en/manage/new/copy/"):
        response = client.get(url)
        page = text(response)
        assert response.status_code == 403 and 'data-refusal="create_meetings"' in page
        assert "needs the right “may create meetings”. A site administrator grants it." in page
        assert "Site Administrator" in page and "mailto:admin@example.org" in page and "Former Admin" not in page
    assert "Your role at this meeting" not in page
    assert '<html lang="lo">' in text(client.get("/lo/manage/new/"))


def test_a_meeting_page_names_the_capability_and_the_meetings_owners(client, organizer):
    meeting = make_meeting(title_en="ADGSOM")
    owner = make_user(first_name="Meeting", last_name="Owner", email="owner@example.org")
    MeetingRole.objects.create(meeting=meeting, user=owner, role=Role.OWNER)
    MeetingRole.objects.create(meeting=meeting, user=organizer, role=Role.CHECKIN)
    client.force_login(organizer)
    response = client.get(f"/en/manage/{meeting.slug}/setup/")
    page = text(response)
    assert response.status_code == 403 and 'data-refusal="meeting"' in page
    assert "At ADGSOM, this page needs the right to:" in page
    assert "manage this meeting: the role of owner or manager" in page
    assert "The owners and managers of this meeting give its roles." in page
    assert "Meeting Owner" in page and "owner@example.org" in page
    event = AuditEvent.objects.get(kind="access.denied")
    assert event.meeting == meeting and event.actor == organizer


def test_a_meeting_without_owners_sends_people_to_an_administrator(client, administrator, organizer):
    meeting = make_meeting()
    MeetingRole.objects.create(meeting=meeting, user=organizer, role=Role.CHECKIN)
    client.force_login(organizer)
    page = text(client.get(f"/en/manage/{meeting.slug}/setup/"))
    assert 'data-refusal="meeting_without_managers"' in page and "admin@example.org" in page


def test_another_delegation_and_another_persons_job(client, organizer):
    meeting = make_meeting()
    ours = make_delegation(meeting, organization=make_organization(name_en="Japan"))
    theirs = make_delegation(meeting, organization=make_organization(name_en="Viet Nam"))
    MeetingRole.objects.create(meeting=meeting, user=organizer, role=Role.FOCAL_POINT, delegation=ours)
    client.force_login(organizer)
    page = text(client.get(f"/en/manage/{meeting.slug}/delegation/{theirs.pk}/"))
    assert 'data-refusal="delegation"' in page and "This belongs to another delegation." in page
    job = Job.objects.create(kind="exchange.export", function="x.y", created_by=make_user(), meeting=meeting)
    page = text(client.get(f"/en/manage/jobs/{job.pk}/"))
    assert 'data-refusal="job"' in page and "Only the person who started this work" in page


# -- invitations in the language chosen for them ---------------------------------------------------------

@pytest.fixture
def meeting_owner(client):
    owner = make_user(first_name="Meeting", last_name="Secretariat")
    meeting = make_meeting(title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM", default_language="lo")
    MeetingRole.objects.create(meeting=meeting, user=owner, role=Role.OWNER)
    client.force_login(owner)
    return meeting


def test_japans_focal_point_invited_in_english_gets_english_though_their_account_keeps_lao(
        client, meeting_owner, mail_server, settings, django_capture_on_commit_callbacks):
    settings.PRACHUM_DELIVERY = "inline"
    japan = make_organization(code="JP-x", name_en="Japan", name_lo="ຍີ່ປຸ່ນ")
    focal = make_user(email="focal.jp@example.jp", language="lo")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/manage/{meeting_owner.slug}/setup/delegations/", {
            "organization": japan.pk, "quota": "4", "language": "en", "focal_points": "focal.jp@example.jp"})
    assert response.status_code == 302
    [received] = mail_server.wait_for(1)
    assert received["To"] == "focal.jp@example.jp" and received["Subject"] == "Your role at ADGSOM in Prachum"
    body = received.get_body(("plain",)).get_content()
    assert "You are now Focal point of Japan for ADGSOM" in body and "ຍີ່ປຸ່ນ" not in body
    assert fresh(focal).language == "lo"


def test_a_role_given_from_the_roles_page_is_told_in_the_language_chosen(client, meeting_owner, organizer):
    assert organizer.language == "lo"
    response = client.post(f"/en/manage/{meeting_owner.slug}/setup/roles/", {
        "email": organizer.email, "role": "reviewer", "language": "en"})
    assert response.status_code == 302
    message = Message.objects.get(to_email=organizer.email)
    assert message.language == "en" and message.subject == "Your role at ADGSOM in Prachum"


# -- the set-password link and the login, in the person's language ---------------------------------------

class TwoHoursAgo(PasswordResetTokenGenerator):
    def _now(self):
        return datetime.now() - timedelta(hours=2)


def test_an_expired_set_password_link_says_so_in_the_links_language(client, settings, organizer):
    settings.PASSWORD_RESET_TIMEOUT = 60 * 60
    uid = urlsafe_base64_encode(force_bytes(organizer.pk))
    token = TwoHoursAgo().make_token(organizer)
    page = text(client.get(f"/lo/accounts/set-password/{uid}/{token}/", follow=True))
    assert '<html lang="lo">' in page and "ລິ້ງນີ້ໃຊ້ບໍ່ໄດ້ອີກແລ້ວ" in page and "<form" not in page.split("<main")[1]


def test_a_wrong_password_is_said_in_the_pages_language(client, organizer):
    page = text(client.post("/lo/accounts/login/", {"username": organizer.username, "password": "wrong password"}))
    assert '<html lang="lo">' in page and "ກະລຸນາປ້ອນ" in page
    assert "_auth_user_id" not in client.session
