#!/usr/bin/env python3
"""Registrations per second through the real form: load it, send it, CSRF and all (bench/README.md).

    .venv/bin/python bench/registrations.py                      # both databases, 2000 per run
    .venv/bin/python bench/registrations.py --db postgres --count 4000 --questions 0

For each database (SQLite in a fresh data folder, PostgreSQL in a fresh database) this makes one
published, open in-person meeting per measured run (a big capacity; two self-registration categories:
"observer" approved at once, "delegate" needing approval; no custom questions, or two with
--questions 2), serves it with gunicorn the way bench/run.py does (benchsite, its rate limits raised),
and runs an asyncio load generator: --clients visitors (16) at once, each in a loop

    GET  /en/m/<slug>/register/       keeps the csrftoken cookie, reads csrfmiddlewaretoken and form_token
    POST /en/m/<slug>/register/       multipart, as the browser sends it; a unique email; expects
                                      303 to /en/r/<token>/

each pass a new visitor (new cookies, a new connection that carries its GET and its POST), until
--count registrations are made; a warm-up before (--warmup, not counted) in the same meeting. Then,
with the same gunicorn and the same visitors, the ceiling: --count GETs of /bench/insert/ (all the
middleware and one INSERT, no template). It prints registrations/s, the latencies of the POST alone
and of the GET+POST pair, and the ratio to the ceiling; the CPU gunicorn and PostgreSQL spent per
registration, what the load generator itself took, and what other programs took (the machine is shared:
a disturbed run is run again, and the least disturbed one is reported). Afterwards it checks in the
database that every 303 is exactly one registration (no duplicate email or form token, statuses as the
categories say) with exactly one outbox message (held: no mail server is configured).

The visitors speak HTTP/1.1 on asyncio streams (--client lean, about 0.3 ms of CPU per request), or
through httpx (--client httpx: `.venv/bin/pip install httpx`, not in the project's extras; about 1.5 ms
per request, taken from the same two cores as the server's).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import math
import os
import re
import resource
import shutil
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import run as bench  # noqa: E402  (bench/run.py: Site, Gunicorn, Workers, CPU accounting, PostgreSQL helpers)

ROOT = bench.ROOT
RESULTS_DIR = bench.RESULTS_DIR
CORES = bench.CORES
NOISY_CORES = bench.NOISY_CORES
log = bench.log

# bench/README.md, from issue 3: PostgreSQL, c=16, this 2-core machine.
TARGET_RPS = 125
TARGET_P99_MS = 150
TARGET_RATIO = 0.5

CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" value="([^"]+)"')
CATEGORY_INPUT = re.compile(r'name="category" value="(\d+)"')
MANAGE_LOCATION = re.compile(r"^/(?:lo|en)/r/([A-Za-z0-9_-]+)/$")
CEILING_PATH = "/bench/insert/"
CEILING_LOCATION = re.compile(r"^/bench/insert/$")

MEETING_YAML = """\
# Made by bench/registrations.py for one measured run; not part of the product.
slug: {slug}
title: {{lo: ກອງປະຊຸມທົດລອງການລົງທະບຽນ, en: "Registration benchmark ({slug})"}}
format: in_person
status: published
time_zone: Asia/Vientiane
default_language: lo
starts: "+30d 09:00"
ends: "+31d 16:00"
venue: {{lo: ນະຄອນຫຼວງວຽງຈັນ, en: Vientiane}}
registration:
  mode: open
  opens: "-1d 00:00"
  closes: "+29d 17:00"
  capacity: {capacity}
  show_seats_left: true
  allows_free_text_organization: true
privacy_notice:
  en: Benchmark data, deleted with the benchmark's database.
sessions:
  - title: {{lo: ມື້ທີ 1, en: Day 1}}
    starts: "+30d 09:00"
    ends: "+30d 17:00"
  - title: {{lo: ມື້ທີ 2, en: Day 2}}
    starts: "+31d 09:00"
    ends: "+31d 16:00"
categories:
  - code: observer
    name: {{lo: ຜູ້ສັງເກດການ, en: Observer}}
    needs_approval: false
  - code: delegate
    name: {{lo: ຜູ້ແທນ, en: Delegate}}
    needs_approval: true
{questions}"""

QUESTIONS_YAML = """\
questions:
  - key: dietary
    kind: choice
    label: {lo: ຄວາມຕ້ອງການດ້ານອາຫານ, en: Dietary requirements}
    required: true
    choices:
      - {value: none, lo: ບໍ່ມີ, en: None}
      - {value: vegetarian, lo: ອາຫານມັງສະວິລັດ, en: Vegetarian}
      - {value: halal, lo: ອາຫານຮາລານ, en: Halal}
  - key: arrival
    kind: text
    label: {lo: ຖ້ຽວບິນທີ່ມາຮອດ, en: Arrival flight}
"""

CATEGORY_IDS = """
import json
from prachum.meetings.models import Category
print(json.dumps({c.code: c.pk for c in Category.objects.filter(meeting__slug=%r)}))
"""

# What the database holds after the runs, per meeting (printed as one JSON line by `prachum shell -c`).
VERIFY = """
import json
from django.db.models import Count
from django.db.models.functions import Lower
from prachum.notify.models import Message
from prachum.registration.models import Answer, Registration
out = {}
for slug in %r:
    regs = Registration.objects.filter(meeting__slug=slug)
    msgs = Message.objects.filter(meeting__slug=slug)
    per_registration = msgs.values("registration").annotate(n=Count("pk")).values_list("n", flat=True)
    out[slug] = dict(
        registrations=regs.count(),
        distinct_emails=regs.annotate(e=Lower("email")).values("e").distinct().count(),
        distinct_form_tokens=regs.values("client_token").distinct().count(),
        statuses=dict(regs.values_list("status").annotate(n=Count("pk")).order_by()),
        categories=dict(regs.values_list("category__code").annotate(n=Count("pk")).order_by()),
        answers=Answer.objects.filter(registration__meeting__slug=slug).count(),
        messages=msgs.count(),
        messages_without_registration=msgs.filter(registration__isnull=True).count(),
        registrations_with_a_message=msgs.exclude(registration__isnull=True).values("registration").distinct().count(),
        most_messages_of_one_registration=max(per_registration, default=0),
        message_statuses=dict(msgs.values_list("status").annotate(n=Count("pk")).order_by()),
        message_kinds=dict(msgs.values_list("kind").annotate(n=Count("pk")).order_by()),
        emails=sorted(regs.values_list("email", flat=True)),
    )
print(json.dumps(out))
"""

UNSENT = """
from prachum.notify.models import Message
print(Message.objects.filter(status__in=["queued", "sending"]).count())
"""


# ---------------------------------------------------------------------------- figures


def percentile(sorted_values: list[float], p: float) -> float | None:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not sorted_values:
        return None
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Row:
    database: str
    target: str  # register, register+2q, form+insert (the floor of a registration), insert (the ceiling)
    path: str
    workers: str
    count: int = 0  # passes asked for (registrations or ceiling requests)
    ok: int = 0  # 303s to a manage page (register) or 200s (insert)
    errors: int = 0  # anything else: other statuses, a form without its tokens, timeouts, resets
    error_kinds: dict = field(default_factory=dict)
    seconds: float = 0.0
    rps: float | None = None  # ok / seconds: registrations/s, or ceiling requests/s
    first_half_rps: float | None = None
    second_half_rps: float | None = None
    post_ms: dict = field(default_factory=dict)  # p50/p95/p99 of the POST alone (the insert request for the ceiling)
    get_ms: dict = field(default_factory=dict)  # of the GET of the form
    pair_ms: dict = field(default_factory=dict)  # of GET + POST
    app_cpu_ms: float | None = None  # gunicorn (master + workers) CPU per pass
    db_cpu_ms: float | None = None  # PostgreSQL backends of the benchmark database (live and ended), per pass
    pg_sessions: float | None = None  # PostgreSQL sessions opened per pass (pg_stat_database.sessions)
    db_active: float | None = None  # PostgreSQL: backends running a statement, mean of 20 ms samples
    lock_waiting: float | None = None  # of which waiting for a lock (the meeting row)
    client_cores: float | None = None  # the load generator (this process)
    other_cores: float | None = None
    steal_cores: float | None = None
    noisy: bool = False
    worker_cores: list = field(default_factory=list)
    busy_workers: int | None = None
    ratio: float | None = None  # rps / ceiling rps
    floor_ratio: float | None = None  # registrations: rps / the form+insert row's rps
    note: str = ""
    attempts: list = field(default_factory=list)
    meeting: str = ""


def summarise_latencies(values: list[float]) -> dict:
    values = sorted(values)
    return {f"p{p}": percentile(values, p) * 1000 if values else None for p in (50, 95, 99)} | {
        "mean": sum(values) / len(values) * 1000 if values else None, "max": values[-1] * 1000 if values else None}


def balance_note(row: Row) -> str:
    if row.busy_workers is None or row.busy_workers >= min(len(row.worker_cores), CORES):
        return ""
    return f"{row.busy_workers} of {len(row.worker_cores)} workers did the work"


# ---------------------------------------------------------------------------- the load generator


def multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    """The body a browser sends for this form (enctype="multipart/form-data") and its Content-Type."""
    boundary = "----PrachumBench" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Plan:
    """What one visitor sends: a unique person, half of them (by --approval-share) in the category that needs approval."""

    def __init__(self, *, tag: str, categories: dict, approval_share: float, questions: int):
        self.tag = tag
        self.auto, self.approval = str(categories["observer"]), str(categories["delegate"])
        self.approval_share = approval_share
        self.questions = questions

    def category(self, n: int) -> str:
        # Spread evenly: pass n goes to "delegate" when the running share falls behind.
        return self.approval if math.floor((n + 1) * self.approval_share) > math.floor(n * self.approval_share) else self.auto

    def email(self, n: int) -> str:
        return f"bench.{self.tag}.{n}@example.org"

    def fields(self, n: int, csrf: str, form_token: str) -> list[tuple[str, str]]:
        female = n % 2 == 0
        fields = [
            ("csrfmiddlewaretoken", csrf),
            ("form_token", form_token),
            ("honorific", "ms" if female else "mr"),
            ("given_name", f"Delegate {n}"),
            ("family_name", "Phommachanh"),
            ("name_lo", "ແກ້ວ ພົມມະຈັນ"),
            ("gender", "female" if female else "male"),
            ("position", "Deputy Director, Department of Planning"),
            ("organization", "Ministry of Technology and Communications"),
            ("email", self.email(n)),
            ("phone", "020 5551 2345"),
            ("category", self.category(n)),
        ]
        if self.questions:
            fields += [("q_dietary", ("none", "vegetarian", "halal")[n % 3]), ("q_arrival", f"QV{100 + n % 900}")]
        fields.append(("consent", "on"))
        return fields


@dataclass
class Pass:
    n: int
    ok: bool
    error: str = ""
    get_s: float | None = None
    post_s: float | None = None
    ended: float = 0.0
    location: str = ""


class Answer:
    __slots__ = ("status", "headers", "body")

    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class LeanClient:
    """One visitor's HTTP/1.1 connection on asyncio streams, with its own cookies. A tenth of httpx's
    CPU per request: on this 2-core machine the load generator shares the cores with the server,
    and httpx alone took one of them for the ceiling (see bench/README.md)."""

    def __init__(self, base_url: str, timeout: float):
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.netloc, self.origin = parts.netloc, f"{parts.scheme}://{parts.netloc}"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.reader = self.writer = None

    def new_visitor(self) -> None:
        self.cookies.clear()

    async def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None,
                      close: bool = False) -> Answer:
        return await asyncio.wait_for(self._request(method, path, body, headers or {}, close), self.timeout)

    async def _request(self, method, path, body, headers, close) -> Answer:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.netloc}", "Accept: text/html,*/*",
                 "Accept-Encoding: identity", "User-Agent: prachum-bench"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if close:
            lines.append("Connection: close")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            answer_headers: dict[str, str] = {}
            for line in header_lines:
                if not line:
                    continue
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    cookie, _, attributes = value.partition(";")
                    key, _, val = cookie.partition("=")
                    if "max-age=0" in attributes.lower().replace(" ", ""):
                        self.cookies.pop(key.strip(), None)
                    else:
                        self.cookies[key.strip()] = val.strip()
                else:
                    answer_headers[name] = value
            if "content-length" in answer_headers:
                data = await self.reader.readexactly(int(answer_headers["content-length"]))
            elif answer_headers.get("transfer-encoding", "").lower() == "chunked":
                chunks = []
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    chunks.append(await self.reader.readexactly(size + 2))
                    if size == 0:
                        break
                data = b"".join(c[:-2] for c in chunks)
            else:
                data = await self.reader.read()
                close = True
        except BaseException:
            await self.aclose()
            raise
        if close or answer_headers.get("connection", "").lower() == "close":
            await self.aclose()
        return Answer(status, answer_headers, data)

    async def aclose(self) -> None:
        if self.writer is not None:
            writer, self.writer, self.reader = self.writer, None, None
            writer.close()
            try:
                await writer.wait_closed()
            except OSError:
                pass


class HttpxClient:
    """The same with httpx (--client httpx): what the issue names, at about ten times the client CPU."""

    def __init__(self, base_url: str, timeout: float):
        import httpx

        parts = urlsplit(base_url)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.client = httpx.AsyncClient(
            base_url=base_url, timeout=timeout, follow_redirects=False,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1),
        )

    def new_visitor(self) -> None:
        self.client.cookies.clear()

    async def request(self, method: str, path: str, *, body: bytes = b"", headers: dict | None = None,
                      close: bool = False) -> Answer:
        headers = dict(headers or {})
        if close:
            headers["Connection"] = "close"
        response = await self.client.request(method, path, content=body or None, headers=headers)
        return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()}, response.content)

    async def aclose(self) -> None:
        await self.client.aclose()


CLIENTS = {"lean": LeanClient, "httpx": HttpxClient}


async def register_once(client, path: str, plan: Plan, n: int, close: bool, *, post_to: str = "",
                        expect: re.Pattern = MANAGE_LOCATION) -> Pass:
    """One new visitor: GET the form, POST it (to `post_to` where given) and expect a 303 to a
    location that `expect` matches; `close`: on one connection of its own."""
    client.new_visitor()
    t0 = time.perf_counter()
    try:
        page = await client.request("GET", path)
        t1 = time.perf_counter()
        if page.status != 200:
            return Pass(n, False, f"GET HTTP {page.status}", ended=t1)
        text = page.text
        csrf, token = CSRF_TOKEN.search(text), FORM_TOKEN.search(text)
        if not csrf or not token:
            return Pass(n, False, "GET: no csrfmiddlewaretoken or form_token in the form", ended=t1)
        body, content_type = multipart(plan.fields(n, csrf.group(1), token.group(1)))
        headers = {"Content-Type": content_type, "Origin": client.origin, "Referer": client.origin + path}
        answer = await client.request("POST", post_to or path, body=body, headers=headers, close=close)
        t2 = time.perf_counter()
    except Exception as exc:  # timeouts, resets, refused connections
        return Pass(n, False, type(exc).__name__, ended=time.perf_counter())
    location = answer.headers.get("location", "")
    if answer.status != 303 or not expect.match(location):
        what = f"POST HTTP {answer.status}"
        if answer.status == 200:  # the form came back: say why, in short
            m = re.search(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]{1,120})', answer.text)
            what += f" (form came back: {m.group(1).strip() if m else '?'})"
        return Pass(n, False, what, t1 - t0, t2 - t1, t2)
    return Pass(n, True, "", t1 - t0, t2 - t1, t2, location)


async def insert_once(client, path: str, n: int, close: bool) -> Pass:
    client.new_visitor()
    t0 = time.perf_counter()
    try:
        answer = await client.request("GET", path, close=close)
        t1 = time.perf_counter()
    except Exception as exc:
        return Pass(n, False, type(exc).__name__, ended=time.perf_counter())
    if answer.status != 200:
        return Pass(n, False, f"HTTP {answer.status}", post_s=t1 - t0, ended=t1)
    return Pass(n, True, "", None, t1 - t0, t1)


async def load(base_url: str, *, clients: int, first: int, count: int, work, timeout: float,
               kind: str = "lean") -> tuple[list[Pass], float, float]:
    """`clients` visitors run `work(client, n)` for n in [first, first + count), each taking the next n.
    Returns the passes, the start (perf_counter) and the elapsed seconds."""
    queue = iter(range(first, first + count))
    passes: list[Pass] = []

    async def visitor(client):
        for n in queue:  # one shared iterator: every n is taken once
            passes.append(await work(client, n))

    pool = [CLIENTS[kind](base_url, timeout) for _ in range(clients)]
    try:
        t0 = time.perf_counter()
        await asyncio.gather(*(visitor(c) for c in pool))
        elapsed = time.perf_counter() - t0
    finally:
        await asyncio.gather(*(c.aclose() for c in pool))
    return passes, t0, elapsed


# ---------------------------------------------------------------------------- CPU around one run


def pg_sessions(site: bench.Site) -> tuple[int, int] | None:
    """(sessions opened on the benchmark database, on all databases) since the server started."""
    if not site.pg_admin_url:
        return None
    import psycopg

    name = urlsplit(site.database_url).path.lstrip("/")
    try:
        with psycopg.connect(site.pg_admin_url, connect_timeout=3) as conn:
            row = conn.execute("SELECT coalesce(sum(sessions) FILTER (WHERE datname = %s), 0), coalesce(sum(sessions), 0) "
                               "FROM pg_stat_database", [name]).fetchone()
    except psycopg.Error:
        return None
    return (int(row[0]), int(row[1])) if row else None


def postmaster_children_cpu(site: bench.Site) -> float | None:
    """CPU seconds of PostgreSQL's exited backends (the postmaster's reaped children): the short sessions
    that sampling the live backends misses. Every database's, on this server."""
    for pid in site.db_backend_pids():
        try:
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
            fields = Path(f"/proc/{parent}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[13]) + int(fields[14])) / bench.CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            continue
    return None


class LockSampler:
    """PostgreSQL only: every 20 ms, how many of the benchmark database's backends are running a statement
    and how many of them wait for a lock (the meeting's row, for seat-taking). Its own queries cost
    about 0.01 core."""

    def __init__(self, site: bench.Site, every: float = 0.02):
        self.site, self.every = site, every
        self.samples: list[tuple[int, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psycopg

        name = urlsplit(self.site.database_url).path.lstrip("/")
        try:
            with psycopg.connect(self.site.pg_admin_url, autocommit=True, connect_timeout=3) as conn:
                while not self.stop.wait(self.every):
                    self.samples.append(conn.execute(
                        "SELECT count(*) FILTER (WHERE state = 'active'), "
                        "count(*) FILTER (WHERE state = 'active' AND wait_event_type = 'Lock') "
                        "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [name]).fetchone())
        except psycopg.Error:
            pass

    def __enter__(self):
        if self.site.pg_admin_url:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(5)

    def means(self) -> tuple[float | None, float | None]:
        if not self.samples:
            return None, None
        return (sum(a for a, _ in self.samples) / len(self.samples), sum(w for _, w in self.samples) / len(self.samples))


def measured(server: bench.Gunicorn, row: Row, run_load) -> tuple[Row, list[Pass]]:
    """Run `run_load()` (the load) and fill `row` with its figures and the CPU everybody used meanwhile."""
    site = server.site
    db_pids = site.db_backend_pids()
    db0 = {pid: bench.process_cpu(pid) for pid in db_pids}
    sessions0, exited0 = pg_sessions(site), postmaster_children_cpu(site)
    busy0, steal0 = bench.machine_cpu()
    workers0 = server.worker_cpu()
    app0 = server.cpu_seconds()
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    wall0 = time.monotonic()
    with LockSampler(site) as sampler:
        passes, t0, elapsed = run_load()
    wall = time.monotonic() - wall0
    row.db_active, row.lock_waiting = sampler.means()
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    app = server.cpu_seconds() - app0
    workers1 = server.worker_cpu()
    busy1, steal1 = bench.machine_cpu()
    db = sum(bench.process_cpu(pid) - db0.get(pid, 0.0) for pid in set(db_pids) | set(site.db_backend_pids()))
    sessions1, exited1 = pg_sessions(site), postmaster_children_cpu(site)
    if sessions0 and sessions1 and exited0 is not None and exited1 is not None:
        ours, everyone = sessions1[0] - sessions0[0], sessions1[1] - sessions0[1]
        # Short sessions that ended during the run: their CPU, in the share of them that were ours.
        db += (exited1 - exited0) * (ours / everyone if everyone else 0.0)
    client = (self1.ru_utime + self1.ru_stime) - (self0.ru_utime + self0.ru_stime)

    ok = [p for p in passes if p.ok]
    row.count, row.ok, row.errors, row.seconds = len(passes), len(ok), len(passes) - len(ok), elapsed
    kinds: dict[str, int] = {}
    for p in passes:
        if not p.ok:
            kinds[p.error] = kinds.get(p.error, 0) + 1
    row.error_kinds = kinds
    row.rps = len(ok) / elapsed if elapsed else 0.0
    middle = t0 + elapsed / 2
    row.first_half_rps = sum(p.ended <= middle for p in ok) / (elapsed / 2)
    row.second_half_rps = sum(p.ended > middle for p in ok) / (elapsed / 2)
    row.post_ms = summarise_latencies([p.post_s for p in ok])
    if any(p.get_s is not None for p in ok):
        row.get_ms = summarise_latencies([p.get_s for p in ok])
        row.pair_ms = summarise_latencies([p.get_s + p.post_s for p in ok])
    n = max(len(passes), 1)
    row.app_cpu_ms = app / n * 1000
    row.db_cpu_ms = db / n * 1000 if site.pg_admin_url else None
    if sessions0 is not None and sessions1 is not None:
        row.pg_sessions = (sessions1[0] - sessions0[0]) / n
    row.client_cores = client / wall
    row.other_cores = max(0.0, (busy1 - busy0) - app - db - client) / wall
    row.steal_cores = (steal1 - steal0) / wall
    row.noisy = row.other_cores + row.steal_cores > NOISY_CORES
    row.worker_cores = sorted(((workers1[pid] - workers0.get(pid, 0.0)) / wall for pid in workers1), reverse=True)
    if row.worker_cores and row.worker_cores[0] > 0:
        row.busy_workers = sum(c >= 0.25 * row.worker_cores[0] for c in row.worker_cores)
    return row, passes


# ---------------------------------------------------------------------------- one database


def make_meeting(site: bench.Site, slug: str, *, questions: int, capacity: int) -> dict:
    """A published open meeting from a meeting file (prachum load-meeting); returns {category code: id}."""
    path = site.data_dir / f"{slug}.yaml"
    path.write_text(MEETING_YAML.format(slug=slug, capacity=capacity, questions=QUESTIONS_YAML if questions else ""))
    if site.prachum("load-meeting", str(path), quiet=True).returncode != 0:
        raise RuntimeError(f"prachum load-meeting {path} failed")
    categories = json.loads(site.shell_value(CATEGORY_IDS % slug) or "{}")
    if set(categories) != {"observer", "delegate"}:
        raise RuntimeError(f"meeting {slug}: categories {categories}")
    return categories


def prepare(site: bench.Site) -> None:
    t0 = time.monotonic()
    log(f"  [{site.name}] prachum migrate; prachum collectstatic")
    if site.prachum("migrate", "--noinput", quiet=True).returncode != 0:
        raise RuntimeError("prachum migrate failed")
    if site.prachum("collectstatic", "--noinput", quiet=True).returncode != 0:
        raise RuntimeError("prachum collectstatic failed")
    log(f"  [{site.name}] ready in {time.monotonic() - t0:.0f} s")


def describe(row: Row) -> str:
    post, pair = row.post_ms, row.pair_ms
    text = (f"{row.rps:6.1f}/s  POST p50 {post['p50']:6.1f} p95 {post['p95']:6.1f} p99 {post['p99']:6.1f} ms")
    if pair:
        text += f"  GET+POST p99 {pair['p99']:6.1f} ms"
    text += (f"  errors {row.errors}  app {row.app_cpu_ms:.1f} ms" + (f" + pg {row.db_cpu_ms:.1f} ms" if row.db_cpu_ms is not None else "")
             + f"  client {row.client_cores:.2f} other {row.other_cores + row.steal_cores:.2f} cores"
             + f"  busy workers {row.busy_workers}/{len(row.worker_cores)}")
    if row.lock_waiting is not None:
        text += f"  pg: {row.db_active:.1f} statements running, {row.lock_waiting:.1f} waiting for a lock"
    if row.pg_sessions:
        text += f", {row.pg_sessions:.2f} new sessions per pass"
    return text


def bench_database(site: bench.Site, args, registered: dict) -> tuple[list[Row], dict]:
    """Every target on one database; `registered` collects, per meeting, the emails the server answered 303 for."""
    info: dict = {"database": site.name}
    prepare(site)
    rows: list[Row] = []
    variants = [("register" if q == 0 else f"register+{q}q", q) for q in args.questions]
    run_tag = f"{site.name[:2]}{os.getpid()}"
    locations: set[str] = set()
    with bench.Gunicorn(site, args.workers) as server:
        base = server.base_url
        log(f"  [{site.name}] gunicorn {args.workers.label} on {base}")

        def go(first: int, count: int, work):
            return asyncio.run(load(base, clients=args.clients, first=first, count=count, work=work,
                                    timeout=args.timeout, kind=args.client))

        def repeated(target: str, attempt, again: str = "") -> Row:
            """`attempt(n)` measures run n and returns its row; run again (--attempts in all) while disturbed."""
            runs = []
            while len(runs) < args.attempts:
                row = attempt(len(runs) + 1)
                runs.append(row)
                log(f"      {target:<12} {describe(row)}")
                if not (why := disturbed(row)):
                    break
                if len(runs) < args.attempts:
                    log(f"      {target:<12} but {' and '.join(why)}: running it again{again}")
            return pick(runs)

        def passes_of(target: str, path: str, work) -> Row:
            """--count passes of `work` after a warm-up."""
            go(0, args.warmup, work)
            row, _passes = measured(server, Row(site.name, target, path, args.workers.label),
                                    lambda: go(0, args.count, work))
            row.note = "; ".join(f"{k} x{v}" for k, v in row.error_kinds.items())
            return row

        forms = []  # (path, plan) of every form measured; the first is the form+insert row's

        def registrations(target: str, questions: int, attempt: int) -> Row:
            """--count registrations, after a warm-up, in a new meeting of their own."""
            slug = f"bench-{target.replace('+', '-')}-{attempt}"
            categories = make_meeting(site, slug, questions=questions, capacity=args.capacity)
            path = f"/{args.lang}/m/{slug}/register/"
            page = bench.http_status(base + path)
            if page != 200:
                raise RuntimeError(f"{path} answers HTTP {page}; see {site.gunicorn_log}")
            plan = Plan(tag=f"{run_tag}.{slug}", categories=categories, approval_share=args.approval_share,
                        questions=questions)
            forms.append((path, plan))

            def work(client, n):
                return register_once(client, path, plan, n, not args.keep_alive)

            warm, _, _ = go(0, args.warmup, work)
            row = Row(site.name, target, path, args.workers.label, meeting=slug)
            row, passes = measured(server, row, lambda: go(args.warmup, args.count, work))
            for p in warm + passes:
                if p.ok:
                    registered.setdefault(slug, {"emails": set(), "auto": 0, "approval": 0, "questions": questions})
                    entry = registered[slug]
                    entry["emails"].add(plan.email(p.n))
                    entry["approval" if plan.category(p.n) == plan.approval else "auto"] += 1
                    locations.add(p.location)
            row.note = "; ".join(f"{k} x{v}" for k, v in row.error_kinds.items())
            if warm_errors := sum(not p.ok for p in warm):
                row.note = (row.note + "; " if row.note else "") + f"{warm_errors} error(s) in the warm-up"
            return row

        for target, questions in variants:
            rows.append(repeated(target, lambda attempt, t=target, q=questions: registrations(t, q, attempt),
                                 again=" (a new meeting)"))

        # The ceiling: the same visitors, the same server, --count GETs of the INSERT view.
        if bench.http_status(base + CEILING_PATH) != 200:
            raise RuntimeError(f"{CEILING_PATH} does not answer 200; see {site.gunicorn_log}")
        ceiling_row = repeated("insert", lambda _attempt: passes_of(
            "insert", CEILING_PATH, lambda client, n: insert_once(client, CEILING_PATH, n, not args.keep_alive)))

        # The floor of a registration: the same GET of the first form and the same POST (CSRF checked,
        # multipart parsed), sent to the INSERT view, which writes its one row and answers 303. No
        # registration could cost less than this pair; its ratio to the ceiling is the most any
        # registration could reach (bench/README.md).
        floor_path, floor_plan = forms[0]

        def floor(client, n):
            return register_once(client, floor_path, floor_plan, n, not args.keep_alive, post_to=CEILING_PATH,
                                 expect=CEILING_LOCATION)

        floor_row = repeated("form+insert", lambda _attempt: passes_of("form+insert", floor_path, floor))
        for row in [*rows, floor_row]:
            row.ratio = row.rps / ceiling_row.rps if ceiling_row.rps else None
        for row in rows:
            row.floor_ratio = row.rps / floor_row.rps if floor_row.rps else None
        rows += [floor_row, ceiling_row]
    info["manage_links"] = len(locations)
    info["log_problems"] = bench.log_problems(site)
    info["verify"] = verify(site, registered, len(locations))
    return rows, info


def disturbed(row: Row) -> list[str]:
    """Why a run should be repeated: other programs took cores, or the load stuck to some workers."""
    why = [f"other programs used {row.other_cores + row.steal_cores:.2f} cores"] if row.noisy else []
    return why + ([balance_note(row)] if balance_note(row) else [])


def pick(runs: list[Row]) -> Row:
    """The least disturbed run (a balanced one first); the others are kept in .attempts."""
    chosen = min(runs, key=lambda r: (bool(balance_note(r)), r.other_cores + r.steal_cores, -r.rps))
    chosen.attempts = [{"rps": round(r.rps, 1), "other_cores": round(r.other_cores + r.steal_cores, 2),
                        "busy_workers": r.busy_workers, "errors": r.errors, "meeting": r.meeting} for r in runs]
    notes = [chosen.note] if chosen.note else []
    if others := [r for r in runs if r is not chosen and r.errors]:
        notes.append(f"{sum(r.errors for r in others)} error(s) in another run")
    if chosen.noisy:
        notes.append(f"noisy: other programs used {chosen.other_cores + chosen.steal_cores:.2f} cores")
    if balance := balance_note(chosen):
        notes.append(balance)
    chosen.note = "; ".join(notes)
    return chosen


def verify(site: bench.Site, registered: dict, links: int) -> dict:
    """Every 303 is one registration with one message; nothing else is there."""
    slugs = sorted(registered)
    deadline = time.monotonic() + 60  # messages are held by the workers' background threads after the commit
    while (unsent := site.shell_value(UNSENT)) not in ("0", "") and time.monotonic() < deadline:
        time.sleep(1)
    found = json.loads(site.shell_value(VERIFY % (slugs,)) or "{}")
    problems = []
    total = 0
    for slug in slugs:
        want, got = registered[slug], found.get(slug, {})
        expected = len(want["emails"])
        total += expected
        checks = {
            "registrations": (got.get("registrations"), expected),
            "distinct emails": (got.get("distinct_emails"), expected),
            "distinct form tokens": (got.get("distinct_form_tokens"), expected),
            "approved": (got.get("statuses", {}).get("approved", 0), want["auto"]),
            "pending": (got.get("statuses", {}).get("pending", 0), want["approval"]),
            "answers": (got.get("answers"), expected * (2 if want["questions"] else 0)),
            "messages": (got.get("messages"), expected),
            "registrations with a message": (got.get("registrations_with_a_message"), expected),
            "most messages of one registration": (got.get("most_messages_of_one_registration"), 1 if expected else 0),
            "held messages": (got.get("message_statuses", {}).get("held", 0), expected),
            "'confirmed' messages": (got.get("message_kinds", {}).get("registration.confirmed", 0), want["auto"]),
            "'received' messages": (got.get("message_kinds", {}).get("registration.received", 0), want["approval"]),
        }
        for what, (value, wanted) in checks.items():
            if value != wanted:
                problems.append(f"{slug}: {what} {value}, expected {wanted}")
        if set(got.get("emails", [])) != want["emails"]:
            problems.append(f"{slug}: the registered emails differ from the 303s "
                            f"({len(set(got.get('emails', [])) - want['emails'])} extra, "
                            f"{len(want['emails'] - set(got.get('emails', [])))} missing)")
    if links != total:
        problems.append(f"{links} distinct manage links for {total} registrations")
    if unsent not in ("0", ""):
        problems.append(f"{unsent} message(s) still queued or sending after 60 s")
    return {"meetings": len(slugs), "registrations": total, "problems": problems,
            "found": {s: {k: v for k, v in found.get(s, {}).items() if k != "emails"} for s in slugs}}


# ---------------------------------------------------------------------------- output


fmt = bench.fmt


def print_table(rows: list[Row]) -> None:
    header = (f"{'database':<9} {'target':<12} {'done':>5} {'per s':>6} {'POST p50':>8} {'p95':>6} {'p99':>6} "
              f"{'pair p50':>8} {'p95':>6} {'p99':>6} {'errors':>6} {'ratio':>6} {'floor':>6} {'cpu ms':>7} {'client':>6} {'other':>5}  note")
    log(header)
    log("-" * len(header))
    for r in rows:
        cpu = None if r.app_cpu_ms is None else r.app_cpu_ms + (r.db_cpu_ms or 0)
        other = None if r.other_cores is None else r.other_cores + (r.steal_cores or 0)
        log(f"{r.database:<9} {r.target:<12} {r.ok:>5} {fmt(r.rps, '6.1f')} {fmt(r.post_ms.get('p50'), '8.1f')} "
            f"{fmt(r.post_ms.get('p95'), '6.1f')} {fmt(r.post_ms.get('p99'), '6.1f')} {fmt(r.pair_ms.get('p50'), '8.1f')} "
            f"{fmt(r.pair_ms.get('p95'), '6.1f')} {fmt(r.pair_ms.get('p99'), '6.1f')} {r.errors:>6} "
            f"{fmt(None if r.ratio is None else r.ratio * 100, '5.0f')}{'%' if r.ratio is not None else ' '} "
            f"{fmt(None if r.floor_ratio is None else r.floor_ratio * 100, '5.0f')}"
            f"{'%' if r.floor_ratio is not None else ' '} "
            f"{fmt(cpu, '7.1f')} {fmt(r.client_cores, '6.2f')} {fmt(other, '5.2f')}  {r.note}")
    log("per s: registrations/s (303s to a manage page / elapsed), or the ceiling's requests/s. POST: the submit\n"
        "alone (the ceiling: its one request); pair: GET of the form + POST. ratio: per s / the ceiling's per s.\n"
        "floor: registrations/s / form+insert's per s (the same GET and POST, the POST only writing one row).\n"
        "cpu ms: gunicorn + PostgreSQL backends per registration (per request for the ceiling). client: cores the\n"
        "load generator took; other: cores other programs took. Latencies in ms.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--count", type=int, default=2000, help="registrations per measured run, and ceiling requests (default 2000)")
    parser.add_argument("--warmup", type=int, default=160, help="registrations (and ceiling requests) before each run, not counted (default 160)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent visitors (default 16)")
    parser.add_argument("--questions", default="0,2",
                        help="comma-separated: 0 = no custom questions, 2 = a required choice and a text (default 0,2)")
    parser.add_argument("--approval-share", type=float, default=0.5,
                        help="share of registrations in the category that needs approval (default 0.5)")
    parser.add_argument("--capacity", type=int, default=1_000_000, help="the meeting's capacity (default 1000000)")
    parser.add_argument("--lang", choices=["en", "lo"], default="en", help="the form's language (default en)")
    parser.add_argument("--client", choices=sorted(CLIENTS), default="lean",
                        help="the visitors' HTTP client: lean (asyncio streams, default) or httpx (about ten times "
                             "the CPU per request, taken from the server's two cores)")
    parser.add_argument("--keep-alive", action="store_true",
                        help="keep each visitor's connection for all its passes (default: a new connection per pass)")
    parser.add_argument("--attempts", type=int, default=3,
                        help=f"runs per target at most: one during which other programs used more than {NOISY_CORES} "
                             "cores, or whose load stuck to some workers, is repeated; the least disturbed is reported")
    parser.add_argument("--timeout", type=float, default=30, help="seconds per request before it counts as an error")
    parser.add_argument("--workers", type=bench.Workers.parse, default=bench.Workers.product(),
                        help="gunicorn setup, sync:5 or gthread:4x2 (default: src/prachum/gunicorn_config.py's)")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the data folders and the PostgreSQL database")
    parser.add_argument("--settings", default="benchsite.settings",
                        help="settings module gunicorn uses; to try a change: one that imports benchsite.settings")
    parser.add_argument("--pythonpath", action="append", default=[], help="extra folder for --settings (repeatable)")
    args = parser.parse_args(argv)
    args.questions = [int(q) for q in args.questions.split(",") if q.strip()]
    if set(args.questions) - {0, 2}:
        parser.error("--questions takes 0 and/or 2")

    if args.client == "httpx":
        try:
            import httpx  # noqa: F401
        except ImportError:
            log("registrations: httpx is missing: .venv/bin/pip install httpx (or use the default --client lean)")
            return 2
    for tool in (bench.PRACHUM, bench.GUNICORN):
        if not tool.exists():
            log(f"registrations: {tool} is missing; run `make install-test` first")
            return 2

    started = dt.datetime.now()
    log(f"Prachum registrations benchmark  {started:%Y-%m-%d %H:%M}  commit {bench.git_commit()}  {CORES} cores  "
        f"load average {os.getloadavg()[0]:.2f}")
    log(f"{args.clients} visitors, {args.count} registrations per run after {args.warmup} of warm-up, "
        f"gunicorn {args.workers.label}, client {args.client}, {'keep-alive' if args.keep_alive else 'a new connection per visitor'}, "
        f"{args.approval_share:.0%} needing approval, up to {args.attempts} runs when one is disturbed")
    if args.settings != "benchsite.settings":
        log(f"settings: {args.settings} (not the product's own)")

    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    rows: list[Row] = []
    infos: list[dict] = []
    tmp_root = Path(tempfile.mkdtemp(prefix="prachum-registrations-"))
    try:
        for db in databases:
            log("")
            registered: dict = {}
            if db == "sqlite":
                site = bench.Site("sqlite", tmp_root / "sqlite", None)
                site.data_dir.mkdir()
                site.settings_module, site.extra_pythonpath = args.settings, args.pythonpath
                log(f"== SQLite (fresh data folder {site.data_dir})")
                r, info = bench_database(site, args, registered)
            else:
                if why := bench.pg_unreachable(args.pg_admin_url):
                    log(f"== PostgreSQL: SKIPPED — the server at {urlsplit(args.pg_admin_url).netloc} is unreachable ({why})")
                    infos.append({"database": "postgres", "skipped": why})
                    continue
                name = f"prachum_registrations_{os.getpid()}"
                url = bench.pg_create(args.pg_admin_url, name)
                try:
                    site = bench.Site("postgres", tmp_root / "postgres", url, args.pg_admin_url)
                    site.data_dir.mkdir()
                    site.settings_module, site.extra_pythonpath = args.settings, args.pythonpath
                    log(f"== PostgreSQL (fresh database {name})")
                    r, info = bench_database(site, args, registered)
                finally:
                    if args.keep:
                        log(f"  kept database {name}")
                    else:
                        bench.pg_drop(args.pg_admin_url, name)
            rows += r
            infos.append(info)
    finally:
        if args.keep:
            log(f"kept data folders under {tmp_root}")
        else:
            shutil.rmtree(tmp_root, ignore_errors=True)

    log("")
    print_table(rows)
    log("")
    failed = False
    for info in infos:
        if "skipped" in info:
            log(f"{info['database']}: skipped ({info['skipped']})")
            continue
        v, p = info["verify"], info["log_problems"]
        line = (f"{info['database']}: database check: {v['registrations']} registrations in {v['meetings']} meetings, "
                + ("each once, with one held message: OK" if not v["problems"] else "PROBLEMS"))
        line += (f"; gunicorn log: 'database is locked' x{p['database_is_locked']}, tracebacks x{p['tracebacks']}, "
                 f"worker timeouts x{p['worker_timeouts']}")
        log(line)
        for problem in v["problems"]:
            log(f"  WARNING: {problem}")
            failed = True
    for r in rows:
        if r.errors:
            log(f"WARNING: {r.database} {r.target}: {r.errors} error(s): {r.note}")
            failed = True
        if r.noisy:
            log(f"WARNING: {r.database} {r.target}: other programs used {r.other_cores + r.steal_cores:.2f} of {CORES} "
                f"cores even in the least disturbed run; its rate is low by about that share")
    for r in rows:
        if r.database == "postgres" and r.target == "register" and r.rps is not None:
            checks = [r.rps >= TARGET_RPS, (r.post_ms.get("p99") or 1e9) < TARGET_P99_MS,
                      (r.ratio or 0) >= TARGET_RATIO, r.errors == 0]
            log(f"postgres register: {r.rps:.0f} registrations/s (target ≥ {TARGET_RPS}), POST p99 {r.post_ms['p99']:.0f} ms "
                f"(< {TARGET_P99_MS}; GET+POST p99 {r.pair_ms['p99']:.0f}), {r.ratio:.0%} of the ceiling "
                f"(≥ {TARGET_RATIO:.0%}): {'MEETS the target' if all(checks) else 'MISSES the target'}")
            floor = next((f for f in rows if f.database == r.database and f.target == "form+insert"), None)
            if floor is not None and floor.ratio is not None:
                log(f"postgres form+insert (the form's GET and POST, the POST writing one row and nothing else): "
                    f"{floor.ratio:.0%} of the ceiling; register is {r.floor_ratio:.0%} of it")

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"registrations-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({
        "started": started.isoformat(timespec="seconds"),
        "commit": bench.git_commit(),
        "machine": {"cores": CORES, "loadavg_at_end": os.getloadavg()},
        "args": {k: (v.label if isinstance(v, bench.Workers) else v) for k, v in vars(args).items()},
        "target": {"rps": TARGET_RPS, "p99_ms": TARGET_P99_MS, "ratio": TARGET_RATIO},
        "databases": infos,
        "results": [asdict(r) for r in rows],
    }, indent=2, default=str))
    log(f"results: {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
