#!/usr/bin/env python3
"""Check-in at the door under load: redeem through the device API, a big offline sync batch, and the
size of the offline bundle, against gunicorn + PostgreSQL (bench/harness.py's Site and Gunicorn).

    .venv/bin/python bench/checkin.py                   # all three, PostgreSQL, c=16
    .venv/bin/python bench/checkin.py --duration 20 --people 40000

In a fresh PostgreSQL database it makes one published meeting with --people approved in-person
registrations (bulk insert, not through the form: the door is what is measured) and three sessions, and a
device token (`prachum device-token`). Then, with gunicorn (benchsite, gthread by default as in bench/run.py):

  redeem   wrk at c=16 POSTs /api/v1/meetings/<slug>/checkin/redeem/ with the device's Bearer token, each
           request a new badge code and a new client_id (report.lua's counting, plus a request generator);
           a warm-up on session 1, the measured run on session 2. Check-ins/s is counted in the database
           afterwards (new rows of session 2 over the run's duration): every one must be a distinct person.
  sync     one POST of a 5,000-item batch (session 3, device times a few minutes back, sent_at now), timed
           end to end; every item must come back "ok" and be stored once.
  bundle   GET the bundle of a 5,000-person meeting with Accept-Encoding: gzip: bytes on the wire and time.

Targets (issue 5): redeem >= 300 check-ins/s with p99 < 50 ms; sync 5,000 <= 5 s; bundle <= 300 KB gzipped.
The machine is shared with other agents: it prints what it measured, the ratio to the target, and how
many cores other programs took meanwhile.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import harness as bench  # noqa: E402  (bench/harness.py: Site, Gunicorn, Workers, CPU accounting, PostgreSQL)

log = bench.log
SLUG = "checkin-bench"
BUNDLE_SLUG = "checkin-bundle-bench"
TARGET_RPS = 300
TARGET_P99_MS = 50
TARGET_SYNC_S = 5.0
TARGET_BUNDLE_KB = 300
SYNC_ITEMS = 5000
BUNDLE_PEOPLE = 5000

SEED = """
import json
from datetime import timedelta
from django.utils import timezone
from prachum.directory.models import Organization
from prachum.meetings.models import Category, Delegation, Meeting, Session
from prachum.registration.models import Registration

def make(slug, people, sessions):
    start = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    meeting = Meeting.objects.create(slug=slug, title_en=f"Check-in benchmark {{slug}}", title_lo="ທົດລອງການລົງທະບຽນເຂົ້າ",
        starts_at=start, ends_at=start + timedelta(days=2), status="published", venue_en="Vientiane")
    category = Category.objects.create(meeting=meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ")
    orgs = []
    for i in range(10):
        org, _ = Organization.objects.get_or_create(code=f"bench{{i}}", defaults=dict(
            kind="member_state", name_en=f"Member State {{i}}", name_lo=f"ປະເທດສະມາຊິກ {{i}}", protocol_order=900 + i))
        orgs.append(Delegation.objects.create(meeting=meeting, organization=org))
    for n in range(sessions):
        Session.objects.create(meeting=meeting, title_en=f"Day {{n + 1}}", title_lo=f"ມື້ທີ {{n + 1}}",
                               starts_at=start + timedelta(hours=8 * n), ends_at=start + timedelta(hours=8 * n + 6), order=n)
    rows = []
    for n in range(people):
        r = Registration(meeting=meeting, category=category, delegation=orgs[n % 10], status="approved",
                         given_name=f"Given{{n}}", family_name=f"Family{{n}}", name_lo=f"ຊື່ ນາມສະກຸນ {{n}}",
                         email=f"person{{n}}@{{slug}}.example.org", decided_at=start)
        r.set_manage_token()
        rows.append(r)
    Registration.objects.bulk_create(rows, batch_size=2000)
    return meeting

meeting = make({slug!r}, {people}, 3)
make({bundle_slug!r}, {bundle_people}, 2)
codes = list(Registration.objects.filter(meeting=meeting).order_by("?").values_list("badge_code", flat=True))
open({codes_file!r}, "w").write("\\n".join(codes) + "\\n")
print(json.dumps({{"sessions": list(meeting.sessions.order_by("order").values_list("pk", flat=True))}}))
"""

# report.lua counts statuses and prints BENCH_JSON; this adds the requests: a new code and client_id each.
REQUESTS_LUA = """
local codes = {}
local next_index = 0
local step = 1
local thread_counter = 0

function setup(thread)
   table.insert(threads, thread)
   thread:set("thread_index", thread_counter)
   thread_counter = thread_counter + 1
end

function init(args)
   statuses = {}
   for line in io.lines(os.getenv("CHECKIN_CODES")) do table.insert(codes, line) end
   next_index = thread_index + 1
   step = tonumber(os.getenv("CHECKIN_THREADS"))
   math.randomseed(os.time() * 1000 + thread_index)
end

local function uuid4()
   local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
   return (string.gsub(t, "[xy]", function(c)
      local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
      return string.format("%x", v)
   end))
end

function request()
   local code = codes[next_index]
   next_index = next_index + step
   if next_index > #codes then next_index = next_index - #codes end
   local body = string.format('{"code":"%s","session":%s,"client_id":"%s"}', code, os.getenv("CHECKIN_SESSION"), uuid4())
   return wrk.format("POST", nil, {
      ["Authorization"] = "Bearer " .. os.getenv("CHECKIN_TOKEN"),
      ["Content-Type"] = "application/json",
      ["Accept-Language"] = "en",
   }, body)
end
"""


def lua_script(path: Path) -> Path:
    report = bench.LUA_SCRIPT.read_text()
    # report.lua's setup/init are replaced by ours (same statuses table, plus the codes).
    report = report.replace("function setup(thread)\n   table.insert(threads, thread)\nend\n", "")
    report = report.replace("function init(args)\n   statuses = {}\nend\n", "")
    path.write_text(report + REQUESTS_LUA)
    return path


def run_wrk(url: str, script: Path, env: dict, args, duration: float) -> dict:
    import subprocess

    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration:g}s", "--timeout=10s", "-s", str(script), url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 90, env={**os.environ, **env})
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            data["command"] = " ".join(cmd)
            return data
    raise RuntimeError(f"wrk printed no result (exit {proc.returncode}): {proc.stdout}\n{proc.stderr}")


def count_checkins(site: bench.Site, session_id: int) -> tuple[int, int]:
    value = site.shell_value(
        "from prachum.checkin.models import CheckIn; from django.db.models import Count; "
        f"q = CheckIn.objects.filter(session_id={session_id}); "
        "print(q.count(), q.values('registration_id').annotate(n=Count('pk')).filter(n__gt=1).count())"
    )
    total, doubled = value.split()
    return int(total), int(doubled)


def http(method: str, url: str, token: str, body: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=body, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json", **(headers or {})})
    t0 = time.monotonic()
    with urllib.request.urlopen(request, timeout=120) as response:
        content = response.read()
        return response.status, content, dict(response.headers), time.monotonic() - t0


def ratio(value, target, higher_is_better: bool) -> str:
    if value is None:
        return "—"
    r = value / target if higher_is_better else target / value if value else float("inf")
    return f"{r:.2f}× {'(met)' if r >= 1 else '(NOT met)'}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=25000,
                        help="approved people of the redeem meeting (default 25000: more than 15 s of scans at 1,000/s, so that no code is scanned twice)")
    parser.add_argument("--duration", type=float, default=15, help="seconds of the measured redeem run (default 15)")
    parser.add_argument("--warmup", type=float, default=5, help="seconds of warm-up on another session (default 5)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=bench.Workers.parse, default=bench.Workers.product(),
                        help="gunicorn setup, sync:5 or gthread:4x2 (default: src/prachum/gunicorn_config.py's)")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--port", type=int, default=8111, help="gunicorn's port (0: any free one)")
    parser.add_argument("--keep", action="store_true", help="keep the data folder and the PostgreSQL database")
    parser.add_argument("--settings", default="benchsite.settings",
                        help="settings module gunicorn serves (one that imports benchsite.settings and changes it)")
    parser.add_argument("--pythonpath", action="append", default=[], help="extra folder for --settings (repeatable)")
    args = parser.parse_args(argv)

    if why := bench.pg_unreachable(args.pg_admin_url):
        log(f"checkin: PostgreSQL is unreachable ({why})")
        return 2
    log(f"Prachum check-in benchmark  {dt.datetime.now():%Y-%m-%d %H:%M}  commit {bench.git_commit()}  "
        f"{bench.CORES} cores  load average {os.getloadavg()[0]:.2f}  gunicorn {args.workers.label}  c={args.connections}")
    tmp = Path(tempfile.mkdtemp(prefix="prachum-checkin-bench-"))
    name = f"prachum_checkin_bench_{os.getpid()}"
    url = bench.pg_create(args.pg_admin_url, name)
    figures: dict = {}
    try:
        site = bench.Site("postgres", tmp / "data", url, args.pg_admin_url)
        site.port = args.port or site.port
        site.env = site.env_for(site.port)
        site.data_dir.mkdir()
        log(f"  fresh database {name}: migrate, {args.people} + {BUNDLE_PEOPLE} people")
        if site.prachum("migrate", "--noinput", quiet=True).returncode != 0:
            raise RuntimeError("migrate failed")
        site.prachum("collectstatic", "--noinput", quiet=True)
        codes_file = tmp / "codes.txt"
        seeded = site.prachum("shell", "-c", SEED.format(
            slug=SLUG, bundle_slug=BUNDLE_SLUG, people=args.people, bundle_people=BUNDLE_PEOPLE,
            codes_file=str(codes_file)), quiet=True)
        sessions = json.loads(seeded.stdout.strip().splitlines()[-1])["sessions"]
        token = site.prachum("device-token", SLUG, "--name", "bench", quiet=True).stdout.strip().splitlines()[-1]
        bundle_token = site.prachum("device-token", BUNDLE_SLUG, "--name", "bench", quiet=True).stdout.strip().splitlines()[-1]
        script = lua_script(tmp / "redeem.lua")
        site.settings_module, site.extra_pythonpath = args.settings, args.pythonpath

        with bench.Gunicorn(site, args.workers) as server:
            redeem_url = f"{server.base_url}/api/v1/meetings/{SLUG}/checkin/redeem/"
            env = {"CHECKIN_CODES": str(codes_file), "CHECKIN_TOKEN": token, "CHECKIN_THREADS": str(args.threads)}
            log(f"  redeem: warm-up {args.warmup:g} s on session 1")
            run_wrk(redeem_url, script, {**env, "CHECKIN_SESSION": str(sessions[0])}, args, args.warmup)

            log(f"  redeem: measured {args.duration:g} s on session 2")
            db_pids = site.db_backend_pids()
            db0 = {pid: bench.process_cpu(pid) for pid in db_pids}
            busy0, steal0 = bench.machine_cpu()
            app0, wrk0, t0 = server.cpu_seconds(), bench.own_children_cpu(), time.monotonic()
            data = run_wrk(redeem_url, script, {**env, "CHECKIN_SESSION": str(sessions[1])}, args, args.duration)
            wall = time.monotonic() - t0
            app, wrk_cpu = server.cpu_seconds() - app0, bench.own_children_cpu() - wrk0
            busy1, steal1 = bench.machine_cpu()
            db = sum(bench.process_cpu(pid) - db0.get(pid, 0.0) for pid in set(db_pids) | set(site.db_backend_pids()))
            stored, doubled = count_checkins(site, sessions[1])
            seconds = data["duration_us"] / 1e6
            figures["redeem"] = {
                "requests": data["requests"], "rps": data["requests"] / seconds, "checkins": stored,
                "checkins_per_s": stored / seconds, "doubled_people": doubled,
                "p50_ms": data["latency_us"]["p50"] / 1000, "p99_ms": data["latency_us"]["p99"] / 1000,
                "non_2xx": data["non_2xx"], "statuses": data["statuses"],
                "app_cpu_ms_per_request": app / max(data["requests"], 1) * 1000,
                "db_cpu_ms_per_request": db / max(data["requests"], 1) * 1000,
                "other_cores": max(0.0, (busy1 - busy0) - app - db - wrk_cpu) / wall, "wrk_cores": wrk_cpu / wall,
                "steal_cores": (steal1 - steal0) / wall,
                "wrapped_codes": data["requests"] > args.people,
            }

            log(f"  sync: one batch of {SYNC_ITEMS}")
            try:
                now = dt.datetime.now(dt.UTC)
                with open(codes_file) as f:
                    codes = [line.strip() for line in f if line.strip()][:SYNC_ITEMS]
                items = [{"client_id": str(uuid.uuid4()), "code": code, "session": sessions[2],
                          "checked_in_at": (now - dt.timedelta(seconds=600 - i * 0.1)).isoformat()}
                         for i, code in enumerate(codes)]
                body = json.dumps({"sent_at": now.isoformat(), "items": items}).encode()
                status, content, _, took = http("POST", f"{server.base_url}/api/v1/meetings/{SLUG}/checkin/sync/", token, body)
                results = json.loads(content)["results"]
                ok = sum(r["outcome"] == "ok" for r in results)
                stored3, doubled3 = count_checkins(site, sessions[2])
                status2, _, _, took_again = http("POST", f"{server.base_url}/api/v1/meetings/{SLUG}/checkin/sync/", token, body)
                stored3_again, _ = count_checkins(site, sessions[2])
                figures["sync"] = {"items": len(items), "seconds": took, "ok": ok, "stored": stored3,
                                   "doubled_people": doubled3, "request_bytes": len(body),
                                   "replay_seconds": took_again, "stored_after_replay": stored3_again}
            except OSError as exc:  # a timeout: gunicorn (--timeout 60) killed the worker
                figures["sync"] = {"items": SYNC_ITEMS, "seconds": None, "error": repr(exc), "ok": 0, "stored": 0,
                                   "doubled_people": 0, "request_bytes": 0, "replay_seconds": None, "stored_after_replay": 0}
            log(f"  bundle: {BUNDLE_PEOPLE} people")
            _, content, headers, took = http("GET", f"{server.base_url}/api/v1/meetings/{BUNDLE_SLUG}/checkin/bundle/",
                                             bundle_token, headers={"Accept-Encoding": "gzip"})
            raw = gzip.decompress(content) if headers.get("Content-Encoding") == "gzip" else content
            figures["bundle"] = {"people": len(json.loads(raw)["people"]), "gzip_bytes": len(content),
                                 "raw_bytes": len(raw), "seconds": took}
    finally:
        if args.keep:
            log(f"  kept database {name} and {tmp}")
        else:
            bench.pg_drop(args.pg_admin_url, name)

    r, s, b = figures["redeem"], figures["sync"], figures["bundle"]
    # As bench/run.py's idle_rps_estimate: scaled to the whole machine, assuming the run is CPU-bound.
    left = max(bench.CORES - r["other_cores"] - r["steal_cores"], bench.CORES / 4)
    r["idle_checkins_per_s_estimate"] = r["checkins_per_s"] * bench.CORES / left
    r["cpu_bound_ceiling_per_s"] = bench.CORES * 1000 / max(r["app_cpu_ms_per_request"] + r["db_cpu_ms_per_request"], 0.01)
    log("")
    log(f"{'measure':<34} {'value':>12} {'target':>12}  ratio")
    log(f"{'redeem check-ins/s (c=16)':<34} {r['checkins_per_s']:>12.0f} {'>= 300':>12}  {ratio(r['checkins_per_s'], TARGET_RPS, True)}")
    log(f"{'  if the machine were idle ≈':<34} {r['idle_checkins_per_s_estimate']:>12.0f} {'>= 300':>12}  "
        f"{ratio(r['idle_checkins_per_s_estimate'], TARGET_RPS, True)}  (estimate)")
    log(f"{'  2 cores / CPU per check-in':<34} {r['cpu_bound_ceiling_per_s']:>12.0f} {'>= 300':>12}  "
        f"{ratio(r['cpu_bound_ceiling_per_s'], TARGET_RPS, True)}  (estimate)")
    log(f"{'redeem p99 ms':<34} {r['p99_ms']:>12.1f} {'< 50':>12}  {ratio(r['p99_ms'], TARGET_P99_MS, False)}")
    log(f"{'redeem p50 ms':<34} {r['p50_ms']:>12.1f}")
    log(f"{'sync 5,000 items, s':<34} {bench.fmt(s['seconds'], '>12.2f')} {'<= 5':>12}  {ratio(s['seconds'], TARGET_SYNC_S, False)}"
        + (f"  {s['error']}" if s.get("error") else ""))
    log(f"{'bundle 5,000 people, KB gzipped':<34} {b['gzip_bytes'] / 1024:>12.1f} {'<= 300':>12}  "
        f"{ratio(b['gzip_bytes'] / 1024, TARGET_BUNDLE_KB, False)}")
    log("")
    log(f"redeem: {r['requests']} requests ({r['rps']:.0f}/s), {r['checkins']} check-ins stored, "
        f"{r['doubled_people']} people counted twice, non-2xx {r['non_2xx']}, statuses {r['statuses']}; "
        f"CPU per request: gunicorn {r['app_cpu_ms_per_request']:.2f} ms, PostgreSQL {r['db_cpu_ms_per_request']:.2f} ms; other programs {r['other_cores']:.2f} cores, "
        f"wrk {r['wrk_cores']:.2f} cores" + ("; codes wrapped around (more requests than people)" if r["wrapped_codes"] else ""))
    log(f"sync: {s['ok']}/{s['items']} ok, {s['stored']} stored, {s['doubled_people']} people twice, "
        f"{s['request_bytes'] / 1024:.0f} KB sent; the same batch again: {bench.fmt(s['replay_seconds'], '.2f')} s, "
        f"{s['stored_after_replay']} stored")
    log(f"bundle: {b['people']} people, {b['raw_bytes'] / 1024:.0f} KB raw, {b['gzip_bytes'] / 1024:.0f} KB gzipped, "
        f"{b['seconds'] * 1000:.0f} ms")
    bench.RESULTS_DIR.mkdir(exist_ok=True)
    out = bench.RESULTS_DIR / f"checkin-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(figures, indent=2))
    log(f"figures: {out}")
    valid = r["non_2xx"] == 0 and r["doubled_people"] == 0 and s["ok"] == s["items"] == s["stored"] == s["stored_after_replay"]
    return 0 if valid else 1


if __name__ == "__main__":
    sys.exit(main())
