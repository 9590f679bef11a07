"""The API's frame: a token acts as its owner, narrowed to its meeting and its scope; errors are problem details
in the request's language; the schema is OpenAPI 3.1 and the docs page reads it from our own static files."""

import pytest
from django.core.cache import cache
from django.test import Client

from prachum.accounts.tests.factories import make_user
from prachum.api.models import ApiToken
from prachum.api.services import create_token, revoke_token
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def organizer():
    user = make_user()
    return user


@pytest.fixture
def meetings(organizer):
    mine, other, not_mine = make_meeting(), make_meeting(), make_meeting()
    for meeting in (mine, other):
        MeetingRole.objects.create(meeting=meeting, user=organizer, role="manager")
    return mine, other, not_mine


def test_a_token_lists_the_meetings_its_owner_has_a_role_at(organizer, meetings):
    mine, other, not_mine = meetings
    _token, secret = create_token(owner=organizer, name="directory sync", scope="read")
    answer = Client().get("/api/v1/meetings/", **bearer(secret))
    assert answer.status_code == 200
    assert {m["slug"] for m in answer.json()["results"]} == {mine.slug, other.slug}
    assert set(answer.json()["results"][0]["title"]) == {"lo", "en"}
    assert ApiToken.objects.get().last_used_at is not None


def test_a_meetings_token_reaches_that_meeting_only(organizer, meetings):
    mine, other, _not_mine = meetings
    _token, secret = create_token(owner=organizer, name="website", scope="read", meeting=mine)
    client = Client()
    assert [m["slug"] for m in client.get("/api/v1/meetings/", **bearer(secret)).json()["results"]] == [mine.slug]
    answer = client.get(f"/api/v1/meetings/{other.slug}/", **bearer(secret), HTTP_ACCEPT_LANGUAGE="lo")
    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["status"] == 403 and problem["code"] == "other_meeting"
    assert problem["detail"] != "This token is for another meeting."  # in Lao


def test_no_role_at_the_meeting_is_refused(organizer, meetings):
    _mine, _other, not_mine = meetings
    _token, secret = create_token(owner=organizer, name="x", scope="read")
    answer = Client().get(f"/api/v1/meetings/{not_mine.slug}/", **bearer(secret))
    assert (answer.status_code, answer.json()["code"]) == (403, "no_role")


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer prachum_nope", "Token abc", "Bearer " + "x" * 5000])
def test_without_a_live_token_401_as_a_problem(header):
    extra = {"HTTP_AUTHORIZATION": header} if header else {}
    answer = Client().get("/api/v1/meetings/", **extra)
    assert answer.status_code == 401
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["status"] == 401
    assert answer["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(organizer, meetings):
    token, secret = create_token(owner=organizer, name="x", scope="write")
    revoke_token(token_id=token.pk, actor=organizer)
    assert Client().get("/api/v1/meetings/", **bearer(secret)).status_code == 401


def test_the_secret_is_not_stored(organizer):
    token, secret = create_token(owner=organizer, name="x", scope="read")
    assert secret not in (token.token_hash, token.prefix) and secret.startswith(token.prefix)


def test_the_schema_is_openapi_3_1_and_the_docs_page_uses_local_scripts():
    client = Client()
    schema = client.get("/api/v1/schema/?format=json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.1")
    assert "/api/v1/meetings/" in schema.json()["paths"]
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    assert b"cdn.jsdelivr" not in page.content and b"/static/" in page.content


def test_each_token_has_its_own_rate_and_beyond_it_429_with_retry_after(organizer, meetings, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/min"}}
    cache.clear()  # counts of earlier tests' tokens, whose ids these may reuse
    _a, busy = create_token(owner=organizer, name="busy", scope="read")
    _b, quiet = create_token(owner=organizer, name="quiet", scope="read")
    client = Client()
    assert [client.get("/api/v1/meetings/", **bearer(busy)).status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/meetings/", **bearer(busy), HTTP_ACCEPT_LANGUAGE="lo")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused["Content-Type"] == "application/problem+json" and refused.json()["title"] == "ຄຳຮ້ອງຂໍຫຼາຍເກີນໄປ."
    assert client.get("/api/v1/meetings/", **bearer(quiet)).status_code == 200
