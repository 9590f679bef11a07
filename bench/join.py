#!/usr/bin/env python3
"""The personal join link under load: /en/join/<token>/<session>/ at c=16, PostgreSQL (and SQLite).

    .venv/bin/python bench/join.py                     # PostgreSQL, 20 s, c=16, gunicorn gthread 4x2 (the product's setup)
    .venv/bin/python bench/join.py --db both --duration 10

The data is the demo's (`prachum demo --no-serve`): the hybrid ADGSOM, whose video conference is a pasted
link, and its approved online participants. Each request is the whole join: find the registration by
the token (one indexed row, a constant-time MAC check), its session, the room, then INSERT a Join and
answer 302 to the organizer's link. wrk keeps 16 connections busy, each on the link of another approved
online participant (a request generator in front of bench/report.lua).

Beside it, in the same server and conditions, the ceiling /bench/insert/ (the middleware and one INSERT,
bench/benchsite): what any request that writes costs on this machine at this moment.

Two latencies are printed:
  server   gunicorn's own time per request (%(D)s in its access log, from reading the request to the last
           byte written), the figure the target is about: p99 < 30 ms at c=16;
  client   wrk's time, which adds the wait in the listen queue while all worker threads are busy.
The machine is shared with other programs: their CPU during the run is printed beside the figures
("other cores"); a run during which they took more than a quarter of a core is marked noisy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import harness as bench  # noqa: E402  (bench/harness.py: Site, Gunicorn, Workers, CPU accounting, PostgreSQL)

TARGET_P99_MS = 30.0
PORTS = range(8121, 8130)  # this benchmark's ports on the shared machine
# report.lua's counting and summary line, with a request generator in front: each connection asks for the
# personal join link of another participant (JOIN_PATHS: the paths, separated by "|"), round robin.
JOIN_REQUESTS = """
local paths = {}
for path in string.gmatch(os.getenv("JOIN_PATHS") or "/", "[^|]+") do table.insert(paths, path) end
local counter = 0

request = function()
   counter = counter + 1
   return wrk.format("GET", paths[(counter % #paths) + 1])
end
"""


def lua_script() -> Path:
    script = Path(tempfile.gettempdir()) / f"prachum-join-{os.getpid()}.lua"
    script.write_text(JOIN_REQUESTS + (BENCH_DIR / "report.lua").read_text())
    return script

FIND_LINKS = """
from prachum.meetings.models import Meeting
from prachum.online.links import join_path
from prachum.registration.models import Registration
meeting = Meeting.objects.get(slug="adgsom-demo")
session = meeting.sessions.order_by("starts_at").first()
people = Registration.objects.filter(meeting=meeting, status="approved", participation="online")
print("|".join(join_path(r, session, "en") for r in people))
"""


class TimedGunicorn(bench.Gunicorn):
    """bench.Gunicorn with an access log of status and request time only (no path: the tokens stay out)."""

    def __init__(self, site, workers, port, access_log: Path):
        super().__init__(site, workers, port)
        self.access_log = access_log

    def start(self):
        env = dict(self.site.env_for(self.port), DJANGO_SETTINGS_MODULE=self.site.settings_module)
        cmd = [
            str(bench.GUNICORN), "benchsite.wsgi:application",
            "--pythonpath", ",".join([str(bench.BENCH_DIR), *self.site.extra_pythonpath]),
            "--bind", f"127.0.0.1:{self.port}", *self.workers.gunicorn_args(),
            "--log-level", "warning", "--error-logfile", "-", "--timeout", "60", "--graceful-timeout", "5",
            "--access-logfile", str(self.access_log), "--access-logformat", "%(s)s %(D)s",
        ]
        self._log = open(self.site.gunicorn_log, "a")
        self.proc = subprocess.Popen(cmd, env=env, cwd=bench.ROOT, stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        return self


def free_port_in_range() -> int:
    import socket

    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def first_status(port: int, path: str) -> str:
    """The status of one join, without following the redirect (it leads off this machine)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return f"{response.status} to {response.getheader('Location', '')[:40]}"
    finally:
        conn.close()


def server_times(access_log: Path, since: int) -> tuple[list[float], dict]:
    """Request times in ms and the count per status, from the access log lines after byte `since`."""
    times, statuses = [], {}
    with open(access_log) as f:
        f.seek(since)
        for line in f:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                statuses[parts[0]] = statuses.get(parts[0], 0) + 1
                times.append(int(parts[1]) / 1000)
    return times, statuses


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def wrk(url: str, paths: list[str], args) -> dict:
    env = dict(os.environ, JOIN_PATHS="|".join(paths))
    cmd = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.duration:g}s", "--timeout=10s", "-s", str(lua_script()), url]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 120, env=env)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            return json.loads(line[len("BENCH_JSON "):])
    raise RuntimeError(f"wrk printed no result (exit {proc.returncode}): {proc.stdout}\n{proc.stderr}")


def bench_site(site: bench.Site, args, tmp: Path) -> dict:
    site.prepare()
    paths = [p for p in site.shell_value(FIND_LINKS).split("|") if p]
    if not paths:
        raise RuntimeError("the demo has no approved online participant of adgsom-demo")
    bench.log(f"  [{site.name}] {len(paths)} approved online participants; first link {paths[0].split('/join/')[0]}/join/…")
    access_log = tmp / f"access-{site.name}.log"
    access_log.touch()
    port = free_port_in_range()
    with TimedGunicorn(site, args.workers, port, access_log) as server:
        status = first_status(port, paths[0])
        bench.log(f"  [{site.name}] gunicorn {args.workers.label} on port {port}; one join answers {status}")
        wrk(server.base_url, paths, argparse.Namespace(**{**vars(args), "duration": 3}))  # warm-up
        # The ceiling in the same conditions: the middleware and one INSERT, no join (bench/benchsite).
        mark = access_log.stat().st_size
        wrk(server.base_url, ["/bench/insert/"], argparse.Namespace(**{**vars(args), "duration": 3}))
        ceiling = wrk(server.base_url, ["/bench/insert/"], args)
        time.sleep(0.5)
        ceiling_times, _statuses = server_times(access_log, mark)
        mark = access_log.stat().st_size
        busy0, steal0 = bench.machine_cpu()
        app0, t0 = server.cpu_seconds(), time.monotonic()
        data = wrk(server.base_url, paths, args)
        wall = time.monotonic() - t0
        app = server.cpu_seconds() - app0
        busy1, steal1 = bench.machine_cpu()
        time.sleep(0.5)  # the access log is written after the response
        times, statuses = server_times(access_log, mark)
    joins = site.shell_value("from prachum.online.models import Join; print(Join.objects.count())")
    n = max(data["requests"], 1)
    other = max(0.0, (busy1 - busy0) - app) / wall  # wrk's own CPU is in it too
    return {
        "database": site.name,
        "requests": data["requests"],
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "statuses": data["statuses"],
        "errors": {k: v for k, v in data["errors"].items() if v},
        "client_p50_ms": data["latency_us"]["p50"] / 1000,
        "client_p99_ms": data["latency_us"]["p99"] / 1000,
        "server_p50_ms": percentile(times, 50) if times else None,
        "server_p99_ms": percentile(times, 99) if times else None,
        "server_mean_ms": statistics.fmean(times) if times else None,
        "server_statuses": statuses,
        "app_cpu_ms_per_request": app / n * 1000,
        "other_cores_incl_wrk": other,
        "steal_cores": (steal1 - steal0) / wall,
        "joins_recorded": int(joins) if joins.isdigit() else None,
        "ceiling_rps": ceiling["requests"] / (ceiling["duration_us"] / 1e6),
        "ceiling_server_p50_ms": percentile(ceiling_times, 50) if ceiling_times else None,
        "ceiling_server_p99_ms": percentile(ceiling_times, 99) if ceiling_times else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=bench.Workers.parse, default=bench.Workers.product())
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args(argv)

    bench.log(f"Prachum join-link benchmark  {dt.datetime.now():%Y-%m-%d %H:%M}  commit {bench.git_commit()}  "
              f"{bench.CORES} cores  load average {os.getloadavg()[0]:.2f}")
    tmp = Path(tempfile.mkdtemp(prefix="prachum-join-"))
    results = []
    for db in (["sqlite", "postgres"] if args.db == "both" else [args.db]):
        if db == "sqlite":
            site = bench.Site("sqlite", tmp / "sqlite", None)
            site.data_dir.mkdir()
            results.append(bench_site(site, args, tmp))
            continue
        if why := bench.pg_unreachable(args.pg_admin_url):
            bench.log(f"PostgreSQL skipped: {why}")
            continue
        name = f"prachum_join_{os.getpid()}"
        url = bench.pg_create(args.pg_admin_url, name)
        try:
            site = bench.Site("postgres", tmp / "postgres", url, args.pg_admin_url)
            site.data_dir.mkdir()
            results.append(bench_site(site, args, tmp))
        finally:
            bench.pg_drop(args.pg_admin_url, name)

    bench.log("")
    bench.log(f"join redirect at c={args.connections}, gunicorn {args.workers.label}, {args.duration:g} s per run")
    bench.log(f"{'database':<9} {'req/s':>7} {'server p50':>10} {'server p99':>10} {'client p50':>10} {'client p99':>10} "
              f"{'CPU ms/req':>10} {'other cores':>11} {'statuses':<14} joins")
    ok = True
    for r in results:
        bench.log(f"{r['database']:<9} {r['rps']:>7.0f} {r['server_p50_ms']:>10.1f} {r['server_p99_ms']:>10.1f} "
                  f"{r['client_p50_ms']:>10.1f} {r['client_p99_ms']:>10.1f} {r['app_cpu_ms_per_request']:>10.2f} "
                  f"{r['other_cores_incl_wrk']:>11.2f} {json.dumps(r['statuses']):<14} {r['joins_recorded']}")
        valid = set(r["statuses"]) == {"302"} and not r["errors"]
        bench.log(f"{'  ceiling':<9} {r['ceiling_rps']:>7.0f} {r['ceiling_server_p50_ms']:>10.1f} "
                  f"{r['ceiling_server_p99_ms']:>10.1f}   (/bench/insert/: middleware + one INSERT, same run conditions)")
        if not valid:
            bench.log(f"  INVALID run: statuses {r['statuses']}, errors {r['errors']}")
        if r["database"] == "postgres":
            ok = ok and valid and r["server_p99_ms"] < TARGET_P99_MS
    bench.log(f"target: server p99 < {TARGET_P99_MS:g} ms on PostgreSQL — {'met' if ok else 'NOT met'}")
    bench.RESULTS_DIR.mkdir(exist_ok=True)
    out = bench.RESULTS_DIR / f"join-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()}, "results": results}, indent=2))
    bench.log(f"written {out.relative_to(bench.ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
