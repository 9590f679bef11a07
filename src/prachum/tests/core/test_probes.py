"""/healthz and /readyz: what a load balancer asks. Up, with the database unreachable or silent, with migrations
not applied, with Redis (cache and Celery broker) down, and what they leave in the logs."""

import json
import socket
import time

import pytest
from django.test import override_settings

from prachum.accounts.tests.factories import make_user
from prachum.core import probes
from prachum.testing.smtp import free_port
from prachum.tests.core.observability import ask_in_another_process
from prachum.tests.core.test_request_logs import console_log

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_database_session_language_or_host_check(client, django_assert_num_queries):
    client.force_login(make_user(is_superuser=True))  # a session cookie that a page would read
    with django_assert_num_queries(0), override_settings(SECURE_SSL_REDIRECT=True, PRACHUM_REQUIRE_2FA="organizers"):
        # A probe names the server by its address, over plain HTTP, without a language prefix.
        response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200 and response.content == b"ok"
    assert not response.cookies and "Cookie" not in response.get("Vary", "")
    assert "Content-Language" not in response


def test_readyz_names_each_check_when_all_pass(client, django_assert_num_queries):
    with django_assert_num_queries(0):  # the checks use connections of their own, closed after
        response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "ready": True, "checks": {"database": "ok", "migrations": "ok", "cache": "ok", "broker": "not used"}}


def test_readyz_is_503_when_the_database_is_unreachable_or_silent():
    closed = free_port()
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts connections, never says a word
        silent_port = silent.getsockname()[1]
        unreachable, _log = ask_in_another_process(
            ["/healthz", "/readyz"], PRACHUM_DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed}/nothing")
        hanging, _log = ask_in_another_process(  # /healthz first: the process's first request loads the URL conf
            ["/healthz", "/readyz"], PRACHUM_DATABASE_URL=f"postgres://postgres@127.0.0.1:{silent_port}/nothing")
    healthz, readyz = unreachable
    assert healthz["status"] == 200 and healthz["body"] == "ok"
    assert readyz["status"] == 503
    assert json.loads(readyz["body"])["checks"] == {
        "database": "down (OperationalError)", "migrations": "unknown", "cache": "ok", "broker": "not used"}
    assert "Traceback" not in readyz["body"]
    _warm, silent_answer = hanging
    # Without the deadline this probe would wait as long as the silent server stays open (libpq has no
    # timeout of its own); the margin is for a busy machine.
    assert silent_answer["status"] == 503 and silent_answer["seconds"] < probes.CHECK_TIMEOUT + 2
    assert json.loads(silent_answer["body"])["checks"]["database"] == "timeout"


def test_readyz_is_503_while_migrations_are_not_applied(tmp_path):
    """A database that answers but was never migrated (as after an upgrade, before `prachum migrate`)."""
    (answer,), _log = ask_in_another_process(["/readyz"], PRACHUM_DATABASE_URL=f"sqlite:///{tmp_path / 'new.sqlite3'}")
    checks = json.loads(answer["body"])["checks"]
    assert answer["status"] == 503 and checks["database"] == "ok"
    assert checks["migrations"].endswith(" unapplied") and int(checks["migrations"].split()[0]) > 50


def test_readyz_with_redis_checks_cache_and_broker_and_is_503_when_redis_is_down(client, private_redis):
    redis_settings = dict(
        PRACHUM_REDIS_URL=private_redis.url, CELERY_BROKER_URL=private_redis.url,
        CACHES={"default": {"BACKEND": "prachum.core.cache_backends.FailOpenRedisCache",
                            "LOCATION": private_redis.url}})
    with override_settings(**redis_settings):
        for _try in range(3):  # a busy machine may starve a check past its deadline; with Redis up, it passes
            up = client.get("/readyz")
            if up.status_code == 200:
                break
        private_redis.kill()
        down = client.get("/readyz")
    assert up.status_code == 200, up.content
    assert json.loads(up.content)["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok", "broker": "ok"}
    assert down.status_code == 503
    checks = json.loads(down.content)["checks"]
    assert checks["database"] == "ok" and checks["cache"].startswith("down (") and checks["broker"].startswith("down (")


def test_a_redis_that_never_answers_costs_a_probe_one_second_at_most(client):
    client.get("/readyz")  # the database's check, once, outside the time measured
    with socket.create_server(("127.0.0.1", 0)) as silent:
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with override_settings(PRACHUM_REDIS_URL=url, CELERY_BROKER_URL=url,
                               CACHES={"default": {"BACKEND": "prachum.core.cache_backends.FailOpenRedisCache",
                                                   "LOCATION": url}}):
            started = time.monotonic()
            response = client.get("/readyz")
            elapsed = time.monotonic() - started
    assert response.status_code == 503 and elapsed < probes.CHECK_TIMEOUT + 2  # a margin for a busy machine
    checks = json.loads(response.content)["checks"]
    assert checks["cache"] in ("timeout", "down (TimeoutError)") and checks["database"] == "ok"


def test_probes_leave_the_log_alone_but_a_change_of_readiness_is_logged_once(client, private_redis):
    url = private_redis.url
    with override_settings(PRACHUM_REDIS_URL=url, CELERY_BROKER_URL=url,
                           CACHES={"default": {"BACKEND": "prachum.core.cache_backends.FailOpenRedisCache",
                                               "LOCATION": url}}):
        client.get("/readyz")  # whatever an earlier test left as the last state of this process
        with console_log() as log:
            for _ in range(3):
                assert client.get("/healthz").status_code == 200
                assert client.get("/readyz").status_code == 200
        assert log.getvalue() == ""
        private_redis.kill()
        with console_log() as log:
            for _ in range(3):
                assert client.get("/readyz").status_code == 503
        lines = log.getvalue().splitlines()
        assert len(lines) == 1 and "Not ready: broker down (" in lines[0] and "cache down (" in lines[0], lines
    with console_log() as log:
        assert client.get("/readyz").status_code == 200
    assert "Ready again" in log.getvalue()


def test_gunicorns_access_log_leaves_out_successful_probes(tmp_path):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from prachum import gunicorn_config
    from prachum.registration.gunicorn_logger import Logger

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("access_log_format", gunicorn_config.access_log_format)
    logger = Logger(config)
    for path, status in [("/healthz", "200 OK"), ("/readyz", "200 OK"), ("/metrics", "200 OK"),
                         ("/readyz", "503 Service Unavailable"), ("/en/", "200 OK")]:
        environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
                   "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.2"}
        response = SimpleNamespace(status=status, sent=2, headers=[("X-Request-ID", "rid-" + path.strip("/"))])
        logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=3))
    lines = (tmp_path / "access.log").read_text().splitlines()
    assert len(lines) == 2, lines
    assert '"GET /readyz HTTP/1.1" 503' in lines[0] and lines[0].endswith(" rid-readyz")
    assert '"GET /en/ HTTP/1.1" 200' in lines[1] and lines[1].endswith(" rid-en")
