#!/usr/bin/env python3
"""Where one registration's time goes: the form's GET and POST, served in-process, one after another.

    .venv/bin/python bench/profile_register.py --db postgres
    PYTHONPATH=/tmp/tools .venv/bin/python bench/profile_register.py --db postgres --requests 300   # with pyinstrument

A fresh database and the meeting bench/registrations.py registers for (two categories, no questions;
--questions 2 for two), then N visitors through the real WSGI application (all middleware, CSRF,
DEBUG off), each: GET the form, POST it (multipart, a unique email), expect 303. It prints:

  1. the mean milliseconds of the GET and of the POST, uninstrumented (one thread: the CPU cost);
  2. the parts of the POST, timed by wrapping the product's functions in this process (nothing in src/
     changes): form validation, submit_registration, and inside it what runs before the meeting lock
     (the guess, the answers, rendering the email, the audit and message rows), the lock's hold (from
     the row lock to the commit) and the recount under it; and the after-commit mail job of the
     background thread;
  3. the SQL of one GET and one POST, marking the statements that run under the meeting lock;
  4. with pyinstrument importable: the call trees of the GETs and of the POSTs (printed; HTML in bench/results/).
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import harness as bench  # noqa: E402
from registrations_load import CSRF_TOKEN, FORM_TOKEN, SENT_LOCATION, Plan, multipart  # noqa: E402
from registrations_meeting import make_meeting, prepare  # noqa: E402


class Visitor:
    """Requests through a WSGI application with a cookie jar."""

    def __init__(self, app, host: str):
        self.app, self.host, self.cookies = app, host, {}

    def __call__(self, method: str, path: str, body: bytes = b"", content_type: str = "") -> tuple[int, dict, str]:
        from wsgiref.util import setup_testing_defaults

        environ = {
            "PATH_INFO": path, "REQUEST_METHOD": method, "HTTP_HOST": self.host, "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": self.host.rsplit(":", 1)[-1], "REMOTE_ADDR": "127.0.0.1", "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)), "HTTP_ACCEPT": "text/html",
        }
        if content_type:
            environ["CONTENT_TYPE"] = content_type
            environ["HTTP_ORIGIN"] = f"http://{self.host}"
        if self.cookies:
            environ["HTTP_COOKIE"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        setup_testing_defaults(environ)
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), headers

        result = self.app(environ, start_response)
        try:
            data = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        headers = {}
        for name, value in answer["headers"]:
            if name.lower() == "set-cookie":
                key, _, val = value.partition(";")[0].partition("=")
                self.cookies[key] = val
            else:
                headers[name.lower()] = value
        return answer["status"], headers, data.decode("utf-8", "replace")


class Timers:
    """Wall time of wrapped functions, in this process (the main thread and the mail pool's threads)."""

    def __init__(self):
        self.total = defaultdict(float)
        self.cpu = defaultdict(float)
        self.calls = defaultdict(int)
        self.lock = threading.Lock()
        self.local = threading.local()

    def add(self, name: str, seconds: float, cpu: float = 0.0) -> None:
        with self.lock:
            self.total[name] += seconds
            self.cpu[name] += cpu
            self.calls[name] += 1

    def wrap(self, owner, attribute: str, name: str, after=None):
        original = getattr(owner, attribute)

        def wrapped(*args, **kwargs):
            t0, c0 = time.perf_counter(), time.thread_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - t0, time.thread_time() - c0)
                if after:
                    after()

        wrapped.__wrapped__ = original
        setattr(owner, attribute, wrapped)

    def reset(self):
        self.total.clear()
        self.cpu.clear()
        self.calls.clear()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="postgres")
    parser.add_argument("--requests", type=int, default=300, help="visitors per measurement (default 300)")
    parser.add_argument("--questions", type=int, choices=[0, 2], default=0)
    parser.add_argument("--lang", choices=["en", "lo"], default="en")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--interval", type=float, default=0.0002, help="pyinstrument sampling interval (s)")
    parser.add_argument("--settings", default="benchsite.settings",
                        help="settings module (default benchsite.settings); to try a change: one that imports it")
    parser.add_argument("--pythonpath", action="append", default=[], help="extra folder for --settings (repeatable)")
    args = parser.parse_args(argv)
    sys.path[:0] = args.pythonpath

    tmp = Path(tempfile.mkdtemp(prefix="prachum-profile-register-"))
    pg_name = url = None
    if args.db == "postgres":
        pg_name = f"prachum_profile_register_{os.getpid()}"
        url = bench.pg_create(args.pg_admin_url, pg_name)
    try:
        site = bench.Site(args.db, tmp, url, args.pg_admin_url if url else None)
        prepare(site)
        slug = "bench-profile"
        categories = make_meeting(site, slug, questions=args.questions, capacity=1_000_000)
        os.environ.clear()
        os.environ.update(site.env, DJANGO_SETTINGS_MODULE=args.settings)
        import django

        django.setup()
        from django.core.wsgi import get_wsgi_application
        from django.db import connection
        from django.db.backends.signals import connection_created
        from django.test.utils import CaptureQueriesContext

        import prachum.notify.services as notify_services
        import prachum.registration.services as registration_services
        import prachum.registration.services.submission as submission
        from prachum.registration.forms import RegistrationForm
        from prachum.registration.models import Registration

        app = get_wsgi_application()
        host = f"127.0.0.1:{site.port}"
        path = f"/{args.lang}/m/{slug}/register/"
        plan = Plan(tag="profile", categories=categories, approval_share=0.5, questions=args.questions)
        counter = iter(range(10**9))

        def visit(on_get=None, on_post=None) -> None:
            n = next(counter)
            visitor = Visitor(app, host)
            t0, c0 = time.perf_counter(), time.thread_time()
            status, _h, page = visitor("GET", path)
            t1, c1 = time.perf_counter(), time.thread_time()
            assert status == 200, status
            if on_get:
                on_get(t1 - t0, c1 - c0)
            csrf, token = CSRF_TOKEN.search(page).group(1), FORM_TOKEN.search(page).group(1)
            body, content_type = multipart(plan.fields(n, csrf, token))
            t2, c2 = time.perf_counter(), time.thread_time()
            status, headers, _ = visitor("POST", path, body, content_type)
            t3, c3 = time.perf_counter(), time.thread_time()
            assert status == 303 and SENT_LOCATION.match(headers.get("location", "")), (status, headers)
            if on_post:
                on_post(t3 - t2, c3 - c2)

        def settle():
            """Wait for the mail pool to hold every message (it runs in this process's threads)."""
            from prachum.notify.models import Message

            for _ in range(200):
                if not Message.objects.filter(status__in=["queued", "sending"]).exists():
                    return
                time.sleep(0.05)

        print(f"\n==== {path} ({args.db}, {'no questions' if not args.questions else '2 questions'})")
        for _ in range(40):  # warm-up: templates, connections, caches
            visit()
        settle()

        # 1. Uninstrumented.
        gets, posts = [], []
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        for _ in range(args.requests):
            visit(lambda w, c: gets.append((w, c)), lambda w, c: posts.append((w, c)))
        settle()
        wall = time.perf_counter() - t0
        process_cpu = (time.process_time() - cpu0) / args.requests * 1000
        mean = lambda xs, i: sum(x[i] for x in xs) / len(xs) * 1000  # noqa: E731
        print(f"1. uninstrumented, {args.requests} visitors one after another (ms per registration):\n"
              f"   GET   {mean(gets, 0):6.2f} wall {mean(gets, 1):6.2f} CPU of the request's thread\n"
              f"   POST  {mean(posts, 0):6.2f} wall {mean(posts, 1):6.2f} CPU of the request's thread\n"
              f"   the whole process (request + mail pool threads): {process_cpu:.2f} ms CPU per registration, "
              f"{wall / args.requests * 1000:.2f} ms wall; ≈ {1000 / process_cpu:.0f} registrations/s per core of Python at most")

        # 2. The parts, by wrapping.
        timers = Timers()
        lock_taken = threading.local()

        def note_lock():
            lock_taken.at, lock_taken.cpu = time.perf_counter(), time.thread_time()

        def note_commit():
            if getattr(lock_taken, "at", None) is not None:
                timers.add("  meeting lock held (row lock → commit)", time.perf_counter() - lock_taken.at,
                           time.thread_time() - lock_taken.cpu)
                lock_taken.at = None

        timers.wrap(RegistrationForm, "full_clean", "form validation (RegistrationForm.full_clean)")
        timers.wrap(registration_services, "submit_registration", "submit_registration (transaction, commit included)",
                    after=note_commit)
        timers.wrap(submission, "_earlier_submit", "  _earlier_submit (before the lock)")
        timers.wrap(Registration, "full_clean", "  Registration.full_clean (before the lock)")
        timers.wrap(submission, "lock_meeting", "  lock_meeting (waiting for and taking the row lock)", after=note_lock)
        timers.wrap(submission, "likely_has_room", "  likely_has_room (the guess, before the lock)")
        timers.wrap(submission, "save_answers", "  save_answers")
        timers.wrap(submission, "render_registration_email", "  render_registration_email (before the lock)")
        timers.wrap(submission, "audit", "  audit (AuditEvent row, before the lock)")
        timers.wrap(submission, "tell", "  tell → queue_message (Message row, before the lock)")
        timers.wrap(submission, "quotas_and_seats_taken", "    quotas_and_seats_taken (under the lock)")
        timers.wrap(notify_services, "deliver_message", "after commit, mail pool thread: deliver_message (held)")
        opened = []
        connection_created.connect(lambda sender, connection, **kw: opened.append(threading.current_thread().name),
                                   weak=False)
        timers.reset()
        t0 = time.perf_counter()
        for _ in range(args.requests):
            visit(lambda w, c: timers.add("GET (the form)", w, c), lambda w, c: timers.add("POST (the submit, whole request)", w, c))
        settle()
        wall = time.perf_counter() - t0
        print(f"\n2. the parts, mean ms per registration over {args.requests} (wrapped): wall, and CPU of the thread")
        order = ["GET (the form)", "POST (the submit, whole request)", "form validation (RegistrationForm.full_clean)",
                 "submit_registration (transaction, commit included)", "  Registration.full_clean (before the lock)",
                 "  _earlier_submit (before the lock)", "  lock_meeting (waiting for and taking the row lock)",
                 "  likely_has_room (the guess, before the lock)", "  save_answers",
                 "  render_registration_email (before the lock)", "  audit (AuditEvent row, before the lock)",
                 "  tell → queue_message (Message row, before the lock)",
                 "  meeting lock held (row lock → commit)", "    quotas_and_seats_taken (under the lock)",
                 "after commit, mail pool thread: deliver_message (held)"]
        for name in order:
            if timers.calls.get(name):
                cpu = f"{timers.cpu[name] / args.requests * 1000:7.2f}"
                print(f"   {timers.total[name] / args.requests * 1000:7.2f} {cpu} ms  {name}"
                      + (f"  ({timers.calls[name]} calls)" if timers.calls[name] != args.requests else ""))
        print(f"   database connections opened: {len(opened) / args.requests:.2f} per registration "
              f"({', '.join(sorted(set(opened))) or 'none'}); {wall / args.requests * 1000:.2f} ms wall per visitor in all")

        # 3. SQL of one GET and one POST.
        visitor = Visitor(app, host)
        with CaptureQueriesContext(connection) as get_sql:
            status, _h, page = visitor("GET", path)
        csrf, token = CSRF_TOKEN.search(page).group(1), FORM_TOKEN.search(page).group(1)
        body, content_type = multipart(plan.fields(next(counter), csrf, token))
        with CaptureQueriesContext(connection) as post_sql:
            status, headers, _ = visitor("POST", path, body, content_type)
        settle()
        for what, captured in (("GET", get_sql), ("POST", post_sql)):
            queries = captured.captured_queries
            print(f"\n3. {what}: {len(queries)} SQL statements, {sum(float(q['time']) for q in queries) * 1000:.2f} ms"
                  + (" (* = under the meeting lock)" if what == "POST" else ""))
            locked = False
            for q in queries:
                sql = q["sql"]
                if what == "POST" and re.search(r"FOR NO KEY UPDATE|BEGIN IMMEDIATE", sql) and '"meetings_meeting"' in sql:
                    locked = True
                print(f"   {'*' if locked else ' '} {float(q['time']) * 1000:6.2f} ms  {sql[:150]}")
                # (Django does not log COMMIT on PostgreSQL: the lock ends with the last statement of the service.)

        # 4. pyinstrument.
        try:
            from pyinstrument import Profiler
        except ImportError:
            print("\n4. (no pyinstrument: pip install --target /tmp/tools pyinstrument; PYTHONPATH=/tmp/tools)")
            return 0
        get_profiler, post_profiler = Profiler(interval=args.interval), Profiler(interval=args.interval)
        for _ in range(args.requests):
            n = next(counter)
            visitor = Visitor(app, host)
            get_profiler.start()
            status, _h, page = visitor("GET", path)
            get_profiler.stop()
            csrf, token = CSRF_TOKEN.search(page).group(1), FORM_TOKEN.search(page).group(1)
            body, content_type = multipart(plan.fields(n, csrf, token))
            post_profiler.start()
            status, headers, _ = visitor("POST", path, body, content_type)
            post_profiler.stop()
            assert status == 303, status
        settle()
        bench.RESULTS_DIR.mkdir(exist_ok=True)
        for what, profiler in (("GET", get_profiler), ("POST", post_profiler)):
            print(f"\n4. {what} call tree ({args.requests} requests):")
            print(profiler.output_text(unicode=True, color=False, show_all=False))
            out = bench.RESULTS_DIR / f"profile-register-{args.db}-{what.lower()}.html"
            out.write_text(profiler.output_html())
            print(f"call tree: {out.relative_to(bench.ROOT)}")
    finally:
        if pg_name:
            try:
                from django.db import connections

                connections.close_all()
            except Exception:
                pass
            bench.pg_drop(args.pg_admin_url, pg_name)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
