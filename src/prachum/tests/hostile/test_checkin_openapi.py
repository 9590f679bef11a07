"""schemathesis on the check-in API (its OpenAPI schema, served as /static/checkin/openapi.yaml), through the WSGI app, with a valid
device token: for every operation, generated requests get no server error, a status code and content type
the schema lists, and a body that matches its schema."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

import prachum.checkin
from prachum.testing.hostile import HOSTILE, TALLY
from prachum.testing.world import World

pytestmark = pytest.mark.django_db

SCHEMA = Path(prachum.checkin.__file__).parent / "static" / "checkin" / "openapi.yaml"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def operations():
    schema = schemathesis.openapi.from_path(str(SCHEMA))
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_lists_every_endpoint_of_the_api():
    from prachum.checkin import api_urls

    routes = {"/" + str(p.pattern).replace("<slug:slug>", "{slug}") for p in api_urls.urlpatterns if "slug" in str(p.pattern)}
    assert {op.path for op in operations()} == routes


@pytest.mark.parametrize("operation", [op.label for op in operations()])
def test_no_server_error_and_answers_as_described(wsgi_in_test_transaction, operation):
    world = World()
    schema = schemathesis.openapi.from_path(str(SCHEMA))
    schema.app = get_wsgi_application()
    op = next(result.ok() for result in schema.get_all_operations() if result.ok().label == operation)
    # The WSGI client does not undo gzip: the bundle's gzip answer has its own test (checkin/tests/test_api.py).
    headers = {"Authorization": f"Bearer {world.device_token}", "Accept-Encoding": "identity"}
    codes = st.sampled_from([world.participant_reg.badge_code, world.reg_a.badge_code, world.other_reg.badge_code])

    @settings(HOSTILE)
    @given(case=op.as_strategy(), slug=st.sampled_from(["hx", "hx", "hx", "hy"]), code=codes, real=st.booleans())
    def run(case, slug, code, real):
        cache.clear()
        case.path_parameters = {**(case.path_parameters or {}), "slug": slug}
        if real and isinstance(case.body, dict) and "code" in case.body:
            case.body["code"] = code  # a real badge, now and then, to reach the check-in itself
        sid = transaction.savepoint()
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
            TALLY.add("check-in API (schemathesis)")
        except Exception:
            TALLY.add("check-in API (schemathesis)", server_error=True, detail=operation)
            raise
        finally:
            transaction.savepoint_rollback(sid)

    run()
