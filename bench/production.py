#!/usr/bin/env python3
"""Registrations and check-ins in the production shape, one node and two behind nginx (bench/README.md).

    .venv/bin/python bench/production.py                          # 1 node, then 2 nodes behind nginx
    .venv/bin/python bench/production.py --nodes 1 --rounds 1     # quicker
    .venv/bin/python bench/production.py --src /tmp/perf-old/src  # an older tree against this one, alternating

The shape of an independent client (issue 18): PostgreSQL, Redis as the cache (PRACHUM_REDIS_URL, a Redis
database of its own, flushed at the start), gunicorn started with the product's config
(`-c python:prachum.gunicorn_config`), and an asyncio + httpx load generator at c=16:

  register   each pass a new browser: a new httpx client (no cookies, a new connection), GET the form,
             POST it (multipart, as a browser) with the ADGSOM demo's questions answered; expects 303.
  checkin    16 desks, each a device (Bearer token, `prachum device-token`) on one kept-alive connection,
             POST redeem/ with a new badge code and a new client_id each time; expects 200 "ok".

With --nodes 1,2 the same load goes to one gunicorn directly and then to two gunicorns behind nginx, the
nginx configuration rendered by prachum.core.cluster (as production's), on the same 2 cores. With --src
the same runs alternate between trees (each its own database and Redis database), so that a noisy machine
disturbs both alike. Per run: requests/s, p50/p95/p99 of the POST, CPU milliseconds per request of
gunicorn + nginx + the database's PostgreSQL backends, cores the client and other programs took. After the
runs, a short probe counts the Redis commands and SQL statements of one registration and one check-in.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import harness as bench  # noqa: E402
from checkin import SEED as CHECKIN_SEED  # noqa: E402
from registrations_load import CSRF_TOKEN, FORM_TOKEN, SENT_LOCATION, multipart  # noqa: E402
from registrations_meeting import MEETING_YAML  # noqa: E402

log = bench.log
CHECKIN_SLUG = "checkin-bench"
REGISTER_SLUG = "bench-adgsom"
TARGET_REGISTER_P99_MS = 150
TARGET_CHECKIN_P99_MS = 50

# The questions of src/prachum/demo/adgsom-demo.yaml, for the bench meeting's two categories.
ADGSOM_QUESTIONS = """\
questions:
  - key: dietary
    kind: choice
    label: {lo: ຄວາມຕ້ອງການດ້ານອາຫານ, en: Dietary requirements}
    choices:
      - {value: none, lo: ບໍ່ມີ, en: None}
      - {value: vegetarian, lo: ອາຫານມັງສະວິລັດ, en: Vegetarian}
      - {value: vegan, lo: ອາຫານເຈ, en: Vegan}
      - {value: halal, lo: ອາຫານຮາລານ, en: Halal}
      - {value: other, lo: ອື່ນໆ, en: Other}
  - key: dietary-other
    kind: text
    label: {lo: ກະລຸນາລະບຸ, en: Please describe}
    show_if: {question: dietary, value: other}
  - key: arrival-date
    kind: date
    label: {lo: ວັນທີເດີນທາງມາຮອດວຽງຈັນ, en: Date of arrival in Vientiane}
    categories: [delegate]
  - key: passport-number
    kind: text
    label: {lo: ເລກໜັງສືຜ່ານແດນ, en: Passport number}
    sensitive: true
    categories: [delegate]
  - key: email-in-list
    kind: yes_no
    label: {lo: "ອະນຸຍາດໃຫ້ສະແດງອີເມວຂອງທ່ານໃນລາຍຊື່ຜູ້ເຂົ້າຮ່ວມບໍ?", en: "May your email address appear in the List of Participants?"}
"""

CATEGORY_IDS = """
import json
from prachum.meetings.models import Category
print(json.dumps({c.code: c.pk for c in Category.objects.filter(meeting__slug=%r)}))
"""


# ---------------------------------------------------------------------------- figures


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


@dataclass
class Run:
    tree: str
    nodes: int
    target: str  # register or checkin
    paced: float | None = None  # the asked rate per second; None: closed loop (as fast as answered)
    count: int = 0
    ok: int = 0
    errors: dict = field(default_factory=dict)
    seconds: float = 0.0
    rps: float = 0.0
    ms: dict = field(default_factory=dict)  # the POST: p50, p95, p99
    cpu_ms: float | None = None  # gunicorn + nginx + PostgreSQL backends, per request counted (a pass = GET + POST)
    app_ms: float | None = None
    nginx_ms: float | None = None
    db_ms: float | None = None
    client_cores: float = 0.0
    other_cores: float = 0.0


# ---------------------------------------------------------------------------- the visitors


def form_fields(n: int, tag: str, categories: dict, csrf: str, form_token: str) -> list[tuple[str, str]]:
    delegate = n % 2 == 1  # half of them in the category that needs approval and asks two more questions
    fields = [
        ("csrfmiddlewaretoken", csrf), ("form_token", form_token),
        ("honorific", "mr" if delegate else "ms"), ("given_name", f"Delegate {n}"), ("family_name", "Phommachanh"),
        ("name_lo", "ແກ້ວ ພົມມະຈັນ"), ("gender", "male" if delegate else "female"),
        ("position", "Deputy Director, Department of Planning"),
        ("organization", "Ministry of Technology and Communications"),
        ("email", f"bench.{tag}.{n}@example.org"), ("phone", "020 5551 2345"),
        ("category", str(categories["delegate" if delegate else "observer"])),
        ("q_dietary", ("none", "vegetarian", "vegan", "halal", "other")[n % 5]),
        ("q_dietary-other", "No peanuts" if n % 5 == 4 else ""),
        ("q_email-in-list", "yes" if n % 3 else "no"),
    ]
    if delegate:
        arrival = (dt.date.today() + dt.timedelta(days=29)).isoformat()
        fields += [("q_arrival-date", arrival), ("q_passport-number", f"P{n:07d}")]
    return fields + [("consent", "on")]


@functools.cache
def tls_settings():
    """httpx loads the CA bundle for every client it makes unless given a context: 22 ms of the client's CPU
    per new browser, which took most of a core from the server on this 2-core machine (the independent client
    of issue 18 paid it too). A browser loads its certificates once; so does the load generator."""
    import ssl

    return ssl.create_default_context()


async def register_once(base: str, path: str, n: int, tag: str, categories: dict, timeout: float):
    """One new browser: its own client (cookies, connection). Returns (ok, error, post seconds)."""
    import httpx

    async with httpx.AsyncClient(base_url=base, timeout=timeout, follow_redirects=False,
                                 verify=tls_settings()) as client:
        try:
            page = await client.get(path, headers={"Accept": "text/html"})
            if page.status_code != 200:
                return False, f"GET {page.status_code}", None
            csrf, token = CSRF_TOKEN.search(page.text), FORM_TOKEN.search(page.text)
            if not csrf or not token:
                return False, "no tokens in the form", None
            body, content_type = multipart(form_fields(n, tag, categories, csrf.group(1), token.group(1)))
            t0 = time.perf_counter()
            answer = await client.post(path, content=body, headers={
                "Content-Type": content_type, "Origin": base, "Referer": base + path, "Accept": "text/html"})
            took = time.perf_counter() - t0
        except httpx.HTTPError as exc:
            return False, type(exc).__name__, None
    if answer.status_code != 303 or not SENT_LOCATION.match(answer.headers.get("location", "")):
        why = ""
        if answer.status_code == 200:
            m = re.search(r'class="[^"]*error[^"]*"[^>]*>\s*([^<]{1,80})', answer.text)
            why = f" ({m.group(1).strip() if m else '?'})"
        return False, f"POST {answer.status_code}{why}", took
    return True, "", took


async def checkin_desk(client, path: str, token: str, code: str, session: int):
    t0 = time.perf_counter()
    try:
        answer = await client.post(path, json={"code": code, "session": session, "client_id": str(uuid.uuid4())},
                                   headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"})
    except Exception as exc:  # timeouts, resets
        return False, type(exc).__name__, None
    took = time.perf_counter() - t0
    if answer.status_code != 200 or answer.json().get("outcome") != "ok":
        return False, f"{answer.status_code} {answer.json().get('outcome', '') if answer.status_code == 200 else ''}", took
    return True, "", took


async def drive(clients: int, jobs, work_for, rate: float | None = None) -> tuple[list, float]:
    """`clients` tasks take the next job from `jobs` until none is left; work_for(task) → async fn(job).

    Closed loop without `rate`: each task starts its next job when the last one is answered, so the rate is
    what the machine gives and the latency grows with the queue. With `rate` (jobs per second) job i is due
    at start + i / rate, as people arriving at a door; a job that starts late because all `clients` are busy
    has its lateness added to its latency, so that a slow server cannot hide by being asked less."""
    queue = iter(enumerate(jobs))
    results = []
    t0 = time.perf_counter()

    async def one(task_no):
        work, close = await work_for(task_no)
        try:
            for i, job in queue:
                late = 0.0
                if rate:
                    due = t0 + i / rate
                    wait = due - time.perf_counter()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    late = max(0.0, time.perf_counter() - due)
                ok, error, took = await work(job)
                results.append((ok, error, None if took is None else took + late))
        finally:
            if close:
                await close()

    await asyncio.gather(*(one(i) for i in range(clients)))
    return results, time.perf_counter() - t0


# ---------------------------------------------------------------------------- one tree: data and server(s)


class Tree:
    """One source tree: its database, Redis database, data and gunicorn node(s)."""

    def __init__(self, label: str, src: Path | None, redis_db: int, args, tmp: Path):
        self.label, self.src, self.args = label, src, args
        self.db_name = f"prachum_perf_{label}_{os.getpid()}"
        self.redis_url = f"{args.redis_base}/{redis_db}"
        self.redis_db = redis_db
        url = bench.pg_create(args.pg_admin_url, self.db_name)
        self.site = bench.Site(label, tmp / label, url, args.pg_admin_url)
        self.site.data_dir.mkdir()
        self.site.env["PRACHUM_REDIS_URL"] = self.redis_url
        if src:
            self.site.env["PYTHONPATH"] = str(src)
        self.nodes: list[subprocess.Popen] = []
        self.nginx = None
        self.round = 0

    def env(self, port: int) -> dict:
        env = self.site.env_for(port)
        env["PRACHUM_REDIS_URL"] = self.redis_url
        if self.src:
            env["PYTHONPATH"] = str(self.src)
        return env

    def prepare(self) -> None:
        subprocess.run(["redis-cli", "-u", self.redis_url, "FLUSHDB"], capture_output=True, check=True)
        site = self.site
        log(f"  [{self.label}] migrate, collectstatic, meetings, {self.args.people} people at the door")
        for cmd in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            if site.prachum(*cmd, quiet=True).returncode != 0:
                raise RuntimeError(f"prachum {cmd[0]} failed")
        yaml = site.data_dir / "register.yaml"
        yaml.write_text(MEETING_YAML.format(slug=REGISTER_SLUG, capacity=1_000_000, questions=ADGSOM_QUESTIONS))
        if site.prachum("load-meeting", str(yaml), quiet=True).returncode != 0:
            raise RuntimeError("load-meeting failed")
        self.categories = json.loads(site.shell_value(CATEGORY_IDS % REGISTER_SLUG))
        codes_file = site.data_dir / "codes.txt"
        seeded = site.prachum("shell", "-c", CHECKIN_SEED.format(
            slug=CHECKIN_SLUG, bundle_slug="checkin-bundle-unused", people=self.args.people, bundle_people=1,
            codes_file=str(codes_file)), quiet=True)
        self.sessions = json.loads(seeded.stdout.strip().splitlines()[-1])["sessions"]
        self.codes = codes_file.read_text().split()
        self.device_token = site.prachum("device-token", CHECKIN_SLUG, "--name", "desk", quiet=True).stdout.split()[-1]

    def start(self, nodes: int) -> str:
        """Start `nodes` gunicorns (and nginx before them when more than one); returns the base URL."""
        ports = [bench.free_port() for _ in range(nodes)]
        # The public address (CSRF compares the form's Origin with it): nginx's when the nodes are behind it.
        public = ports[0] if nodes == 1 else bench.free_port()
        for port in ports:
            env = dict(self.env(public), DJANGO_SETTINGS_MODULE="benchsite.settings")
            cmd = [str(bench.GUNICORN), "-c", "python:prachum.gunicorn_config", "benchsite.wsgi:application",
                   "--pythonpath", str(BENCH_DIR), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
                   "--error-logfile", "-", "--graceful-timeout", "5"]
            logf = open(self.site.gunicorn_log, "a")
            self.nodes.append(subprocess.Popen(cmd, env=env, cwd=bench.ROOT, stdout=logf, stderr=subprocess.STDOUT,
                                               start_new_session=True))
        for port in ports:
            wait_ready(f"http://127.0.0.1:{port}")
        if nodes == 1:
            return f"http://127.0.0.1:{ports[0]}"
        self.nginx = Nginx(self.site.data_dir / f"nginx-{nodes}", ports, self.site.data_dir / "static", public)
        return self.nginx.start()

    def stop(self) -> None:
        if self.nginx:
            self.nginx.stop()
            self.nginx = None
        for proc in self.nodes:
            proc.terminate()
        for proc in self.nodes:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
        self.nodes = []

    def server_pids(self) -> list[int]:
        pids = []
        for proc in self.nodes:
            pids += [proc.pid, *bench.child_pids(proc.pid)]
        return pids

    def drop(self) -> None:
        bench.pg_drop(self.args.pg_admin_url, self.db_name)
        subprocess.run(["redis-cli", "-u", self.redis_url, "FLUSHDB"], capture_output=True)


def wait_ready(base: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if bench.http_status(base + "/en/", timeout=5) is not None:
            return
        time.sleep(0.3)
    raise RuntimeError(f"{base} did not answer within 90 s")


class Nginx:
    """nginx in front of the nodes, with the configuration production gets (prachum.core.cluster)."""

    def __init__(self, folder: Path, ports: list[int], static_root: Path, port: int):
        self.folder, self.ports, self.static_root, self.port = folder, ports, static_root, port
        self.proc = None

    def start(self) -> str:
        from prachum.core import cluster

        prefix = self.folder / "nginx"
        for sub in (prefix / "temp", self.folder / "logs"):
            sub.mkdir(parents=True, exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(cluster.cluster_nginx(prefix=prefix, listen=f"127.0.0.1:{self.port}",
                                              upstreams=[f"127.0.0.1:{p}" for p in self.ports],
                                              static_root=self.static_root))
        self.proc = subprocess.Popen(["/usr/sbin/nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
                                     stdout=subprocess.DEVNULL, stderr=open(self.folder / "stderr.log", "w"),
                                     start_new_session=True)
        base = f"http://127.0.0.1:{self.port}"
        wait_ready(base)
        return base

    def pids(self) -> list[int]:
        return [self.proc.pid, *bench.child_pids(self.proc.pid)] if self.proc else []

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=15)


# ---------------------------------------------------------------------------- one measured run


def measure(tree: Tree, nodes: int, target: str, run_load, rate: float | None = None) -> Run:
    """CPU of the server processes, nginx and the database's backends around `run_load()`."""
    server_pids = tree.server_pids()
    nginx_pids = tree.nginx.pids() if tree.nginx else []
    db_pids = tree.site.db_backend_pids()
    before = {pid: bench.process_cpu(pid) for pid in server_pids + nginx_pids + db_pids}
    busy0, steal0 = bench.machine_cpu()
    self0 = time.process_time()
    results, seconds = run_load()
    client = time.process_time() - self0
    busy1, steal1 = bench.machine_cpu()
    db_pids = set(db_pids) | set(tree.site.db_backend_pids())

    def spent(pids):
        return sum(bench.process_cpu(pid) - before.get(pid, 0.0) for pid in pids)

    app, ngx, db = spent(server_pids), spent(nginx_pids), spent(db_pids)
    run = Run(tree.label, nodes, target, paced=rate, count=len(results), seconds=seconds)
    run.ok = sum(ok for ok, _, _ in results)
    for ok, error, _ in results:
        if not ok:
            run.errors[error] = run.errors.get(error, 0) + 1
    run.rps = run.ok / seconds
    times = [took * 1000 for ok, _, took in results if ok]
    run.ms = {p: percentile(times, n) for p, n in (("p50", 50), ("p95", 95), ("p99", 99))}
    per = 1000 / max(len(results), 1)
    run.app_ms, run.nginx_ms, run.db_ms = app * per, ngx * per, db * per
    run.cpu_ms = run.app_ms + run.nginx_ms + run.db_ms
    run.client_cores = client / seconds
    run.other_cores = max(0.0, (busy1 - busy0) - app - ngx - db - client) / seconds + (steal1 - steal0) / seconds
    return run


def run_registrations(tree: Tree, base: str, nodes: int, args, count: int, rate: float | None = None) -> Run:
    tree.round += 1
    tag = f"{tree.label}{os.getpid()}r{tree.round}"
    path = f"/en/m/{REGISTER_SLUG}/register/"

    async def work_for(_task):
        async def work(n):
            return await register_once(base, path, n, tag, tree.categories, args.timeout)
        return work, None

    return measure(tree, nodes, "register", lambda: asyncio.run(drive(args.clients, range(count), work_for, rate)),
                   rate)


def run_checkins(tree: Tree, base: str, nodes: int, args, count: int, session: int,
                 rate: float | None = None) -> Run:
    import httpx

    path = f"/api/v1/meetings/{CHECKIN_SLUG}/checkin/redeem/"
    # Every run takes people nobody checked in yet, in the same session: its count grows from run to run.
    codes, tree.codes = tree.codes[:count], tree.codes[count:]

    async def work_for(_task):
        client = httpx.AsyncClient(base_url=base, timeout=args.timeout, verify=tls_settings())

        async def work(code):
            return await checkin_desk(client, path, tree.device_token, code, session)
        return work, client.aclose

    return measure(tree, nodes, "checkin", lambda: asyncio.run(drive(args.clients, codes, work_for, rate)), rate)


# ---------------------------------------------------------------------------- the probe: Redis commands, SQL


PROBE = """
import json, uuid
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
out = {}
browser = Client(HTTP_HOST="127.0.0.1")
page = browser.get("/en/m/%(slug)s/register/")
with CaptureQueriesContext(connection) as get_q:
    browser = Client(HTTP_HOST="127.0.0.1")
    page = browser.get("/en/m/%(slug)s/register/")
import re
csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
token = re.search(r'name="form_token" value="([^"]+)"', page.content.decode()).group(1)
data = dict(%(fields)s)
data.update(csrfmiddlewaretoken=csrf, form_token=token)
with CaptureQueriesContext(connection) as post_q:
    answer = browser.post("/en/m/%(slug)s/register/", data)
desk = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION="Bearer %(token)s")
desk.post("/api/v1/meetings/%(cslug)s/checkin/redeem/", json.dumps({"code": "%(code0)s", "session": %(session)d, "client_id": str(uuid.uuid4())}), content_type="application/json")
with CaptureQueriesContext(connection) as scan_q:
    scan = desk.post("/api/v1/meetings/%(cslug)s/checkin/redeem/", json.dumps({"code": "%(code1)s", "session": %(session)d, "client_id": str(uuid.uuid4())}), content_type="application/json")
print(json.dumps({"get": [q["sql"][:200] for q in get_q.captured_queries], "post_status": answer.status_code,
                  "post": [q["sql"][:200] for q in post_q.captured_queries], "scan_status": scan.status_code,
                  "scan": [q["sql"][:200] for q in scan_q.captured_queries],
                  "cookies": sorted(browser.cookies.keys())}))
"""


def monitor_redis(db: int, seen: list) -> subprocess.Popen:
    proc = subprocess.Popen(["redis-cli", "-h", "127.0.0.1", "monitor"], stdout=subprocess.PIPE, text=True)

    def read():
        for line in proc.stdout:
            if f"[{db} " in line:
                seen.append(line.split("]", 1)[1].split()[0].strip('"').upper())

    threading.Thread(target=read, daemon=True).start()
    return proc


def probe(tree: Tree, base: str, args) -> dict:
    """Redis commands per registration (GET + POST) and per check-in, over a few of each; SQL of one, in-process."""
    out = {}
    for target, count in (("register", 20), ("checkin", 20)):
        seen: list = []
        mon = monitor_redis(tree.redis_db, seen)
        time.sleep(0.3)
        if target == "register":
            tree.round += 1
            tag = f"{tree.label}{os.getpid()}p{tree.round}"
            path = f"/en/m/{REGISTER_SLUG}/register/"

            async def go():
                for n in range(count):
                    await register_once(base, path, n, tag, tree.categories, args.timeout)
        else:
            import httpx

            async def go():
                async with httpx.AsyncClient(base_url=base, timeout=args.timeout, verify=tls_settings()) as client:
                    for code in tree.codes[-count:]:
                        await checkin_desk(client, f"/api/v1/meetings/{CHECKIN_SLUG}/checkin/redeem/",
                                           tree.device_token, code, tree.sessions[-1])
        asyncio.run(go())
        time.sleep(0.5)
        mon.terminate()
        mon.wait()
        kinds: dict = {}
        for cmd in seen:
            kinds[cmd] = kinds.get(cmd, 0) + 1
        out[f"redis_per_{target}"] = {k: round(v / count, 2) for k, v in sorted(kinds.items())}
    fields = [(k, v) for k, v in form_fields(1, "probe", tree.categories, "", "") if k not in ("csrfmiddlewaretoken", "form_token")]
    code = PROBE % {"slug": REGISTER_SLUG, "fields": repr(fields), "token": tree.device_token, "cslug": CHECKIN_SLUG,
                    "code0": tree.codes[-count - 1], "code1": tree.codes[-count - 2], "session": tree.sessions[-1]}
    env = dict(tree.env(0), DJANGO_SETTINGS_MODULE="benchsite.settings",
               PYTHONPATH=os.pathsep.join(filter(None, [str(tree.src) if tree.src else "", str(BENCH_DIR)])))
    proc = subprocess.run([str(bench.PRACHUM), "shell", "-c", code], env=env, cwd=bench.ROOT, capture_output=True, text=True)
    try:
        sql = json.loads(proc.stdout.strip().splitlines()[-1])
        out["sql"] = sql
    except (IndexError, json.JSONDecodeError):
        out["sql_error"] = (proc.stdout + proc.stderr)[-800:]
    return out


# ---------------------------------------------------------------------------- output


def fmt(value, spec):
    return bench.fmt(value, spec)


def closed_rate(runs: list[Run], tree: str, nodes: int, target: str) -> float:
    rates = [r.rps for r in runs if (r.tree, r.nodes, r.target, r.paced) == (tree, nodes, target, None)]
    return sum(rates) / len(rates)


def print_table(runs: list[Run]) -> None:
    header = (f"{'tree':<6} {'nodes':>5} {'target':<9} {'ok':>5} {'per s':>6} {'p50 ms':>7} {'p95':>6} {'p99':>6} "
              f"{'cpu ms':>7} {'app':>5} {'nginx':>5} {'pg':>5} {'client':>6} {'other':>5}  errors")
    log(header)
    log("-" * len(header))
    for r in runs:
        target = r.target if r.paced is None else f"{r.target[:5]}@{r.paced:.0f}"
        log(f"{r.tree:<6} {r.nodes:>5} {target:<9} {r.ok:>5} {r.rps:>6.1f} {fmt(r.ms.get('p50'), '7.1f')} "
            f"{fmt(r.ms.get('p95'), '6.1f')} {fmt(r.ms.get('p99'), '6.1f')} {fmt(r.cpu_ms, '7.1f')} "
            f"{fmt(r.app_ms, '5.1f')} {fmt(r.nginx_ms, '5.2f')} {fmt(r.db_ms, '5.1f')} {r.client_cores:>6.2f} "
            f"{r.other_cores:>5.2f}  {r.errors or ''}")
    log("register: per s = registrations/s; p50-p99 of the POST alone; cpu ms per registration (its GET and POST).\n"
        "checkin: per s = check-ins/s; p50-p99 of the redeem POST; cpu ms per check-in. cpu = app (gunicorn) +\n"
        "nginx + pg (the database's PostgreSQL backends). client: cores the load generator took; other: cores\n"
        "other programs took (the machine is shared; compare rows with little of it). regis@40, check@100:\n"
        "people arriving at 40 or 100 per second (at most c at a time), latency counted from when each was due.")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", default="1,2", help="comma-separated node counts (default 1,2; 2+ behind nginx)")
    parser.add_argument("--src", action="append", default=[], type=Path,
                        help="another source tree (its src/ folder) measured alternately with this one (repeatable)")
    parser.add_argument("--rounds", type=int, default=2, help="measured runs of each kind per tree and node count")
    parser.add_argument("--registrations", type=int, default=1200, help="registrations per run (default 1200)")
    parser.add_argument("--checkins", type=int, default=3000, help="check-ins per run (default 3000)")
    parser.add_argument("--warmup", type=int, default=100, help="registrations and check-ins before the runs")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--paced", default="0.5",
                        help="after the closed-loop runs, runs at these fractions of their rate (people arriving "
                             "at a steady pace, at most --clients at a time; default %(default)s; '' for none)")
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--redis-base", default="redis://127.0.0.1:6379",
                        help="the Redis server; each tree uses a database of its own from 7 on, flushed first")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-probe", action="store_true", help="skip counting Redis commands and SQL statements")
    args = parser.parse_args(argv)
    node_counts = [int(n) for n in args.nodes.split(",")]

    if why := bench.pg_unreachable(args.pg_admin_url):
        log(f"production: PostgreSQL is unreachable ({why})")
        return 2
    started = dt.datetime.now()
    log(f"Prachum in the production shape  {started:%Y-%m-%d %H:%M}  commit {bench.git_commit()}  {bench.CORES} cores  "
        f"load average {os.getloadavg()[0]:.2f}  c={args.clients}, httpx, PostgreSQL + Redis, gunicorn -c prachum.gunicorn_config")
    # Each check-in run scans people nobody scanned yet; the probe's come from the end of the list.
    paced = [float(f) for f in args.paced.split(",") if f.strip()]
    args.people = len(node_counts) * (args.rounds * args.checkins + len(paced) * (args.checkins // 2) + args.warmup) + 100
    tmp = Path(tempfile.mkdtemp(prefix="prachum-production-"))
    trees: list[Tree] = []
    runs: list[Run] = []
    probes = {}
    try:
        labels = [f"src{i + 1}" for i in range(len(args.src))] + ["this"]
        for i, (label, src) in enumerate(zip(labels, [*args.src, None])):
            tree = Tree(label, src, 7 + i, args, tmp)
            trees.append(tree)
            log(f"  [{label}] {src or bench.ROOT / 'src'}: database {tree.db_name}, {tree.redis_url}")
            tree.prepare()
        for nodes in node_counts:
            bases = {}
            for tree in trees:
                bases[tree.label] = tree.start(nodes)
            try:
                for tree in trees:  # warm-up, not counted
                    run_registrations(tree, bases[tree.label], nodes, args, args.warmup)
                for round_no in range(args.rounds):
                    for tree in trees:
                        r = run_registrations(tree, bases[tree.label], nodes, args, args.registrations)
                        runs.append(r)
                        log(f"    {tree.label} {nodes} node(s) register {r.ok} {r.rps:.1f}/s p99 {fmt(r.ms['p99'], '.0f')} ms "
                            f"cpu {r.cpu_ms:.1f} ms other {r.other_cores:.2f} {r.errors or ''}")
                for fraction in paced:
                    for tree in trees:
                        rate = fraction * closed_rate(runs, tree.label, nodes, "register")
                        r = run_registrations(tree, bases[tree.label], nodes, args, args.registrations // 2, rate)
                        runs.append(r)
                        log(f"    {tree.label} {nodes} node(s) register at {rate:.0f}/s: p99 {fmt(r.ms['p99'], '.0f')} ms "
                            f"cpu {r.cpu_ms:.1f} ms other {r.other_cores:.2f} {r.errors or ''}")
                for tree in trees:
                    run_checkins(tree, bases[tree.label], nodes, args, args.warmup, tree.sessions[0])
                for round_no in range(args.rounds):
                    for tree in trees:
                        r = run_checkins(tree, bases[tree.label], nodes, args, args.checkins, tree.sessions[0])
                        runs.append(r)
                        log(f"    {tree.label} {nodes} node(s) checkin {r.ok} {r.rps:.1f}/s p99 {fmt(r.ms['p99'], '.0f')} ms "
                            f"cpu {r.cpu_ms:.1f} ms other {r.other_cores:.2f} {r.errors or ''}")
                for fraction in paced:
                    for tree in trees:
                        rate = fraction * closed_rate(runs, tree.label, nodes, "checkin")
                        r = run_checkins(tree, bases[tree.label], nodes, args, args.checkins // 2, tree.sessions[0], rate)
                        runs.append(r)
                        log(f"    {tree.label} {nodes} node(s) checkin at {rate:.0f}/s: p99 {fmt(r.ms['p99'], '.0f')} ms "
                            f"cpu {r.cpu_ms:.1f} ms other {r.other_cores:.2f} {r.errors or ''}")
                if nodes == 1 and not args.no_probe:
                    for tree in trees:
                        probes[tree.label] = probe(tree, bases[tree.label], args)
            finally:
                for tree in trees:
                    tree.stop()
    finally:
        for tree in trees:
            tree.stop()
            tree.drop()
        shutil.rmtree(tmp, ignore_errors=True)

    log("")
    print_table(runs)
    for label, p in probes.items():
        log(f"\n[{label}] Redis commands per registration (GET + POST): {p['redis_per_register']}")
        log(f"[{label}] Redis commands per check-in: {p['redis_per_checkin']}")
        if "sql" in p:
            s = p["sql"]
            log(f"[{label}] SQL: GET of the form {len(s['get'])}, POST {len(s['post'])} (HTTP {s['post_status']}), "
                f"check-in {len(s['scan'])} (HTTP {s['scan_status']}); a new visitor's cookies after the POST: {s['cookies']}")
        else:
            log(f"[{label}] SQL probe failed: {p.get('sql_error')}")
    for r in runs:
        if r.nodes == 1 and r.tree == "this" and r.paced is None:
            goal = TARGET_REGISTER_P99_MS if r.target == "register" else TARGET_CHECKIN_P99_MS
            met = r.ms.get("p99") is not None and r.ms["p99"] < goal and not r.errors
            log(f"{r.target}: p99 {fmt(r.ms.get('p99'), '.0f')} ms, target < {goal} ms: {'met' if met else 'NOT met'}")
    bench.RESULTS_DIR.mkdir(exist_ok=True)
    out = bench.RESULTS_DIR / f"production-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"started": started.isoformat(), "commit": bench.git_commit(), "args": vars(args),
                               "runs": [asdict(r) for r in runs], "probes": probes}, indent=2, default=str))
    log(f"figures: {out.relative_to(bench.ROOT)}")
    return 1 if any(r.errors for r in runs) else 0


if __name__ == "__main__":
    sys.exit(main())
