"""Every address of the URL conf, asked by every role: who gets in and who is turned away.

The rule of each URL name is written down in RULES; a URL without a rule fails the test, so a new page
must be classified before it ships. Each address is built with real ids and tokens of one meeting
(prachum.testing.world): focal point A's pages name delegation A (focal point B must not get in), the
meeting is X (the owner of meeting Y must not get in), token pages get the participant's own token (every
other role brings the token of a participant of meeting Y, which must open nothing of X)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client

from prachum.testing.world import World
from prachum.tests.hostile.rules import (
    ADMIN_ASKERS, BOGUS_TOKEN, EVERY_ROLE, PUBLIC, RULES, Rule, ask, client_for, every_url, rule_of, url_names,
)

pytestmark = pytest.mark.django_db


def test_every_url_has_a_rule():
    names = {name for name, _keys, _route in url_names()}
    unclassified = sorted(name for name in names if rule_of(name) is None)
    assert not unclassified, f"classify these URLs in RULES (who may open them): {unclassified}"
    stale = sorted(name for name in RULES if name not in ("admin:*", "api:*") and name not in names)
    assert not stale, f"RULES names URLs that no longer exist: {stale}"


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


def test_each_role_gets_what_its_rule_says(hostile_tally):
    """Every URL × every role: GET, and POST where the address takes only POSTs (writes rolled back)."""
    from django.core.cache import cache

    world = World()
    problems, asked = [], 0
    clients: dict[str, Client] = {}
    for name, path, _keys in every_url(world):
        the_rule = rule_of(name)
        if the_rule is None:
            continue  # test_every_url_has_a_rule names it
        # The Django admin's model pages answer every non-staff user alike: three roles ask them.
        for role in ADMIN_ASKERS if rule_of(name) is RULES["admin:*"] else EVERY_ROLE:
            cache.clear()  # rate limits and lockouts count per test, not across roles
            client = clients.get(role)
            cookie = client.cookies.get(settings.SESSION_COOKIE_NAME) if client else None
            if client is None or (world.user(role) and not (cookie and cookie.value)):
                client = clients[role] = client_for(world, role)  # again after a logout address ended the session
            role_path = _path_for(world, name, path, role)
            response = ask(client, "GET", role_path)
            method = "GET"
            if response.status_code == 405:
                method, response = "POST", ask(client, "POST", role_path)
            asked += 1
            answer = Answer(name, role, method, role_path, _verdict(response), role in the_rule.allowed, the_rule)
            hostile_tally.add("authorization matrix", server_error=answer.verdict.startswith("5"))
            if (problem := answer.problem()):
                problems.append(f"{problem}: {role} {method} {role_path} ({name}) → {answer.verdict}")
    print(f"\nauthorization matrix: {asked} role × URL answers checked")
    assert not problems, "\n".join(problems)
