"""schemathesis on the public API (/api/v1/, the schema drf-spectacular generates from the code), through the WSGI
app, with the meeting owner's read-write token: for every operation, generated requests get no server error, a
status code and content type the schema lists, and a body that matches its schema."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from prachum.api.services import create_token
from prachum.testing.hostile import HOSTILE, TALLY
from prachum.testing.world import World

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error]


def the_schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def labels() -> list[str]:
    schema = schemathesis.openapi.from_dict(the_schema())
    return sorted(result.ok().label for result in schema.get_all_operations())


def test_the_schema_is_valid_openapi_3_1():
    from drf_spectacular.validation import validate_schema

    schema = the_schema()
    assert schema["openapi"] == "3.1.0"
    validate_schema(schema)  # against the OpenAPI 3.1 JSON schema; raises on an invalid document


@pytest.mark.parametrize("operation", labels())
def test_no_server_error(wsgi_in_test_transaction, operation):
    world = World()
    _token, secret = create_token(owner=world.users["owner"], name="schemathesis", scope="write")
    schema = schemathesis.openapi.from_dict(the_schema())
    schema.app = get_wsgi_application()
    op = next(result.ok() for result in schema.get_all_operations() if result.ok().label == operation)
    headers = {"Authorization": f"Bearer {secret}"}
    ids = st.sampled_from([str(world.reg_a.pk), str(world.reg_b.pk), str(world.other_reg.pk), "0", "999999999"])

    @settings(HOSTILE)
    @given(case=op.as_strategy(), slug=st.sampled_from(["hx", "hx", "hx", "hy", "nope"]), pk=ids, real=st.booleans())
    def run(case, slug, pk, real):
        cache.clear()
        params = dict(case.path_parameters or {})
        params["slug"] = slug
        if "id" in params and real:
            params["id"] = pk
        case.path_parameters = params
        sid = transaction.savepoint()
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
            TALLY.add("public API (schemathesis)")
        except Exception:
            TALLY.add("public API (schemathesis)", server_error=True, detail=operation)
            raise
        finally:
            transaction.savepoint_rollback(sid)

    run()
