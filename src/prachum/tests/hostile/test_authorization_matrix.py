"""Every address of the URL conf, asked by every role: who gets in and who is turned away.

The rule of each URL name is written down in RULES; a URL without a rule fails the test, so a new page
must be classified before it ships. Each address is built with real ids and tokens of one meeting
(prachum.testing.world): focal point A's pages name delegation A (focal point B must not get in), the
meeting is X (the owner of meeting Y must not get in), token pages get the participant's own token (every
other role brings the token of a participant of meeting Y, which must open nothing of X)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from prachum.testing.world import ROLES, World

pytestmark = pytest.mark.django_db


def _converters(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    return list(re.compile(pattern.regex.pattern).groupindex)


def _walk(resolver, namespace: str, keys: list[str], route: str):
    for entry in resolver.url_patterns:
        here = keys + _converters(entry.pattern)
        text = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry, inner, here, text)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else text), here, text


def url_names() -> list[tuple[str, list[str], str]]:
    """(name, keyword names, route) of every URL pattern, i18n prefixes included; unnamed ones by route."""
    return list(_walk(get_resolver(), "", [], ""))


def every_url(world: World):
    """(name, path, keys) of every URL but the Django admin's per-model ones (asked through its changelists)."""
    for name, keys, route in url_names():
        if route.startswith("admin/") and keys:
            continue
        if name == route:  # unnamed, and without converters (checked above for the admin's)
            assert not keys, f"an unnamed URL with parameters needs a name: {route}"
            yield name, "/" + route.replace("^", "").replace("$", "").replace("\\", ""), keys
            continue
        yield name, reverse(name, kwargs=world.kwargs_for(name, keys)), keys


DEVICES = ("device", "device_y")  # a check-in device of meeting X, of meeting Y: a Bearer token, no login
EVERY_ROLE = (*ROLES, *DEVICES)
LOGGED_IN = frozenset(ROLES) - {"anonymous", "participant"}


@dataclass(frozen=True)
class Rule:
    """Who may open an address: `allowed` get an answer (not 401/403/404, not the login page); everyone else
    is turned away (login page, 401, 403 or 404). `also` are answers an allowed role may get here, and why."""

    allowed: frozenset[str]
    also: frozenset[int] = frozenset()
    why: str = ""


def rule(*roles: str, also=(), why="") -> Rule:
    return Rule(frozenset(roles), frozenset(also), why)


PUBLIC = rule(*EVERY_ROLE)
TOKEN = rule("participant")  # the private link is the credential; others bring a wrong one
LOGIN = rule(*LOGGED_IN)
ADMIN = rule("admin")
MANAGE = rule("manager", "owner", "admin")
REVIEW = rule("reviewer", "manager", "owner", "admin")
CHECK_IN = rule("checkin", "manager", "owner", "admin")
SEE_REGISTRATIONS = rule("focal_a", "focal_b", "checkin", "reviewer", "manager", "owner", "admin")
FOCAL_POINT_A = rule("focal_a")  # the page names delegation A: its focal point, not B's, nor organizers
JOB_CREATOR = rule("owner", "admin")  # the world's jobs were started by the owner
DEVICE_OR_CHECK_IN = rule("device", "checkin", "manager", "owner", "admin")
# Upload keys live in the uploader's session: every allowed role without that upload gets a 404.
SESSION_UPLOAD = rule("focal_a", "focal_b", "manager", "owner", "admin", also={404},
                      why="the upload key is kept in the uploader's session")

RULES: dict[str, Rule] = {
    "switch_language": PUBLIC,
    "favicon.ico": PUBLIC,
    "admin:login": PUBLIC,
    "admin:logout": PUBLIC,
    "admin:*": rule("admin", also={403}, why="the Django admin: staff only; some models cannot be added there"),
    "checkin_api:redeem": DEVICE_OR_CHECK_IN,
    "checkin_api:sync": DEVICE_OR_CHECK_IN,
    "checkin_api:undo": DEVICE_OR_CHECK_IN,
    "checkin_api:bundle": DEVICE_OR_CHECK_IN,
    "checkin_api:search": DEVICE_OR_CHECK_IN,
    "checkin_api:counter": DEVICE_OR_CHECK_IN,
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    # A wrong or used link shows "this link is no longer valid" (checked in tests/accounts/test_set_password.py).
    "accounts:set_password": PUBLIC,
    "accounts:password_set": PUBLIC,
    "meetings:public_meeting": PUBLIC,
    "account_admin:accounts": ADMIN,
    "account_admin:invite": ADMIN,
    "account_admin:set_active": ADMIN,
    "account_admin:set_right": ADMIN,
    "account_admin:resend": ADMIN,
    "jobs:job": JOB_CREATOR,
    "jobs:download": JOB_CREATOR,
    "honorifics:list": ADMIN,
    "outbox:account_outbox": ADMIN,
    "outbox:account_message": ADMIN,
    "outbox:account_resend": ADMIN,
    "outbox:outbox": MANAGE,
    "outbox:message": MANAGE,
    "outbox:resend": MANAGE,
    "meeting_setup:new": ADMIN,
    "meeting_setup:copy": ADMIN,
    "meeting_setup:setup": MANAGE,
    "meeting_setup:publish": MANAGE,
    "meeting_setup:close": MANAGE,
    "meeting_setup:sessions": MANAGE,
    "meeting_setup:session": MANAGE,
    "meeting_setup:session_delete": MANAGE,
    "meeting_setup:agenda_items": MANAGE,
    "meeting_setup:agenda_item": MANAGE,
    "meeting_setup:agenda_item_delete": MANAGE,
    "meeting_setup:categories": MANAGE,
    "meeting_setup:category": MANAGE,
    "meeting_setup:category_delete": MANAGE,
    "meeting_setup:delegations": MANAGE,
    "meeting_setup:delegation": MANAGE,
    "meeting_setup:delegation_delete": MANAGE,
    "meeting_setup:emails": MANAGE,
    "meeting_setup:email": MANAGE,
    "meeting_setup:roles": MANAGE,
    "meeting_setup:role_remove": MANAGE,
    "meeting_setup:role_resend": MANAGE,
    "meeting_setup:cancel": MANAGE,
    "meeting_setup:questions": MANAGE,
    "meeting_setup:question_new": MANAGE,
    "meeting_setup:question": MANAGE,
    "meeting_setup:question_preview": MANAGE,
    "meeting_setup:question_preview_edit": MANAGE,
    "organizer:overview": SEE_REGISTRATIONS,
    "organizer:registrations": SEE_REGISTRATIONS,
    "organizer:registration": rule("focal_a", "checkin", "reviewer", "manager", "owner", "admin"),
    "organizer:registration_name": REVIEW,
    "organizer:registration_role": MANAGE,
    "organizer:delegation_order": MANAGE,
    "organizer:bulk": REVIEW,
    "organizer:bulk_result": JOB_CREATOR,
    "organizer:invitations": MANAGE,
    "organizer:invitation_resend": MANAGE,
    "organizer:invitation_revoke": MANAGE,
    "organizer:invitations_remind": MANAGE,
    "organizer:invitations_resend": MANAGE,
    "organizer:invitations_job": JOB_CREATOR,
    "organizer:message_new": MANAGE,
    "organizer:audit": REVIEW,
    "focal_point:delegations": rule("focal_a", "focal_b"),
    "focal_point:delegation": FOCAL_POINT_A,
    "focal_point:nominate": FOCAL_POINT_A,
    "focal_point:submit": FOCAL_POINT_A,
    "focal_point:ranks": FOCAL_POINT_A,
    "focal_point:endorse": FOCAL_POINT_A,
    "focal_point:decline": FOCAL_POINT_A,
    "focal_point:head": FOCAL_POINT_A,
    "focal_point:withdraw": FOCAL_POINT_A,
    "exchange:import": rule("focal_a", "focal_b", "manager", "owner", "admin"),
    "exchange:import_columns": SESSION_UPLOAD,
    "exchange:import_review": SESSION_UPLOAD,
    "exchange:import_apply": SESSION_UPLOAD,
    "exchange:import_as_invitations": rule("manager", "owner", "admin", also={404}, why=SESSION_UPLOAD.why),
    "exchange:export": rule("focal_a", "focal_b", "reviewer", "manager", "owner", "admin"),
    "badges:badges": REVIEW,
    "badges:design": MANAGE,
    "badges:registration_badge": rule("checkin", "reviewer", "manager", "owner", "admin"),
    "reports:index": REVIEW,
    "reports:list_of_participants": REVIEW,
    "reports:sign_in_sheet": REVIEW,
    "reports:sign_in_sheet_session": REVIEW,
    "reports:attendance": REVIEW,
    "reports:statistics": REVIEW,
    "reports:statistics_xlsx": REVIEW,
    "reports:news": MANAGE,
    "reports:news_pdf": REVIEW,
    "reports:photo_add": MANAGE,
    "reports:photo_delete": MANAGE,
    "reports:photo": REVIEW,  # until the news item is published
    # A document for approved participants: focal points read it too; through a private link, reports:participant_document.
    "reports:document": rule("focal_a", "focal_b", "reviewer", "manager", "owner", "admin"),
    "reports:documents": REVIEW,
    "reports:document_change": MANAGE,
    "reports:participant_document": TOKEN,
    "checkin_manage:devices": MANAGE,
    "checkin_manage:revoke_device": MANAGE,
    "checkin_manage:attendance": REVIEW,
    "online_manage:index": MANAGE,
    "online_manage:room": MANAGE,
    "online_manage:session_room": MANAGE,
    "online_manage:session_room_delete": MANAGE,
    "online_manage:rule_add": MANAGE,
    "online_manage:rule_delete": MANAGE,
    "online_manage:fetch_attendance": MANAGE,
    "online_manage:attendance": REVIEW,
    "checkin:service_worker": PUBLIC,
    "checkin:desk": CHECK_IN,
    "online:join": rule("participant", also={403}, why="the participant takes part in person: a 403 page says so"),
    "registration:register": PUBLIC,
    "registration:resend_link": PUBLIC,
    "registration:manage": TOKEN,
    "registration:cancel": TOKEN,
    "registration:ticket_png": TOKEN,
    "registration:ticket_pdf": TOKEN,
    "notify:calendar_ics": TOKEN,
    "web:home": PUBLIC,
    "web:manage": LOGIN,
}

BOGUS_TOKEN = "x" * 43
ADMIN_ASKERS = ("anonymous", "owner", "admin", "device")


def rule_of(name: str) -> Rule | None:
    if name in RULES:
        return RULES[name]
    if name.startswith(("admin:", "admin/")):  # the Django admin's, named after its models
        return RULES["admin:*"]
    return None


def test_every_url_has_a_rule():
    names = {name for name, _keys, _route in url_names()}
    unclassified = sorted(name for name in names if rule_of(name) is None)
    assert not unclassified, f"classify these URLs in RULES (who may open them): {unclassified}"
    stale = sorted(name for name in RULES if name != "admin:*" and name not in names)
    assert not stale, f"RULES names URLs that no longer exist: {stale}"


def _client(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == "device":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.device_token}"
    elif role == "device_y":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.other_device_token}"
    elif world.user(role):
        client.force_login(world.user(role))
    return client


def _path_for(world: World, name: str, path: str, role: str) -> str:
    """The participant's own token for them; for anyone else a wrong one, or for a page of meeting X the
    token of meeting Y's participant (valid, but not here)."""
    if role == "participant" or "participant" not in rule_of(name).allowed or rule_of(name) is PUBLIC:
        return path
    real = {"accounts:set_password": world.password_token, "online:join": world.join_token}.get(name, world.participant_token)
    wrong = world.other_token if f"/{world.meeting.slug}/" in path else BOGUS_TOKEN
    return path.replace(real, wrong)


def _verdict(response) -> str:
    location = response.get("Location", "") if response.status_code in (301, 302, 303) else ""
    return "login" if "/login/" in location else str(response.status_code)


@dataclass
class Answer:
    name: str
    role: str
    method: str
    path: str
    verdict: str
    allowed: bool
    rule: Rule

    def problem(self) -> str | None:
        if self.verdict.isdigit() and int(self.verdict) >= 500:
            return "server error"
        refused = self.verdict in ("login", "401", "403", "404")
        if self.allowed:
            if refused and not (self.verdict.isdigit() and int(self.verdict) in self.rule.also):
                return "refused an allowed role"
            if self.verdict == "405":
                return "method not allowed to an allowed role"
        elif not refused:
            return "answered a role that is not allowed"
        return None


def _ask(client: Client, method: str, path: str):
    """One request whose writes are undone: a POST that got through must not change what the next one sees."""
    sid = transaction.savepoint()
    try:
        return client.get(path) if method == "GET" else client.post(path, {})
    finally:
        transaction.savepoint_rollback(sid)


def test_each_role_gets_what_its_rule_says(hostile_tally):
    """Every URL × every role: GET, and POST where the address takes only POSTs (writes rolled back)."""
    from django.core.cache import cache

    world = World()
    problems, asked = [], 0
    clients: dict[str, Client] = {}
    for name, path, _keys in every_url(world):
        the_rule = rule_of(name)
        assert the_rule is not None, name
        # The Django admin's model pages answer every non-staff user alike: three roles ask them.
        for role in ADMIN_ASKERS if rule_of(name) is RULES["admin:*"] else EVERY_ROLE:
            cache.clear()  # rate limits and lockouts count per test, not across roles
            client = clients.get(role)
            cookie = client.cookies.get(settings.SESSION_COOKIE_NAME) if client else None
            if client is None or (world.user(role) and not (cookie and cookie.value)):
                client = clients[role] = _client(world, role)  # again after a logout address ended the session
            role_path = _path_for(world, name, path, role)
            response = _ask(client, "GET", role_path)
            method = "GET"
            if response.status_code == 405:
                method, response = "POST", _ask(client, "POST", role_path)
            asked += 1
            answer = Answer(name, role, method, role_path, _verdict(response), role in the_rule.allowed, the_rule)
            hostile_tally.add("authorization matrix", server_error=answer.verdict.startswith("5"))
            if (problem := answer.problem()):
                problems.append(f"{problem}: {role} {method} {role_path} ({name}) → {answer.verdict}")
    print(f"\nauthorization matrix: {asked} role × URL answers checked")
    assert not problems, "\n".join(problems)
