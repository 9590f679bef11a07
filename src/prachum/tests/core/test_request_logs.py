"""What requests leave in the log as configured (settings.LOGGING's console handler): a 403 is one line, a
server error keeps its traceback; a private link is never served under a percent-encoded path, and its token
is hidden in the log however the path was spelled."""

import io
import logging
from contextlib import contextmanager

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.log import log_response

from prachum.meetings.tests.factories import make_meeting, make_user
from prachum.registration.tests.web import (
    manage_token_of, manage_url, open_category, open_meeting, register_url, valid_data,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    from django.core.cache import cache

    cache.clear()  # rate-limit counts of the registration form


@contextmanager
def console_log():
    """What the configured console handler writes, while the block runs."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_a_403_is_logged_in_one_line_and_a_500_with_its_traceback(client):
    meeting = make_meeting(slug="closed-doors")
    client.force_login(make_user())
    with console_log() as log:
        assert client.get(f"/en/manage/{meeting.slug}/").status_code == 403
    lines = log.getvalue().splitlines()
    assert len(lines) == 1 and "Forbidden" in lines[0] and "/en/manage/closed-doors/" in lines[0]
    assert "Traceback" not in log.getvalue()

    request = RequestFactory().get("/en/broken/")
    try:
        raise RuntimeError("a real bug")
    except RuntimeError as error:
        with console_log() as log:
            log_response("Internal Server Error: %s", request.path, response=HttpResponse(status=500),
                         request=request, exception=error)
    assert "Traceback" in log.getvalue() and "RuntimeError: a real bug" in log.getvalue()


@pytest.fixture
def token(client):
    meeting = open_meeting(slug="escapes", title_en="Escapes", title_lo="ທົດລອງ")
    category = open_category(meeting, code="delegate")
    return manage_token_of(client.post(register_url(meeting), valid_data(category)))


@pytest.mark.parametrize("spelling", ["/en/%72/{token}/", "/en/r%2F{token}/", "/en/r/{token}%2Fticket.pdf",
                                      "/%65n/r/{token}/"])
def test_a_private_link_spelled_with_needless_escapes_is_not_served(client, token, spelling):
    raw = spelling.format(token=token)
    with console_log() as log:
        # gunicorn gives Django the decoded path and the request line as sent (RAW_URI).
        response = client.get(raw, RAW_URI=raw)
    assert response.status_code == 404
    assert "Phommachanh" not in response.content.decode()  # the person's page is not served
    assert token not in log.getvalue()
    page = client.get(manage_url(token), RAW_URI=manage_url(token))
    assert page.status_code == 200 and "Phommachanh" in page.content.decode()


def test_a_lao_address_keeps_its_needed_escapes(client):
    # Non-ASCII letters must be escaped in a URL: those are served as before.
    raw = "/lo/m/%E0%BA%81/"
    assert client.get(raw, RAW_URI=raw).status_code == 404  # no such meeting, but not refused for its escapes
    assert client.get("/lo/", RAW_URI="/lo/?q=%72").status_code == 200  # a query may escape what it likes


@pytest.mark.parametrize("spelling", ["/en/%72/{token}/", "/en/%2F%72%2f{token}/", "/lo/%6A%6F%69%6E/{token}/",
                                      "/en/m/x/register/?%69nvitation%3D{token}"])
def test_gunicorns_access_log_hides_a_percent_encoded_token(spelling):
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from prachum.registration.gunicorn_logger import Logger

    raw = spelling.format(token="SeCrEt_token")
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": raw, "PATH_INFO": raw.split("?")[0], "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    atoms = Logger(Config()).atoms(SimpleNamespace(status="404 Not Found", sent=10, headers=[]),
                                   SimpleNamespace(headers=[]), environ, timedelta(seconds=1))
    assert "SeCrEt_token" not in repr(atoms)
