"""PostgreSQL restarted (and once killed) while people register through gunicorn, production's setup:
whatever got its 303 is saved, everything else is the 503 "try again" page in the person's language, never
a 500, and the nodes recover on their own (CONN_HEALTH_CHECKS drops the broken connection)."""

import subprocess

import pytest

from prachum.tests.faults.site import Site, check_restart_answers, register_through_postgres_restarts

pytestmark = pytest.mark.cluster


def registered_emails(url: str) -> set[str]:
    rows = subprocess.run(["psql", url, "-Atc", "SELECT email FROM registration_registration"],
                          capture_output=True, text=True, check=True).stdout
    return set(rows.split())


def test_registrations_during_postgres_restarts_are_saved_or_told_to_try_again(private_postgres, tmp_path):
    url = private_postgres.create_database("faults")
    site = Site(tmp_path / "data", database_url=url)
    slug, category = site.prepare()
    site.start(workers=2)
    try:
        run = register_through_postgres_restarts(site.url, slug, category, private_postgres)
    finally:
        site.stop()
    figures = check_restart_answers(run, registered_emails(url), "gunicorn (2 workers), PostgreSQL restart + kill")
    log = site.log_text()
    assert "Traceback" not in log and "Error handling request" not in log, log[-3000:]
    print(f"\n{figures}; 503 log lines: {log.count(' 503 ')}")
