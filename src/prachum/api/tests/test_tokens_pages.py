"""The organizer pages of API tokens (/<lang>/manage/api-tokens/): made with a form, the secret shown once in
the answer to the POST and never again, revoked with a confirmation; only one's own tokens; bad input is a
form error, never a 500."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from prachum.accounts.tests.factories import make_user
from prachum.api.models import ApiToken
from prachum.api.services import create_token
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting

pytestmark = pytest.mark.django_db

BASE = "/en/manage/api-tokens/"
SECRET = re.compile(r"prachum_[A-Za-z0-9_-]{20,}")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world():
    organizer = make_user(username="secretariat")
    mine, not_mine = make_meeting(slug="adgsom"), make_meeting(slug="other")
    MeetingRole.objects.create(meeting=mine, user=organizer, role="manager")
    return organizer, mine, not_mine


def make(client, **data):
    return client.post(f"{BASE}new/", {"name": "Directory sync", "meeting": "", "scope": "read", **data})


def test_making_a_token_shows_its_secret_once_and_lists_it(world):
    organizer, mine, _ = world
    client = logged_in(organizer)
    assert client.get(f"{BASE}new/").status_code == 200
    answer = make(client, meeting=str(mine.pk), scope="write")
    assert answer.status_code == 200
    assert answer["Cache-Control"].startswith("private, no-store") or "no-store" in answer["Cache-Control"]
    secret = SECRET.search(answer.content.decode()).group(0)
    assert "not shown again" in answer.content.decode()
    token = ApiToken.objects.get()
    assert (token.owner, token.meeting, token.scope, token.name) == (organizer, mine, "write", "Directory sync")
    assert secret not in answer.get("Location", "") and secret not in str(dict(client.session))
    assert Client().get("/api/v1/meetings/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    listing = client.get(BASE).content.decode()
    assert "Directory sync" in listing and token.prefix in listing and secret not in listing
    for page in (BASE, f"{BASE}new/", f"{BASE}{token.pk}/revoke/", "/en/manage/"):
        assert secret not in client.get(page).content.decode()


def test_a_token_for_all_my_meetings_reads_only(world):
    organizer, _mine, _ = world
    client = logged_in(organizer)
    assert make(client).status_code == 200
    token = ApiToken.objects.get()
    assert token.meeting is None and token.scope == "read"
    assert "All my meetings" in client.get(BASE).content.decode()


def test_last_use_is_shown(world):
    organizer, _mine, _ = world
    token, secret = create_token(owner=organizer, name="website", scope="read")
    client = logged_in(organizer)
    assert "Never" in client.get(BASE).content.decode()
    Client().get("/api/v1/meetings/", HTTP_AUTHORIZATION=f"Bearer {secret}")
    token.refresh_from_db()
    page = client.get(BASE).content.decode()
    row = re.search(rf'<tr id="token-{token.pk}".*?</tr>', page, re.S).group(0)
    assert "Never" not in row
    shown = re.search(r'class="token-last-used"><time datetime="([^"]+)"', row).group(1)
    assert shown[:16] == token.last_used_at.astimezone(timezone.get_current_timezone()).isoformat()[:16]


def test_revoking_asks_first_then_refuses_the_token(world):
    organizer, _mine, _ = world
    token, secret = create_token(owner=organizer, name="website", scope="read")
    client = logged_in(organizer)
    confirm = client.get(f"{BASE}{token.pk}/revoke/")
    assert confirm.status_code == 200 and b'id="confirm-revoke"' in confirm.content
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET changes nothing
    answer = client.post(f"{BASE}{token.pk}/revoke/")
    assert answer.status_code == 302 and answer["Location"] == BASE
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/meetings/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert f'id="revoke-{token.pk}"'.encode() not in client.get(BASE).content
    assert client.post(f"{BASE}{token.pk}/revoke/").status_code == 302  # twice: no error


def test_other_peoples_tokens_are_invisible_and_not_revocable(world):
    organizer, mine, _ = world
    colleague = make_user()
    MeetingRole.objects.create(meeting=mine, user=colleague, role="owner")
    theirs, _secret = create_token(owner=colleague, name="their secret system", scope="write")
    client = logged_in(organizer)
    assert "their secret system" not in client.get(BASE).content.decode()
    assert client.get(f"{BASE}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{BASE}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{BASE}999999/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    # Not even a site administrator revokes another person's token here.
    admin = logged_in(make_user(is_superuser=True))
    assert admin.post(f"{BASE}{theirs.pk}/revoke/").status_code == 404


def test_without_a_role_the_pages_are_refused(world):
    nobody = logged_in(make_user())
    for page in (BASE, f"{BASE}new/"):
        assert nobody.get(page).status_code == 403
    assert make(nobody).status_code == 403
    checkin_only = make_user()
    MeetingRole.objects.create(meeting=world[1], user=checkin_only, role="checkin")
    assert logged_in(checkin_only).get(BASE).status_code == 403
    assert ApiToken.objects.count() == 0
    anonymous = Client().get(BASE)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_a_focal_point_and_a_site_admin_may_make_tokens(world):
    from prachum.registration.tests.factories import make_delegation, make_focal_point

    _organizer, mine, not_mine = world
    focal_point = make_focal_point(make_delegation(mine))
    assert logged_in(focal_point).get(BASE).status_code == 200
    admin = logged_in(make_user(is_superuser=True))
    assert make(admin, meeting=str(not_mine.pk)).status_code == 200


@pytest.mark.parametrize("data, field", [
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "tab\there"}, "name"),
    ({"name": "bidi\u202ename"}, "name"),
    ({"scope": "admin"}, "scope"),
    ({"scope": ""}, "scope"),
    ({"meeting": "not-a-number"}, "meeting"),
    ({"meeting": "99999999999999999999999"}, "meeting"),
])
def test_bad_input_is_a_form_error(world, data, field):
    organizer, _mine, _ = world
    answer = make(logged_in(organizer), **data)
    assert answer.status_code == 400
    assert f'id="id_{field}_errors"'.encode() in answer.content
    assert ApiToken.objects.count() == 0


def test_a_meeting_without_a_role_is_a_form_error(world):
    organizer, _mine, not_mine = world
    answer = make(logged_in(organizer), meeting=str(not_mine.pk))
    assert answer.status_code == 400 and b'id="id_meeting_errors"' in answer.content
    assert ApiToken.objects.count() == 0


def test_hostile_and_repeated_fields_do_not_break_the_form(world):
    organizer, mine, _ = world
    client = logged_in(organizer)
    answer = client.post(f"{BASE}new/", {"name": ["first", "<script>alert(1)</script>"], "scope": ["write", "read"],
                                         "meeting": ["x", str(mine.pk)]})
    assert answer.status_code == 200  # the last value of each counts, as Django reads a form
    assert b"<script>alert(1)</script>" not in answer.content and b"&lt;script&gt;" in answer.content
    assert ApiToken.objects.get().scope == "read"
    assert client.post(f"{BASE}new/", b"\xff\xfe garbage", content_type="application/x-www-form-urlencoded").status_code == 400
    assert client.put(f"{BASE}new/").status_code == 405
    assert client.post(BASE).status_code == 405


def test_the_form_sent_again_makes_no_second_token(world):
    """A reload of the page that showed the secret sends the same form again: the first token stands, no second."""
    organizer, _mine, _other = world
    client = Client()
    client.force_login(organizer)
    key = re.search(r'name="form_key" value="([^"]+)"', client.get(f"{BASE}new/").content.decode()).group(1)
    first = make(client, form_key=key)
    secret = re.search(r"prachum_[A-Za-z0-9_-]{20,}", first.content.decode()).group(0)
    again = make(client, form_key=key)
    assert again.status_code == 302 and again["Location"].endswith("/manage/api-tokens/")
    assert ApiToken.objects.count() == 1
    shown = client.get(again["Location"]).content.decode()
    assert "was made when this form was first sent" in shown and secret not in shown
    assert make(client, form_key="").status_code == 200 and ApiToken.objects.count() == 2  # no key: as before
    assert make(client, form_key="<bad key>").status_code == 200 and ApiToken.objects.count() == 3
