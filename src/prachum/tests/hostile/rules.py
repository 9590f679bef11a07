"""Every URL of the URL conf and who may open it: the table the authorization matrix checks
(test_authorization_matrix.py) and the hostile-input tests use to find each page's forms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from prachum.testing.world import ROLES, World


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
        if (route.startswith("admin/") and keys) or rule_of(name) is None:
            continue  # unclassified ones: test_every_url_has_a_rule names them
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
    # Probes of load balancers: public, and they say nothing but "ok" or which service is down.
    "healthz": PUBLIC,
    "readyz": PUBLIC,
    # Loopback clients (as the test client is), allowed addresses or the bearer token; 404 to others
    # (tests/core/test_probes_and_metrics.py).
    "metrics": PUBLIC,
    "favicon.ico": PUBLIC,
    # The Django admin sits behind the second factor (accounts' 2FA): the world's users have none, so every
    # role, the site administrator too, is sent to log in; its login page sends there as well.
    "admin:*": rule(why="behind the second factor, which no user of the world has"),
    "admin:login": LOGIN,  # sends a logged-in user on (to the second step), anyone else to the site's login
    "admin:logout": PUBLIC,
    # The public API answers API tokens only: a login's session or a device's token is a 401 there.
    # tests/hostile/test_api_matrix.py asks every operation of its schema with each kind of API token.
    "api:*": rule(why="API tokens only (test_api_matrix.py)"),
    "api:schema": PUBLIC,
    # One's own API tokens: anyone who registers or reviews people somewhere (check-in staff have devices).
    "api_tokens:list": rule("focal_a", "focal_b", "reviewer", "manager", "owner", "owner_y", "admin"),
    "api_tokens:new": rule("focal_a", "focal_b", "reviewer", "manager", "owner", "owner_y", "admin"),
    "api_tokens:revoke": rule("owner", why="the world's token is the owner's; anyone else's answer is 404"),
    "api:docs": PUBLIC,
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
    "accounts:password_reset": PUBLIC,
    "accounts:password_reset_done": PUBLIC,
    "accounts:password_reset_confirm": PUBLIC,  # a wrong link shows "this link is no longer valid"
    "accounts:second_step": LOGIN,
    "accounts:two_factor": LOGIN,
    "accounts:app_enrolment": LOGIN,
    "accounts:recovery_codes": LOGIN,
    "accounts:passkey_added": LOGIN,
    # New codes only just after the second factor was given, which no user of the world has: login for all.
    "accounts:renew_recovery_codes": rule(why="needs a second factor given just before"),
    "otp_webauthn:credential-registration-begin": LOGIN,
    "otp_webauthn:credential-registration-complete": LOGIN,
    "otp_webauthn:credential-authentication-begin": LOGIN,
    "otp_webauthn:credential-authentication-complete": LOGIN,
    "otp_webauthn:js-i18n-catalog": PUBLIC,
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
    "outbox:account_message_html": ADMIN,
    "outbox:account_resend": ADMIN,
    "outbox:outbox": MANAGE,
    "outbox:message": MANAGE,
    "outbox:message_html": MANAGE,
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
    "organizer:registration_export": rule("focal_a", "reviewer", "manager", "owner", "admin"),
    "organizer:registration_erase": rule("owner", "admin"),
    "organizer:answer_file": rule("focal_a", "reviewer", "manager", "owner", "admin"),
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
    "webhooks:list": MANAGE,
    "webhooks:toggle": MANAGE,
    "webhooks:delete": MANAGE,
    "webhooks:deliveries": MANAGE,
    "webhooks:resend": MANAGE,
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
    "registration:register_sent": PUBLIC,
    "registration:personal_data": TOKEN,
    "registration:manage": TOKEN,
    "registration:cancel": TOKEN,
    "registration:ticket_png": TOKEN,
    "registration:ticket_pdf": TOKEN,
    "registration:answer_file": TOKEN,
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
    if name.startswith("api:"):
        return RULES["api:*"]
    return None


def client_for(world: World, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role == "device":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.device_token}"
    elif role == "device_y":
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.other_device_token}"
    elif world.user(role):
        client.force_login(world.user(role))
    return client


def ask(client: Client, method: str, path: str, data=None):
    """One request whose writes are undone: a POST that got through must not change what the next one sees."""
    sid = transaction.savepoint()
    try:
        return client.get(path, data) if method == "GET" else client.post(path, data or {})
    finally:
        transaction.savepoint_rollback(sid)
