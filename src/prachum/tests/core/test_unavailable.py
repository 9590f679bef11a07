"""Which real database failures are "try again" (core.unavailable), and the page web.views.server_error makes of
them: 503, Retry-After, in the address's language, one log line without a traceback."""

import logging
import sqlite3

import psycopg
import pytest
from django.db import DatabaseError, IntegrityError
from django.db.utils import DatabaseErrorWrapper
from django.test import RequestFactory

from prachum.core import unavailable
from prachum.testing.smtp import free_port
from prachum.web.views import server_error


class _Wrapper:  # what Django's DatabaseErrorWrapper needs of a connection
    errors_occurred = False

    def __init__(self, driver):
        self.Database = driver


def _as_django(error: Exception, driver=sqlite3) -> Exception:
    """The error as Django's ORM raises it (django.db.utils's class, the driver's error as its cause)."""
    try:
        with DatabaseErrorWrapper(_Wrapper(driver)):
            raise error
    except DatabaseError as wrapped:
        return wrapped


def _sqlite_error(tmp_path, make) -> Exception:
    try:
        make(tmp_path / "db.sqlite3")
    except sqlite3.Error as error:
        return _as_django(error)
    raise AssertionError("SQLite did not fail")


def _full(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE t (x)")
    db.execute("PRAGMA max_page_count = 2")
    db.execute("INSERT INTO t VALUES (zeroblob(100000))")


def _read_only(path):
    sqlite3.connect(path).execute("CREATE TABLE t (x)")
    sqlite3.connect(f"file:{path}?mode=ro", uri=True).execute("INSERT INTO t VALUES (1)")


def _locked(path):
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE t (x)")
    holder.execute("BEGIN EXCLUSIVE")
    sqlite3.connect(path, timeout=0).execute("INSERT INTO t VALUES (1)")


def _bug(path):
    sqlite3.connect(path).execute("SELECT * FROM no_such_table")


@pytest.mark.parametrize("make, kind", [(_full, "storage"), (_read_only, "storage"), (_locked, "database"),
                                        (_bug, None)])
def test_sqlite_failures_are_told_apart_from_bugs(tmp_path, make, kind):
    assert unavailable.kind_of(_sqlite_error(tmp_path, make)) == kind


def _postgres_connection_error() -> Exception:
    try:
        psycopg.connect(f"host=127.0.0.1 port={free_port()} user=postgres connect_timeout=2")
    except psycopg.Error as error:
        return _as_django(error, psycopg)
    raise AssertionError("connected to a closed port")


def test_a_postgres_server_that_cannot_be_reached_is_unavailable_not_a_bug():
    assert unavailable.kind_of(_postgres_connection_error()) == "database"
    assert unavailable.kind_of(IntegrityError("duplicate key")) is None
    assert unavailable.kind_of(ValueError("a bug")) is None
    assert unavailable.kind_of(OSError(28, "No space left on device")) == "storage"


def _page_for(request, error):
    try:
        raise error
    except Exception:
        return server_error(request)


@pytest.mark.parametrize("language, text", [("lo", "ລອງໃໝ່"), ("en", "Please try again in a moment")])
def test_an_unreachable_database_is_a_503_in_the_language_of_the_address(language, text, caplog):
    request = RequestFactory().get(f"/{language}/m/some-meeting/")
    with caplog.at_level(logging.WARNING):
        response = _page_for(request, _postgres_connection_error())
    assert response.status_code == 503 and response["Retry-After"] == "10"
    html = response.content.decode()
    assert f'<html lang="{language}">' in html and 'data-kind="database"' in html
    assert "data-go-back" not in html  # a GET lost nothing
    if language == "en":
        assert text in html
    records = [r for r in caplog.records if r.name == "prachum.unavailable"]
    assert len(records) == 1 and records[0].exc_info is None
    assert "503 GET /" in records[0].getMessage() and "database unavailable" in records[0].getMessage()


def test_a_form_sent_to_a_full_disk_is_told_nothing_was_saved_and_offered_its_answers_back(tmp_path, caplog):
    request = RequestFactory().post("/en/m/some-meeting/register/", {"given_name": "Somphone"})
    with caplog.at_level(logging.WARNING):
        response = _page_for(request, _sqlite_error(tmp_path, _full))
    html = response.content.decode()
    assert response.status_code == 503
    assert "The server cannot save right now (its storage is full). Nothing was saved; try again later." in html
    assert "Your answers were not saved." in html
    assert 'href="/en/m/some-meeting/register/" data-go-back>Go back to your answers' in html
    assert "web/go_back" in html and "<script>" not in html  # a static file: the CSP forbids inline scripts
    (record,) = [r for r in caplog.records if r.name == "prachum.unavailable"]
    assert "data folder" in record.getMessage() and "database or disk is full" in record.getMessage()


def test_any_other_error_is_still_the_500_page():
    response = _page_for(RequestFactory().get("/en/"), ZeroDivisionError("a bug"))
    assert response.status_code == 500
