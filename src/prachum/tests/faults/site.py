"""A Prachum site of its own for fault tests: its data folder, its database (SQLite there, or one on a private
PostgreSQL), an open meeting, gunicorn as production runs it, and browsers that register through HTTP."""

import http.cookiejar
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from prachum.testing.services import wait_for_port
from prachum.testing.smtp import free_port

BIN = Path(sys.executable).parent
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
# Made in `prachum shell` with the tests' own factories: prints the meeting's slug and the category's id.
MAKE_MEETING = """
from prachum.registration.tests.web import open_category, open_meeting
meeting = open_meeting(slug="faults")
print("MEETING", meeting.slug, open_category(meeting).pk)
"""


class Site:
    def __init__(self, data_dir: Path, database_url: str | None = None, redis_url: str | None = None,
                 email_url: str | None = None, log_dir: Path | None = None):
        self.data_dir = Path(data_dir)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_")}
        self.env.update(PRACHUM_DATA_DIR=str(self.data_dir), PRACHUM_BASE_URL=self.url, PRACHUM_LOG_LEVEL="WARNING",
                        PRACHUM_SECRET_KEY="faults-" + "k" * 60)
        for name, value in (("DATABASE", database_url), ("REDIS", redis_url), ("EMAIL", email_url)):
            if value:
                self.env[f"PRACHUM_{name}_URL"] = value
        self.log = Path(log_dir or self.data_dir.parent) / f"gunicorn-{self.port}.log"
        self.gunicorn: subprocess.Popen | None = None

    def prachum(self, *args: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess:
        done = subprocess.run([str(BIN / "prachum"), *args], env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if check and done.returncode:
            raise AssertionError(f"prachum {' '.join(args)}: {done.stdout}{done.stderr}")
        return done

    def prepare(self) -> tuple[str, str]:
        """Migrated, with an open meeting: (its slug, its category's id)."""
        self.prachum("migrate", "--no-input", "-v", "0")
        out = self.prachum("shell", "-c", MAKE_MEETING).stdout
        _word, slug, category = out[out.index("MEETING"):].split()[:3]
        return slug, category

    def start(self, workers: int = 2) -> "Site":
        self.gunicorn = subprocess.Popen(
            [str(BIN / "gunicorn"), "-c", "python:prachum.gunicorn_config", "prachum.wsgi:application",
             "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}"],
            env=self.env, stdout=open(self.log, "a"), stderr=subprocess.STDOUT, start_new_session=True)
        wait_for_port(self.port, timeout=60)
        return self

    def stop(self) -> None:
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.terminate()
            self.gunicorn.wait(timeout=30)

    def log_text(self) -> str:
        return self.log.read_text() if self.log.exists() else ""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One person: cookies kept, redirects not followed; answers (status, body, headers)."""

    def __init__(self, base_url: str, language: str = "en"):
        self.base_url = base_url
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirects())

    def request(self, path: str, data: dict | None = None, timeout: float = 30) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base_url + path, data=body, headers={"Referer": self.base_url + path})
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def register(self, slug: str, category: str, email: str, language: str, before_post=lambda: None
                 ) -> tuple[str, int, str, dict, float]:
        """Loads the form and sends it: ("get" or "post", status, body, headers, seconds) of the last request.
        `before_post()` runs in between (the disk fills while the person types)."""
        path = f"/{language}/m/{slug}/register/"
        started = time.monotonic()
        status, page, headers = self.request(path)
        if status != 200:
            return "get", status, page, headers, time.monotonic() - started
        data = {"honorific": "ms", "given_name": "Keo", "family_name": "Phommachanh", "name_lo": "ແກ້ວ ພົມມະຈັນ",
                "gender": "female", "position": "Deputy Director", "email": email, "phone": "020 5551 2345",
                "category": category, "consent": "on", "csrfmiddlewaretoken": CSRF_TOKEN.search(page).group(1),
                "form_token": FORM_TOKEN.search(page).group(1)}
        before_post()
        started = time.monotonic()
        status, body, headers = self.request(path, data)
        return "post", status, body, headers, time.monotonic() - started


def register_through_postgres_restarts(base_url: str, slug: str, category: str, postgres, clients: int = 3,
                                       pause: float = 0.4) -> dict:
    """`clients` people register again and again (Lao and English in turn, `pause` s apart: under the 200 a
    minute one address may send) while PostgreSQL restarts, then is killed and, once they met it, started again. Returns the
    answers (language, get/post, status, body, email, seconds, when, headers) and when PostgreSQL was up."""
    answers = []
    stop = threading.Event()

    def person(n: int) -> None:
        browser = Browser(base_url)
        i = 0
        while not stop.is_set():
            language = ("lo", "en")[(n + i) % 2]
            email = f"p{n}-{i}@example.org"
            step, status, body, headers, seconds = browser.register(slug, category, email, language)
            answers.append((language, step, status, body, email, seconds, time.monotonic(), headers))
            i += 1
            time.sleep(pause)

    with ThreadPoolExecutor(clients) as pool:
        futures = [pool.submit(person, n) for n in range(clients)]
        time.sleep(3)
        postgres.restart()
        time.sleep(3)
        postgres.kill()
        killed_at = time.monotonic()
        # Down until the people have met it (a form page may come from the cache, without the database).
        while not any(a[2] != 303 and a[6] > killed_at for a in answers) and time.monotonic() - killed_at < 20:
            time.sleep(0.1)
        time.sleep(0.5)
        postgres.start()
        up_at = time.monotonic()
        time.sleep(4)
        stop.set()
        for future in futures:
            future.result()
    return {"answers": answers, "up_at": up_at}


def check_restart_answers(run: dict, saved: set[str], label: str) -> str:
    """Every 303 saved, every other answer the 503 page in the request's language, success again after the
    restart: the figures, for the test to print."""
    answers, up_at = run["answers"], run["up_at"]
    statuses = [a[2] for a in answers]
    assert set(statuses) <= {200, 303, 503}, sorted(set(statuses))
    assert statuses.count(503) > 0, "the faults were not seen: the test tests nothing"
    for language, step, status, body, email, seconds, _when, headers in answers:
        if status == 303:
            assert step == "post" and email in saved
        if status == 503:
            assert f'<html lang="{language}">' in body and 'data-kind="database"' in body, body[:300]
            assert headers.get("Retry-After") == "10"
            assert ("data-go-back" in body) == (step == "post")
        assert seconds < 15, f"a request waited {seconds:.1f} s"
    first_after = min(a[6] for a in answers if a[2] == 303 and a[6] > up_at)
    later = [a[2] for a in answers if a[6] > first_after and a[1] == "post"]
    assert later and set(later) == {303}, "after the first success, every registration succeeds"
    return (f"{label}: {statuses.count(303)} x 303, {statuses.count(503)} x 503 "
            f"({sum(1 for a in answers if a[2] == 503 and a[1] == 'post')} of them POSTs), "
            f"first 303 {first_after - up_at:.2f} s after PostgreSQL was up again")
