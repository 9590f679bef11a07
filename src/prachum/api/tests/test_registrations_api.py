"""Registrations and a meeting's structure through /api/v1/: the same services and rules as the web pages,
each token seeing what its owner sees, every write audited with the token's name."""

import json

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prachum.api.models import IdempotencyKey
from prachum.api.services import create_token
from prachum.audit.models import AuditEvent
from prachum.meetings.tests.factories import make_category, make_meeting, make_session
from prachum.registration.models import Registration
from prachum.registration.tests.factories import (
    make_delegation, make_focal_point, make_organizer, make_registration, window,
)

pytestmark = pytest.mark.django_db
Status = Registration.Status


def call(method, url, secret=None, body=None, **headers):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    extra.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    client = Client()
    if body is None:
        return getattr(client, method)(url, **extra)
    return getattr(client, method)(url, data=json.dumps(body) if not isinstance(body, (str, bytes)) else body,
                                   content_type="application/json", **extra)


@pytest.fixture
def world():
    meeting = make_meeting(capacity=None, **window())
    category = make_category(meeting)
    mine, theirs = make_delegation(meeting), make_delegation(meeting)
    organizer = make_organizer(meeting)
    focal = make_focal_point(mine)
    other_meeting = make_meeting()
    make_session(meeting)
    ours = make_registration(meeting, category, delegation=mine)
    other = make_registration(meeting, category, delegation=theirs)
    tokens = {
        "read": create_token(owner=organizer, name="reader", scope="read", meeting=meeting)[1],
        "write": create_token(owner=organizer, name="crm", scope="write", meeting=meeting)[1],
        "focal": create_token(owner=focal, name="ministry", scope="write", meeting=meeting)[1],
        "elsewhere": create_token(owner=organizer, name="elsewhere", scope="write", meeting=other_meeting)[1],
    }
    return {"meeting": meeting, "category": category, "mine": mine, "theirs": theirs, "ours": ours,
            "other": other, "tokens": tokens, "base": f"/api/v1/meetings/{meeting.slug}", "organizer": organizer,
            "focal": focal}


def new_person(world, **extra):
    return {"given_name": "Somsak", "family_name": "Vongsa", "email": f"somsak{IdempotencyKey.objects.count()}"
            f"-{Registration.objects.count()}@example.org", "category": world["category"].pk, **extra}


@pytest.mark.parametrize("path", ["sessions/", "categories/", "delegations/", "registrations/"])
def test_reads_by_token(world, path):
    url = f"{world['base']}/{path}"
    t = world["tokens"]
    assert call("get", url).status_code == 401
    assert call("get", url, t["elsewhere"]).status_code == 403
    for name in ("read", "write", "focal"):
        answer = call("get", url, t[name])
        assert answer.status_code == 200, answer.content


def test_delegations_with_quota_use_and_focal_point_sees_own_only(world):
    world["mine"].quota = 3
    world["mine"].save()
    rows = call("get", f"{world['base']}/delegations/", world["tokens"]["read"]).json()
    assert {r["id"] for r in rows} == {world["mine"].pk, world["theirs"].pk}
    mine = next(r for r in rows if r["id"] == world["mine"].pk)
    assert (mine["quota"], mine["seats_taken"]) == (3, 1)
    rows = call("get", f"{world['base']}/delegations/", world["tokens"]["focal"]).json()
    assert [r["id"] for r in rows] == [world["mine"].pk]


def test_list_filters_and_focal_point_visibility(world):
    url = f"{world['base']}/registrations/"
    all_ids = {r["id"] for r in call("get", url, world["tokens"]["read"]).json()["results"]}
    assert all_ids == {world["ours"].pk, world["other"].pk}
    by_delegation = call("get", f"{url}?delegation={world['theirs'].pk}", world["tokens"]["read"]).json()
    assert [r["id"] for r in by_delegation["results"]] == [world["other"].pk]
    assert call("get", f"{url}?status=approved", world["tokens"]["read"]).json()["results"] == []
    found = call("get", f"{url}?q={world['ours'].given_name.split()[1]}", world["tokens"]["read"]).json()
    assert world["ours"].pk in {r["id"] for r in found["results"]}
    mine = call("get", url, world["tokens"]["focal"]).json()["results"]
    assert [r["id"] for r in mine] == [world["ours"].pk]
    assert call("get", f"{url}{world['other'].pk}/", world["tokens"]["focal"]).status_code == 404
    assert call("get", f"{url}{world['ours'].pk}/", world["tokens"]["focal"]).status_code == 200
    bad = call("get", f"{url}?status=nonsense", world["tokens"]["read"])
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "status"


def test_cursor_pages(world):
    for _ in range(5):
        make_registration(world["meeting"], world["category"])
    url = f"{world['base']}/registrations/?page_size=3"
    seen = []
    while url:
        page = call("get", url, world["tokens"]["read"]).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 7


def test_detail_never_shows_the_private_link(world):
    body = call("get", f"{world['base']}/registrations/{world['ours'].pk}/", world["tokens"]["read"]).json()
    assert not {"manage_token", "manage_token_hash", "manage_url", "client_token", "badge_code"} & set(body)
    other = make_registration(make_meeting())
    assert call("get", f"{world['base']}/registrations/{other.pk}/", world["tokens"]["read"]).status_code == 404


def test_create_as_organizer_and_as_focal_point_with_audit_label(world):
    url = f"{world['base']}/registrations/"
    assert call("post", url, world["tokens"]["read"], new_person(world)).status_code == 403
    assert call("post", url, None, new_person(world)).status_code == 401
    assert call("post", url, world["tokens"]["elsewhere"], new_person(world)).status_code == 403
    answer = call("post", url, world["tokens"]["write"], new_person(world))
    assert answer.status_code == 201, answer.content
    created = Registration.objects.get(pk=answer.json()["id"])
    event = AuditEvent.objects.get(registration=created, kind="registration.submitted")
    assert event.actor == world["organizer"] and event.actor_label.startswith("API token crm")
    answer = call("post", url, world["tokens"]["focal"], new_person(world, delegation=world["mine"].pk))
    assert answer.status_code == 201, answer.content
    nominated = Registration.objects.get(pk=answer.json()["id"])
    assert nominated.nominated_by == world["focal"]
    assert AuditEvent.objects.get(registration=nominated, kind="registration.submitted").actor_label.startswith(
        "API token ministry")
    refused = call("post", url, world["tokens"]["focal"], new_person(world, delegation=world["theirs"].pk))
    assert refused.status_code == 403


def test_create_respects_seats(world):
    meeting = world["meeting"]
    meeting.capacity = 3  # two registrations hold seats already
    meeting.save()
    url = f"{world['base']}/registrations/"
    first = call("post", url, world["tokens"]["write"], new_person(world)).json()
    second = call("post", url, world["tokens"]["write"], new_person(world)).json()
    assert first["status"] == Status.PENDING
    assert second["status"] == Status.WAITLISTED


def test_duplicate_email_and_unknown_ids(world):
    url = f"{world['base']}/registrations/"
    dup = call("post", url, world["tokens"]["write"], new_person(world, email=world["ours"].email.upper()))
    assert (dup.status_code, dup.json()["code"]) == (409, "duplicate_email")
    other_category = make_category(make_meeting())
    bad = call("post", url, world["tokens"]["write"], new_person(world, category=other_category.pk))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "category"
    bad = call("post", url, world["tokens"]["write"], new_person(world, delegation=999999))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "delegation"


def test_idempotency_key_replays_and_conflicts(world):
    url = f"{world['base']}/registrations/"
    body = new_person(world)
    first = call("post", url, world["tokens"]["write"], body, **{"Idempotency-Key": "abc-1"})
    again = call("post", url, world["tokens"]["write"], body, **{"Idempotency-Key": "abc-1"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Registration.objects.filter(email=body["email"]).count() == 1
    other = call("post", url, world["tokens"]["write"], {**body, "given_name": "Other"}, **{"Idempotency-Key": "abc-1"})
    assert (other.status_code, other.json()["code"]) == (409, "idempotency_key_reused")
    # Another token's key is its own.
    focal = call("post", url, world["tokens"]["focal"], new_person(world, delegation=world["mine"].pk),
                 **{"Idempotency-Key": "abc-1"})
    assert focal.status_code == 201
    bad = call("post", url, world["tokens"]["write"], new_person(world), **{"Idempotency-Key": "x" * 300})
    assert bad.status_code == 400


def test_expired_keys_are_deleted(world):
    from datetime import timedelta

    from django.utils import timezone

    from prachum.api.idempotency import expire_keys

    call("post", f"{world['base']}/registrations/", world["tokens"]["write"], new_person(world),
         **{"Idempotency-Key": "old"})
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert expire_keys() == 1 and not IdempotencyKey.objects.exists()


def test_approve_reject_cancel_change_status_and_audit_the_token(world):
    base = f"{world['base']}/registrations"
    ours, other = world["ours"], world["other"]
    assert call("post", f"{base}/{ours.pk}/approve/", world["tokens"]["read"], {}).status_code == 403
    assert call("post", f"{base}/{ours.pk}/approve/", world["tokens"]["focal"], {}).status_code == 403
    assert call("post", f"{base}/{other.pk}/cancel/", world["tokens"]["focal"], {}).status_code == 404
    answer = call("post", f"{base}/{ours.pk}/approve/", world["tokens"]["write"], {})
    assert (answer.status_code, answer.json()["status"]) == (200, Status.APPROVED)
    again = call("post", f"{base}/{ours.pk}/approve/", world["tokens"]["write"], {})
    assert (again.status_code, again.json()["code"]) == (409, "bad_transition")
    no_reason = call("post", f"{base}/{other.pk}/reject/", world["tokens"]["write"], {})
    assert no_reason.status_code == 400
    answer = call("post", f"{base}/{other.pk}/reject/", world["tokens"]["write"], {"reason": "Not eligible"})
    assert answer.json()["status"] == Status.REJECTED
    answer = call("post", f"{base}/{ours.pk}/cancel/", world["tokens"]["focal"], {"reason": "ill"})
    assert answer.json()["status"] == Status.CANCELLED
    labels = dict(AuditEvent.objects.filter(kind__in=["registration.approved", "registration.rejected",
                                                      "registration.cancelled"]).values_list("kind", "actor_label"))
    assert labels["registration.approved"].startswith("API token crm")
    assert labels["registration.rejected"].startswith("API token crm")
    assert labels["registration.cancelled"].startswith("API token ministry")


def test_patch_through_update_registration(world):
    url = f"{world['base']}/registrations/{world['ours'].pk}/"
    answer = call("patch", url, world["tokens"]["focal"], {"position": "Director"})
    assert (answer.status_code, answer.json()["position"]) == (200, "Director"), answer.content
    assert AuditEvent.objects.get(kind="registration.updated").actor_label.startswith("API token ministry")
    assert call("patch", url, world["tokens"]["read"], {"position": "x"}).status_code == 403
    other = f"{world['base']}/registrations/{world['other'].pk}/"
    assert call("patch", other, world["tokens"]["focal"], {"position": "x"}).status_code == 404
    moved = call("patch", url, world["tokens"]["focal"], {"delegation": world["theirs"].pk})
    assert moved.status_code == 403


HOSTILE = [
    None, 1, "x", [], {}, {"email": {"a": 1}}, {"email": ["a"]}, {"email": "a@b.c", "category": "one"},
    {"email": "not-an-email", "category": 1}, {"given_name": "x" * 10000, "email": "a@example.org", "category": 1},
    {"given_name": "\x00", "email": "a@example.org", "category": 1}, {"category": 2**40, "email": "a@example.org"},
    {"category": -1, "email": "a@example.org"}, {"category": True, "email": "a@example.org"},
    {"given_name": "\ud800", "email": "a@example.org", "category": 1}, "{not json",
    {"email": "a@example.org", "category": 1, "given_name": "A", "delegation": "x"},
    {"email": "a@example.org", "category": 1, "given_name": "A", "participation": {"x": 1}},
    {"email": "a@example.org", "category": 1, "given_name": "A", "phone": "12"},
]


@pytest.mark.parametrize("body", HOSTILE)
def test_hostile_create_bodies_are_4xx(world, body):
    answer = call("post", f"{world['base']}/registrations/", world["tokens"]["write"],
                  body if body is not None else "null")
    assert 400 <= answer.status_code < 500, answer.content
    assert answer["Content-Type"] == "application/problem+json"


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=30),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
                             st.sampled_from(["email", "category", "delegation", "given_name", "reason",
                                              "participation", "phone", "unchanged_since"]), inner, max_size=5),
                         max_leaves=8))
def test_fuzzed_bodies_never_500(world, body):
    base = f"{world['base']}/registrations"
    for method, url in (("post", f"{base}/"), ("patch", f"{base}/{world['ours'].pk}/"),
                        ("post", f"{base}/{world['ours'].pk}/reject/")):
        answer = call(method, url, world["tokens"]["write"], json.dumps(body))
        assert answer.status_code < 500, (method, url, body, answer.content)


def test_schema_documents_the_endpoints():
    schema = Client().get("/api/v1/schema/?format=json").json()
    for path in ("/api/v1/meetings/{slug}/registrations/", "/api/v1/meetings/{slug}/registrations/{id}/approve/",
                 "/api/v1/meetings/{slug}/delegations/"):
        assert any(p.replace("{pk}", "{id}") == path for p in schema["paths"]), path
