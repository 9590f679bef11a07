"""PRACHUM_LOG_FORMAT=json: one JSON object per line, each with the request's id, and no private link."""

import json
import logging

import pytest
from django.test import RequestFactory

from prachum.core.request_ids import RequestIdFilter, current_task_id, sane_or_new
from prachum.tests.core.observability import ask_in_another_process, test_database_url

pytestmark = pytest.mark.django_db

TOKEN = "SeCrEt-token_0123456789abcdefghijklmnopqrs"


def test_json_lines_carry_the_request_id_and_hide_private_links():
    answers, log = ask_in_another_process(
        # Addresses that no URL pattern matches: Django logs them ("Not Found: <path>") after the middleware.
        [f"/en/r/{TOKEN}/no-such-page/ X-Request-ID=nginx-req.42_a", f"/en/r/{TOKEN}/ticket.pdf/more",
         f"/en/m/x/register/?invitation={TOKEN} X-Request-ID=bad\tid", "/en/ X-Request-ID=" + "a" * 65],
        PRACHUM_DATABASE_URL=test_database_url(), PRACHUM_LOG_FORMAT="json")
    named, generated, hostile, too_long = answers
    assert named["request_id"] == "nginx-req.42_a"
    for answer in (generated, hostile, too_long):
        assert len(answer["request_id"]) == 32 and int(answer["request_id"], 16) >= 0
    assert len({a["request_id"] for a in answers}) == 4

    assert TOKEN not in log
    lines = [json.loads(line) for line in log.splitlines() if line.strip()]  # every line is JSON
    not_found = [line for line in lines if line["message"].startswith("Not Found: ")]
    assert [line["request_id"] for line in not_found] == [named["request_id"], generated["request_id"],
                                                          hostile["request_id"]]
    assert not_found[0]["message"] == "Not Found: /en/r/[hidden]/no-such-page/"
    assert not_found[0]["level"] == "WARNING" and not_found[0]["logger"] == "django.request"
    assert not_found[0]["status_code"] == 404 and "timestamp" in not_found[0] and "request" not in not_found[0]


def test_plain_lines_stay_as_they_were():
    answers, log = ask_in_another_process([f"/en/r/{TOKEN}/x/"], PRACHUM_DATABASE_URL=test_database_url())
    assert answers[0]["status"] == 404 and TOKEN not in log
    (line,) = [line for line in log.splitlines() if "Not Found" in line]
    assert line.endswith(" WARNING django.request Not Found: /en/r/[hidden]/x/")


def test_a_sane_request_id_is_kept_anything_else_replaced():
    assert sane_or_new("0f" * 16) == "0f" * 16
    assert sane_or_new("a" * 64) == "a" * 64
    for hostile in ("a" * 65, "", None, "x y", "x\ny", "ລາວ", "x\x00", "<script>"):
        replaced = sane_or_new(hostile)
        assert replaced != hostile and len(replaced) == 32


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


def _log_from_a_task():
    logging.getLogger("prachum.tests.task").warning("working")


def test_a_celery_task_s_id_is_on_its_log_lines():
    from prachum.celery import app

    task = app.task(name="prachum.tests.log_from_a_task")(_log_from_a_task)
    kept = _Kept()
    logging.getLogger("prachum.tests.task").addHandler(kept)
    try:
        result = task.apply(task_id="5f0c-task")  # Celery's own tracer: its task_prerun and task_postrun signals
    finally:
        logging.getLogger("prachum.tests.task").removeHandler(kept)
    assert result.successful()
    (record,) = kept.records
    assert record.task_id == "5f0c-task" and current_task_id.get() is None


def test_gunicorns_json_access_and_error_lines(monkeypatch, tmp_path):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from prachum.registration.gunicorn_logger import Logger

    monkeypatch.setenv("PRACHUM_LOG_FORMAT", "json")
    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    config.set("errorlog", str(tmp_path / "error.log"))
    logger = Logger(config)
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/lo/r/{TOKEN}/?x=1", "PATH_INFO": f"/lo/r/{TOKEN}/",
               "QUERY_STRING": "x=1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.0.0.2",
               "HTTP_USER_AGENT": "ທົດສອບ"}
    response = SimpleNamespace(status="200 OK", sent=512, headers=[("X-Request-ID", "abc123")])
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(milliseconds=12))
    logger.error("Worker (pid:%s) was sent SIGKILL!", 42)

    (access,) = [json.loads(line) for line in (tmp_path / "access.log").read_text().splitlines()]
    assert access["request_id"] == "abc123" and access["status"] == 200 and access["path"] == "/lo/r/[hidden]/"
    assert access["duration_ms"] == 12.0 and access["user_agent"] == "ທົດສອບ" and TOKEN not in json.dumps(access)
    (error,) = [json.loads(line) for line in (tmp_path / "error.log").read_text().splitlines()]
    assert error["level"] == "ERROR" and error["message"] == "Worker (pid:42) was sent SIGKILL!"


def test_the_middleware_names_a_request_that_came_without_a_handler():
    from prachum.core.request_ids import RequestIdMiddleware, current_request_id

    seen = []
    middleware = RequestIdMiddleware(lambda request: seen.append(current_request_id.get()) or _ok())
    response = middleware(RequestFactory().get("/", HTTP_X_REQUEST_ID="from-proxy"))
    assert seen == ["from-proxy"] and response["X-Request-ID"] == "from-proxy"
    current_request_id.set(None)


def _ok():
    from django.http import HttpResponse

    return HttpResponse("ok")
