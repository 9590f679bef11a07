"""PostgreSQL restarted (and once killed) while people register through gunicorn, production's setup:
whatever got its 303 is saved, everything else is the 503 "try again" page in the person's language, never
a 500, and the nodes recover on their own (CONN_HEALTH_CHECKS drops the broken connection)."""

import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from prachum.tests.faults.site import Browser, Site


CLIENTS = 3
PAUSE = 0.4  # between one person's registrations: under the 200 a minute an address may send


def _registered_emails(url: str) -> set[str]:
    rows = subprocess.run(["psql", url, "-Atc", "SELECT email FROM registration_registration"],
                          capture_output=True, text=True, check=True).stdout
    return set(rows.split())


def test_registrations_during_postgres_restarts_are_saved_or_told_to_try_again(private_postgres, tmp_path):
    url = private_postgres.create_database("faults")
    site = Site(tmp_path / "data", database_url=url)
    slug, category = site.prepare()
    site.start(workers=2)
    answers = []  # (language, get/post, status, body, email, seconds, when)
    stop = threading.Event()

    def person(n: int) -> None:
        browser = Browser(site.url)
        i = 0
        while not stop.is_set():
            language = ("lo", "en")[(n + i) % 2]
            email = f"p{n}-{i}@example.org"
            step, status, body, headers, seconds = browser.register(slug, category, email, language)
            answers.append((language, step, status, body, email, seconds, time.monotonic(), headers))
            i += 1
            time.sleep(PAUSE)

    try:
        with ThreadPoolExecutor(CLIENTS) as pool:
            for n in range(CLIENTS):
                pool.submit(person, n)
            time.sleep(3)
            private_postgres.restart()
            time.sleep(3)
            private_postgres.kill()
            time.sleep(1.5)
            back_at = time.monotonic()
            private_postgres.start()
            started_at = time.monotonic()
            time.sleep(4)
            stop.set()
    finally:
        site.stop()

    saved = _registered_emails(url)
    statuses = [a[2] for a in answers]
    assert set(statuses) <= {200, 303, 503}, sorted(set(statuses))
    assert statuses.count(503) > 0, "the faults were not seen: the test tests nothing"
    for language, step, status, body, email, seconds, when, headers in answers:
        if status == 303:
            assert step == "post" and email in saved
        if status == 503:
            assert f'<html lang="{language}">' in body and 'data-kind="database"' in body
            assert headers.get("Retry-After") == "10"
            assert ("data-go-back" in body) == (step == "post")
        assert seconds < 15, f"a request waited {seconds:.1f} s"
    first_after = min(when for _l, step, status, *_rest, when, _h in answers if status == 303 and when > started_at)
    later = [a[2] for a in answers if a[6] > first_after and a[1] == "post"]
    assert later and set(later) == {303}, "after the first success, every registration succeeds"
    log = site.log_text()
    assert "Traceback" not in log and "Error handling request" not in log, log[-3000:]
    print(f"\nPostgreSQL restart+kill under {CLIENTS} clients: {statuses.count(303)} x 303, "
          f"{statuses.count(503)} x 503, {statuses.count(200)} x 200 (form), "
          f"first 303 {first_after - started_at:.2f} s after PostgreSQL was up again "
          f"({started_at - back_at:.2f} s to start), log lines 503: {log.count(' 503 ')}")
