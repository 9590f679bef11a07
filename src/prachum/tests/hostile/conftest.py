"""The hostile tests' tally: each test counts the inputs it tried; the session ends with their sum."""

import pytest

from prachum.testing.hostile import TALLY


@pytest.fixture
def wsgi_in_test_transaction(settings):
    """The WSGI app as a server runs it (schemathesis calls it), but in the test's transaction: Django's own test
    client also keeps the end of a request from closing the database connection (and with it the test's data)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    settings.ALLOWED_HOSTS = ["*"]  # schemathesis's WSGI client names the host "localhost"
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield settings
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def hostile_tally():
    return TALLY


def pytest_terminal_summary(terminalreporter):
    if not TALLY.tried:
        return
    terminalreporter.section("hostile inputs")
    for what, count in sorted(TALLY.tried.items()):
        terminalreporter.write_line(f"  {what}: {count}")
    terminalreporter.write_line(f"hostile inputs: {TALLY.total} tried, {len(TALLY.errors)} server errors")
    for error in TALLY.errors[:20]:
        terminalreporter.write_line(f"  ! {error}")
