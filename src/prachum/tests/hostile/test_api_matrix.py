"""Every operation of the public API's OpenAPI schema, asked with every kind of token: who gets an answer and who
is turned away. The operations come from the schema the server publishes, so a new endpoint without a rule in
API_RULES fails the test, as a new page does in test_authorization_matrix.py.

Askers: no token; a check-in device's token (check-in endpoints only, never this API); API tokens of each role of
meeting X (prachum.testing.world), read-only and read-write; the owner of meeting Y; and the site administrator's
token narrowed to meeting Y. Ids in paths are meeting X's, of delegation A (focal point B must not reach them).
Each request runs in a savepoint rolled back after it: an approve that succeeds does not change the next asker's
case."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from prachum.api.services import create_token
from prachum.testing.world import World

pytestmark = pytest.mark.django_db

X_ROLES = ("owner", "manager", "reviewer", "checkin", "focal_a", "focal_b", "admin")
ASKERS = ("none", "device", *(f"{role}_read" for role in X_ROLES), *(f"{role}_write" for role in X_ROLES),
          "owner_y_write", "admin_for_y_write")

ANY_ROLE = {"owner", "manager", "reviewer", "checkin", "focal_a", "focal_b", "admin"}
REVIEW = {"owner", "manager", "reviewer", "admin"}
MANAGE = {"owner", "manager", "admin"}
SEE_ALL = {"owner", "manager", "reviewer", "checkin", "admin"}


def reads(roles) -> frozenset[str]:
    """GET: a read or a read-write token of these roles."""
    return frozenset({f"{r}_read" for r in roles} | {f"{r}_write" for r in roles})


def writes(roles) -> frozenset[str]:
    return frozenset(f"{r}_write" for r in roles)


# operationId → the askers that get an answer (any other status than 401, 403 and 404; never 5xx).
API_RULES: dict[str, frozenset[str]] = {
    "meetings_list": reads(ANY_ROLE) | {"owner_y_write", "admin_for_y_write"},
    "meetings_retrieve": reads(ANY_ROLE),
    "meetings_sessions_list": reads(ANY_ROLE),
    "meetings_categories_list": reads(ANY_ROLE),
    "meetings_delegations_list": reads(ANY_ROLE),
    "meetings_attendance_retrieve": reads(REVIEW),
    "meetings_participants_retrieve": reads(REVIEW),
    "meetings_statistics_retrieve": reads(REVIEW),
    "meetings_registrations_list": reads(SEE_ALL | {"focal_a", "focal_b"}),
    "meetings_registrations_retrieve": reads(SEE_ALL | {"focal_a"}),
    "meetings_registrations_create": writes(MANAGE | {"reviewer", "focal_a", "focal_b"}),
    "meetings_registrations_partial_update": writes(MANAGE | {"reviewer", "focal_a"}),
    "meetings_registrations_approve_create": writes(REVIEW),
    "meetings_registrations_reject_create": writes(REVIEW),
    "meetings_registrations_cancel_create": writes(REVIEW | {"focal_a"}),
}


def operations() -> list[tuple[str, str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted((op["operationId"], method.upper(), path)
                  for path, ops in schema["paths"].items() for method, op in ops.items()
                  if path not in ("/api/v1/schema/", "/api/v1/docs/"))


def test_every_operation_has_a_rule():
    names = {name for name, _method, _path in operations()}
    assert not sorted(names - set(API_RULES)), f"classify these operations in API_RULES: {sorted(names - set(API_RULES))}"
    assert not sorted(set(API_RULES) - names), f"API_RULES names operations that no longer exist: {sorted(set(API_RULES) - names)}"


def _client_for(world: World, asker: str) -> Client:
    client = Client(raise_request_exception=False)
    if asker == "device":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.device_token}"
    elif asker != "none":
        role, _sep, scope = asker.rpartition("_")
        meeting = None
        if role == "admin_for_y":
            role, meeting = "admin", world.other
        _token, secret = create_token(owner=world.user(role), name=asker, scope=scope, meeting=meeting)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def _path(world: World, path: str) -> str:
    return path.replace("{slug}", world.meeting.slug).replace("{id}", str(world.reg_a.pk))


def test_each_token_gets_what_its_rule_says():
    world = World()
    clients = {asker: _client_for(world, asker) for asker in ASKERS}
    wrong = []
    for name, method, path in operations():
        allowed = API_RULES.get(name, frozenset())
        for asker in ASKERS:
            cache.clear()  # rate limits
            sid = transaction.savepoint()
            try:
                client = clients[asker]
                url = _path(world, path)
                if method == "GET":
                    answer = client.get(url)
                else:
                    answer = client.generic(method, url, "{}", content_type="application/json")
            finally:
                transaction.savepoint_rollback(sid)
            status = answer.status_code
            if status >= 500:
                wrong.append(f"{name} {asker}: {status} (server error)")
            elif (asker in allowed) == (status in (401, 403, 404)):
                wrong.append(f"{name} {asker}: {status}, but {'allowed' if asker in allowed else 'not allowed'}")
            elif status >= 400 and answer["Content-Type"] != "application/problem+json":
                wrong.append(f"{name} {asker}: {status} as {answer['Content-Type']}, not a problem")
    assert not wrong, "\n".join(wrong)
