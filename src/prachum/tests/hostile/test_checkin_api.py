"""Hostile bodies and queries on the check-in API, with a valid device token: JSON of any shape (deep nesting,
huge numbers, Lao, NUL), bytes that are no JSON, and search words of every kind. Never a server error;
every answer is JSON (the desk reads a non-JSON answer as a network failure, docs/checkin-api.md)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from hypothesis import given
from hypothesis import strategies as st

from prachum.testing.hostile import HOSTILE, TALLY, deep_json_text, hostile_json, hostile_text
from prachum.testing.world import World
from prachum.tests.hostile.rules import ask, client_for

pytestmark = pytest.mark.django_db

API = "/api/v1/meetings/hx/checkin/"


@pytest.fixture
def device(db):
    world = World()
    return world, client_for(world, "device")


def _check(response, what):
    failed = response.status_code >= 500
    TALLY.add(what, server_error=failed, detail=f"{response.status_code}")
    assert not failed, response.content[:300]
    assert response["Content-Type"].startswith("application/json"), (response.status_code, response.content[:200])


def _item(world):
    return st.fixed_dictionaries({}, optional={
        "code": st.one_of(hostile_text(), st.just(world.participant_reg.badge_code), hostile_json()),
        "client_id": st.one_of(st.uuids().map(str), hostile_text(), hostile_json()),
        "session": st.one_of(st.just(world.session.pk), st.integers(), hostile_text(), hostile_json()),
        "checked_in_at": st.one_of(hostile_text(), st.datetimes().map(lambda d: d.isoformat()), hostile_json()),
    })


@pytest.mark.parametrize("endpoint", ["redeem", "sync", "undo"])
def test_posts_take_any_body(device, endpoint):
    world, client = device
    body = st.one_of(
        hostile_json().map(json.dumps),
        _item(world).map(json.dumps),
        st.fixed_dictionaries({"items": st.lists(_item(world), max_size=5) | hostile_json(),
                               "sent_at": hostile_text() | hostile_json()}).map(json.dumps),
        deep_json_text(),
        st.binary(max_size=300),
        hostile_text().map(lambda t: t.encode("utf-8")),
    )

    @HOSTILE
    @given(raw=body)
    def run(raw):
        cache.clear()
        sid_response = ask_json(client, f"{API}{endpoint}/", raw)
        _check(sid_response, "check-in API bodies")

    run()


def ask_json(client, path, raw):
    from django.db import transaction

    sid = transaction.savepoint()
    try:
        return client.post(path, raw, content_type="application/json")
    finally:
        transaction.savepoint_rollback(sid)


@pytest.mark.parametrize("endpoint", ["search", "counter", "bundle"])
def test_gets_take_any_query(device, endpoint):
    world, client = device
    value = hostile_text().map(lambda t: t[:600])

    @HOSTILE
    @given(query=st.fixed_dictionaries({}, optional={"q": value, "session": st.one_of(value, st.integers().map(str))}))
    def run(query):
        cache.clear()
        _check(ask(client, "GET", f"{API}{endpoint}/", query), "check-in API queries")

    run()
