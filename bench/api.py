#!/usr/bin/env python3
"""The public API under load (issue 20), in the production shape of bench/production.py: gunicorn with the product
config, PostgreSQL, Redis (cache, rate limits, Celery's queue), an asyncio + httpx client at c=16.

    .venv/bin/python bench/api.py                      # create 1,000, list 5,000 page by page, fan out 1,000 webhooks
    .venv/bin/python bench/api.py --creates 300 --people 2000 --events 300  # quicker
    .venv/bin/python bench/api.py --src /tmp/perf-old/src   # another tree's src/ (run each tree in turn)

1. create: --creates registrations through POST /api/v1/meetings/<slug>/registrations/ (each with its own
   Idempotency-Key and email), c=16, a manager's read-write token narrowed to the meeting;
2. the meeting is filled up to --people registrations (the same POST, not counted), then list: each of the 16
   clients walks every page (page_size 100, the cursor's `next` link) from the first to the last;
3. webhooks: a hook on registration.created to a receiver in this process (it checks each signature); --events
   registrations are made while no worker runs (their deliveries wait in the queue), then a Celery worker starts:
   the figure is the time from its start to the last delivery received.
Prints p50/p95/p99 per request (targets: < 150 ms per create and per page) and CPU ms per request (app = gunicorn,
pg = the database's backends), then the fan-out time (target: ≤ 10 s for 1,000).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import harness as bench  # noqa: E402
import production  # noqa: E402
from production import REGISTER_SLUG, Run, Tree, fmt, measure, tls_settings  # noqa: E402

log = bench.log
TARGET_P99_MS = 150
TARGET_FANOUT_S = 10.0

TOKEN = """
from prachum.accounts.models import User
from prachum.api.services import create_token
from prachum.meetings.models import Meeting, MeetingRole
meeting = Meeting.objects.get(slug=%(slug)r)
user = User.objects.create_user(username="bench-api", email="bench-api@example.org", password=None)
MeetingRole.objects.create(meeting=meeting, user=user, role="manager")
_token, secret = create_token(owner=user, name="bench", scope="write", meeting=meeting)
print(secret)
"""

HOOK = """
from prachum.accounts.models import User
from prachum.api.webhooks import create_webhook
from prachum.meetings.models import Meeting
meeting = Meeting.objects.get(slug=%(slug)r)
hook, secret = create_webhook(meeting=meeting, url=%(url)r, event_kinds=["registration.created"],
                              owner=User.objects.get(username="bench-api"))
print(secret)
"""


def body(n: int, tag: str, categories: dict) -> dict:
    # The category that needs no approval and asks no passport: the API takes no answers to questions.
    return {"category": categories.get("observer") or min(categories.values()), "given_name": f"Api {n}",
            "family_name": "Phommachanh", "email": f"api-{tag}-{n}@example.org", "language": "lo"}


async def create_one(client, path: str, n: int, tag: str, categories: dict):
    t0 = time.perf_counter()
    try:
        answer = await client.post(path, json=body(n, tag, categories), headers={"Idempotency-Key": uuid.uuid4().hex})
    except Exception as exc:  # timeouts, resets
        return False, type(exc).__name__, None
    took = time.perf_counter() - t0
    if answer.status_code != 201:
        return False, f"POST {answer.status_code} {answer.text[:80]}", took
    return True, "", took


def run_creates(tree: Tree, base: str, args, count: int, tag: str, rate: float | None = None) -> Run:
    import httpx

    path = f"/api/v1/meetings/{REGISTER_SLUG}/registrations/"

    async def work_for(_task):
        client = httpx.AsyncClient(base_url=base, timeout=args.timeout, verify=tls_settings(),
                                   headers={"Authorization": f"Bearer {tree.api_token}"})

        async def work(n):
            return await create_one(client, path, n, tag, tree.categories)
        return work, client.aclose

    return measure(tree, 1, "create", lambda: asyncio.run(production.drive(args.clients, range(count), work_for, rate)),
                   rate)


def run_listing(tree: Tree, base: str, args) -> Run:
    """Each client walks every page; a result per page."""
    import httpx

    first = f"/api/v1/meetings/{REGISTER_SLUG}/registrations/?page_size=100"

    async def walk(_n):
        results = []
        async with httpx.AsyncClient(base_url=base, timeout=args.timeout, verify=tls_settings(),
                                     headers={"Authorization": f"Bearer {tree.api_token}"}) as client:
            url, seen = first, 0
            while url:
                t0 = time.perf_counter()
                try:
                    answer = await client.get(url)
                except Exception as exc:
                    results.append((False, type(exc).__name__, None))
                    break
                took = time.perf_counter() - t0
                if answer.status_code != 200:
                    results.append((False, f"GET {answer.status_code}", took))
                    break
                page = answer.json()
                seen += len(page["results"])
                results.append((True, "", took))
                url = page["next"]
        if seen < args.people:
            results.append((False, f"walked {seen} of {args.people}", None))
        return results

    async def load():
        t0 = time.perf_counter()
        walks = await asyncio.gather(*(walk(n) for n in range(args.clients)))
        return [r for w in walks for r in w], time.perf_counter() - t0

    return measure(tree, 1, "list page", lambda: asyncio.run(load()))


class Receiver:
    """An HTTP server that takes webhook deliveries, checks each signature and notes when each arrived."""

    def __init__(self):
        self.secret = b""
        self.arrived: list[float] = []
        self.bad: list[str] = []
        self.events: set[str] = set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                stamp = self.headers.get("Prachum-Timestamp", "")
                expected = hmac.new(receiver.secret, stamp.encode() + b"." + raw, hashlib.sha256).hexdigest()
                given = self.headers.get("Prachum-Signature", "")
                if not hmac.compare_digest(given, f"v1={expected}"):
                    receiver.bad.append(given[:20])
                receiver.events.add(self.headers.get("Prachum-Delivery", ""))
                receiver.arrived.append(time.perf_counter())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def run_fanout(tree: Tree, base: str, args) -> dict:
    receiver = Receiver()
    receiver.secret = tree.site.shell_value(HOOK % {"slug": REGISTER_SLUG, "url": receiver.url}).strip().encode()
    made = run_creates(tree, base, args, args.events, "hook")  # no worker yet: the deliveries wait
    env = dict(tree.env(bench.free_port()), DJANGO_SETTINGS_MODULE="benchsite.settings", PYTHONPATH=os.pathsep.join(
        filter(None, [str(tree.src) if tree.src else "", str(BENCH_DIR)])))
    started = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "prachum", "worker", "--loglevel", "WARNING", "--concurrency", "2",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=env, cwd=bench.ROOT, stdout=open(tree.site.data_dir / "celery.log", "a"), stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        deadline = started + 120
        while len(receiver.arrived) < made.ok and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, 15)
        worker.wait(timeout=30)
        receiver.server.shutdown()
    if len(receiver.arrived) < made.ok:
        tail = (tree.site.data_dir / "celery.log").read_text(errors="replace").splitlines()[-15:]
        log("  the worker's log ends:\n    " + "\n    ".join(tail))
        served = Path(tree.site.gunicorn_log).read_text(errors="replace").splitlines()
        log(f"  gunicorn's log: {len(served)} lines; its last: " + "\n    ".join(served[-8:]))
    last = max(receiver.arrived) if receiver.arrived else None
    return {"events": made.ok, "received": len(receiver.arrived), "distinct": len(receiver.events),
            "bad_signatures": len(receiver.bad), "seconds": None if last is None else last - started,
            "first_after": None if not receiver.arrived else min(receiver.arrived) - started}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--people", type=int, default=5000, help="registrations the list walks (default 5000)")
    parser.add_argument("--events", type=int, default=1000, help="webhook deliveries fanned out (default 1000)")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--paced", type=float, default=0.5,
                        help="then creates asked at this fraction of the closed-loop rate (0: none)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--redis-base", default="redis://127.0.0.1:6379")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--src", type=Path, default=None,
                        help="measure another source tree (its src/ folder) instead of this one")
    args = parser.parse_args(argv)
    if problem := bench.pg_unreachable(args.pg_admin_url):
        log(f"PostgreSQL unreachable ({problem}): nothing to measure")
        return 1
    args.people_at_door, args.warmup = 10, 0
    log(f"Prachum's API  {time.strftime('%Y-%m-%d %H:%M')}  commit {bench.git_commit()}  {os.cpu_count()} cores  "
        f"load average {os.getloadavg()[0]:.2f}  c={args.clients}, httpx, PostgreSQL + Redis, gunicorn")
    tmp = Path(tempfile.mkdtemp(prefix="prachum-api-"))
    tree_args = argparse.Namespace(redis_base=args.redis_base, pg_admin_url=args.pg_admin_url, people=10)
    tree = Tree("api", args.src.resolve() if args.src else None, 10, tree_args, tmp)
    runs, fanout = [], {}
    try:
        tree.prepare()
        log(f"  prachum from {tree.site.shell_value('import prachum; print(prachum.__file__)').strip()}")
        tree.api_token = tree.site.shell_value(TOKEN % {"slug": REGISTER_SLUG}).strip()
        base = tree.start(1)
        run_creates(tree, base, args, 50, "warm")
        runs.append(run_creates(tree, base, args, args.creates, "measured"))
        log(f"  create {runs[-1].ok}: p99 {fmt(runs[-1].ms.get('p99'), '.0f')} ms {runs[-1].errors or ''}")
        if args.paced:
            rate = args.paced * runs[-1].rps
            runs.append(run_creates(tree, base, args, args.creates // 2, "paced", rate))
            log(f"  create at {rate:.0f}/s: p99 {fmt(runs[-1].ms.get('p99'), '.0f')} ms {runs[-1].errors or ''}")
        missing = args.people - 50 - args.creates - (args.creates // 2 if args.paced else 0)
        if missing > 0:
            log(f"  filling up to {args.people} registrations")
            run_creates(tree, base, args, missing, "fill")
        runs.append(run_listing(tree, base, args))
        log(f"  list {runs[-1].ok} pages: p99 {fmt(runs[-1].ms.get('p99'), '.0f')} ms {runs[-1].errors or ''}")
        if args.events:
            fanout = run_fanout(tree, base, args)
    finally:
        tree.stop()
        tree.drop()
        shutil.rmtree(tmp, ignore_errors=True)
    log("")
    log(f"{'target':<10} {'ok':>5} {'per s':>6} {'p50 ms':>7} {'p95':>6} {'p99':>6} {'cpu ms':>7} {'app':>5} {'pg':>5} "
        f"{'client':>6} {'other':>5}  errors")
    for r in runs:
        target = r.target if r.paced is None else f"{r.target}@{r.paced:.0f}"
        log(f"{target:<10} {r.ok:>5} {r.rps:>6.1f} {fmt(r.ms.get('p50'), '7.1f')} {fmt(r.ms.get('p95'), '6.1f')} "
            f"{fmt(r.ms.get('p99'), '6.1f')} {fmt(r.cpu_ms, '7.1f')} {fmt(r.app_ms, '5.1f')} {fmt(r.db_ms, '5.1f')} "
            f"{r.client_cores:>6.2f} {r.other_cores:>5.2f}  {r.errors or ''}")
    log("create: POST of one registration (201); list page: GET of 100 registrations, the cursor's next page.")
    if fanout:
        log(f"webhooks: {fanout['events']} events, {fanout['received']} deliveries received ({fanout['distinct']} "
            f"distinct, {fanout['bad_signatures']} bad signatures) in {fmt(fanout['seconds'], '.1f')} s from the "
            f"worker's start (first after {fmt(fanout['first_after'], '.1f')} s)")
    failed = False
    for r in runs:
        if r.paced is not None:
            continue
        met = r.ms.get("p99") is not None and r.ms["p99"] < TARGET_P99_MS and not r.errors
        failed |= bool(r.errors)
        log(f"{r.target}: p99 {fmt(r.ms.get('p99'), '.0f')} ms, target < {TARGET_P99_MS} ms: {'met' if met else 'NOT met'}")
    if fanout:
        met = fanout["seconds"] is not None and fanout["seconds"] <= TARGET_FANOUT_S and \
            fanout["received"] >= fanout["events"] and not fanout["bad_signatures"]
        log(f"webhooks: {fmt(fanout['seconds'], '.1f')} s for {fanout['events']}, target ≤ {TARGET_FANOUT_S:.0f} s "
            f"for 1,000: {'met' if met else 'NOT met'}")
        failed |= fanout["received"] < fanout["events"] or bool(fanout["bad_signatures"])
    bench.RESULTS_DIR.mkdir(exist_ok=True)
    out = bench.RESULTS_DIR / f"api-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"commit": bench.git_commit(), "args": vars(args), "fanout": fanout,
                               "runs": [r.__dict__ for r in runs]}, indent=2, default=str))
    log(f"figures: {out.relative_to(bench.ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
