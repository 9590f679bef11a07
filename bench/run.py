#!/usr/bin/env python3
"""`make bench`: throughput and latency of Prachum under gunicorn, measured with wrk.

For each database (SQLite in a fresh data folder, PostgreSQL in a fresh database) this
prepares the demo data, picks the gunicorn worker setup by measurement (unless --workers
names one), starts gunicorn on a free localhost port, warms up, and runs wrk against:

  home     /en/                     the home page
  meeting  /en/m/adgsom-demo/       a public meeting page
  insert   /bench/insert/           the ceiling: middleware + one INSERT, no template
                                    (bench/benchsite, never part of the product)

It prints one table and writes the same figures as JSON into bench/results/.
A figure is valid only when every response was 2xx and wrk saw no socket error.
Beside the latencies it reports the CPU the server spent per request (which depends little on
the machine's other work) and how much CPU other programs took during the run (the machine is
shared; a disturbed run is repeated). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LUA_SCRIPT = BENCH_DIR / "report.lua"
BIN = Path(sys.executable).parent if (Path(sys.executable).parent / "prachum").exists() else ROOT / ".venv" / "bin"
PRACHUM = BIN / "prachum"
GUNICORN = BIN / "gunicorn"

MEETING_SLUG = "adgsom-demo"
TARGETS = {
    "home": "/en/",
    "meeting": f"/en/m/{MEETING_SLUG}/",
    "insert": "/bench/insert/",
    "noop": "/bench/noop/",  # not run by default: the middleware stack only, no database, no template
}
DEFAULT_TARGETS = "home,meeting,insert"
MEETING_TARGET_RPS = 800  # bench/README.md: the meeting page at c=16 on the 2-core machine
NOISY_CORES = 0.25  # other programs using more than this many cores during a run: the figure is marked noisy

CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# The stand-in used only while neither `prachum demo` nor the YAML loaders make the meeting.
STAND_IN_SEED = f"""
from datetime import timedelta
from django.utils import timezone
from prachum.meetings.models import Meeting, Session
start = (timezone.now() + timedelta(days=30)).replace(hour=1, minute=0, second=0, microsecond=0)
meeting, _ = Meeting.objects.get_or_create(slug={MEETING_SLUG!r}, defaults=dict(
    series="ADGSOM", title_en="ADGSOM demo (benchmark stand-in)", title_lo="ກອງປະຊຸມ ADGSOM (ທົດລອງ)",
    description_en="Stand-in meeting created by bench/run.py.", venue_en="Vientiane", venue_lo="ນະຄອນຫຼວງວຽງຈັນ",
    starts_at=start, ends_at=start + timedelta(days=1, hours=8), status=Meeting.Status.PUBLISHED))
for day in range(2):
    Session.objects.get_or_create(meeting=meeting, order=day, defaults=dict(
        title_en=f"Day {{day + 1}}", title_lo=f"ມື້ທີ {{day + 1}}",
        starts_at=start + timedelta(days=day), ends_at=start + timedelta(days=day, hours=8)))
print("stand-in meeting:", meeting.slug, "sessions:", meeting.sessions.count())
"""


def log(message: str = "") -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------- CPU accounting


def process_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def child_pids(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    pids.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def machine_cpu() -> tuple[float, float]:
    """(busy, steal) CPU seconds of the whole machine since boot, all cores."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, idle, iowait, irq, softirq, steal = (values + [0] * 8)[:8]
    return (user + nice + system + irq + softirq) / CLOCK_TICKS, steal / CLOCK_TICKS


def own_children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# ---------------------------------------------------------------------------- worker setups


@dataclass(frozen=True)
class Workers:
    worker_class: str  # "sync" or "gthread"
    workers: int
    threads: int = 1

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync x{self.workers}"
        return f"gthread {self.workers}x{self.threads}"

    def gunicorn_args(self) -> list[str]:
        args = ["--worker-class", self.worker_class, "--workers", str(self.workers)]
        if self.worker_class == "gthread":
            # As src/prachum/gunicorn_config.py: a busy process leaves new connections to the others.
            args += ["--threads", str(self.threads), "--worker-connections", str(self.threads + 2)]
        return args

    @classmethod
    def product(cls) -> "Workers":
        """The setup src/prachum/gunicorn_config.py gives production and the demo."""
        from prachum import gunicorn_config

        return cls(gunicorn_config.worker_class, gunicorn_config.workers, gunicorn_config.threads)

    @classmethod
    def parse(cls, text: str) -> "Workers":
        """sync:5, gthread:2x4"""
        if m := re.fullmatch(r"sync:(\d+)", text):
            return cls("sync", int(m.group(1)))
        if m := re.fullmatch(r"gthread:(\d+)x(\d+)", text):
            return cls("gthread", int(m.group(1)), int(m.group(2)))
        raise argparse.ArgumentTypeError(f"--workers must look like sync:5 or gthread:2x4, not {text!r}")


def candidate_workers() -> list[Workers]:
    """The setups the probe compares on this machine's cores.

    sync (2*cores+1)       gunicorn's rule of thumb: one request per process; the spare processes
                           cover I/O waits. Closes the connection after every response.
    gthread cores x 4      one process per core (Python runs one thread at a time per process),
                           threads overlap database round trips; keeps connections alive.
    gthread (2*cores)x2    the product's (src/prachum/gunicorn_config.py): in between.
    """
    many = 2 * CORES + 1
    return [Workers("sync", many), Workers("gthread", CORES, 4), Workers.product()]


# ---------------------------------------------------------------------------- results


@dataclass
class Result:
    database: str
    target: str
    path: str
    workers: str
    status: str = "ok"  # ok | invalid | skipped
    note: str = ""
    rps: float | None = None
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    non_2xx: int | None = None
    errors: int | None = None
    requests: int | None = None
    app_cpu_ms_per_request: float | None = None  # gunicorn master + workers
    db_cpu_ms_per_request: float | None = None  # PostgreSQL backends of the benchmark database
    wrk_cores: float | None = None
    other_cores: float | None = None  # CPU other programs used during the run, in cores
    steal_cores: float | None = None
    noisy: bool = False
    # req/s scaled to the whole machine: rps * cores / (cores - other - steal). An estimate that
    # assumes the run is CPU-bound (it is at c=16 on 2 cores); the measured rps is the figure.
    idle_rps_estimate: float | None = None
    # CPU of each gunicorn worker during the run, in cores, busiest first. With gthread workers and
    # keep-alive clients (wrk keeps its 16 connections open) a connection stays with the worker that
    # accepted it, and one worker may win most of them: the run is then capped at about one core.
    worker_cores: list[float] = field(default_factory=list)
    busy_workers: int | None = None
    wrk: dict = field(default_factory=dict)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str, timeout: float = 10) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


# ---------------------------------------------------------------------------- one database


class Site:
    """One prepared database and the environment every subprocess gets."""

    def __init__(self, name: str, data_dir: Path, database_url: str | None, pg_admin_url: str | None = None):
        self.name = name
        self.data_dir = data_dir
        self.database_url = database_url
        self.pg_admin_url = pg_admin_url
        self.gunicorn_log = data_dir / "gunicorn.log"
        self.port = free_port()
        self.env = self.env_for(self.port)
        self.settings_module = "benchsite.settings"
        self.extra_pythonpath: list[str] = []

    def env_for(self, port: int) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PRACHUM_") and k != "DJANGO_SETTINGS_MODULE"}
        env.update(
            PRACHUM_DATA_DIR=str(self.data_dir),
            PRACHUM_DEBUG="false",
            PRACHUM_ALLOWED_HOSTS="127.0.0.1,localhost",
            PRACHUM_BASE_URL=f"http://127.0.0.1:{port}",
            PRACHUM_LOG_LEVEL="WARNING",
            PYTHONDONTWRITEBYTECODE="1",
        )
        if self.database_url:
            env["PRACHUM_DATABASE_URL"] = self.database_url
        return env

    def prachum(self, *args: str, timeout: float = 900, quiet: bool = False) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(PRACHUM), *args], env=self.env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )
        out = (proc.stdout + proc.stderr).strip()
        if out and (proc.returncode != 0 or not quiet):
            tail = "\n".join(out.splitlines()[-15:])
            log("      " + tail.replace("\n", "\n      "))
        return proc

    def has_command(self, name: str) -> bool:
        # `prachum help <name>` wants Django's spelling of the name (underscores).
        proc = subprocess.run([str(PRACHUM), "help", name.replace("-", "_")], env=self.env, cwd=ROOT, capture_output=True)
        return proc.returncode == 0

    def shell_value(self, code: str) -> str:
        proc = subprocess.run([str(PRACHUM), "shell", "-c", code], env=self.env, cwd=ROOT, capture_output=True, text=True)
        lines = proc.stdout.strip().splitlines()
        return lines[-1] if lines else ""

    def has_meeting(self, slug: str) -> bool:
        return self.shell_value(
            f"from prachum.meetings.models import Meeting; print(Meeting.objects.filter(slug={slug!r}).exists())"
        ) == "True"

    def count_inserted(self) -> int | None:
        value = self.shell_value(
            "from prachum.audit.models import AuditEvent; print(AuditEvent.objects.filter(kind='bench.insert').count())"
        )
        return int(value) if value.isdigit() else None

    def prepare(self) -> str:
        """migrate, then the demo data (or what exists of it today). Returns how the data was made."""
        t0 = time.monotonic()
        log(f"  [{self.name}] prachum migrate")
        if self.prachum("migrate", "--noinput", quiet=True).returncode != 0:
            raise RuntimeError("prachum migrate failed")
        how = None
        if self.has_command("demo"):
            log(f"  [{self.name}] prachum demo --no-serve")
            if self.prachum("demo", "--no-serve", quiet=True).returncode == 0:
                how = "prachum demo --no-serve"
            else:
                log(f"  [{self.name}] WARNING: `prachum demo --no-serve` failed; falling back")
        if how is None:
            yamls = sorted((ROOT / "src" / "prachum" / "demo").glob("*.yaml"))
            if self.has_command("load-organizations") and self.has_command("load-meeting") and yamls:
                log(f"  [{self.name}] prachum load-organizations; prachum load-meeting x{len(yamls)}")
                ok = self.prachum("load-organizations", quiet=True).returncode == 0
                for yaml in yamls:  # load-meeting takes one file
                    ok = ok and self.prachum("load-meeting", str(yaml), quiet=True).returncode == 0
                if ok:
                    how = "load-organizations + load-meeting"
                else:
                    log(f"  [{self.name}] WARNING: the loaders failed; falling back to a stand-in meeting")
        if how is None or not self.has_meeting(MEETING_SLUG):
            if how is None:
                log(f"  [{self.name}] no demo command yet: creating a stand-in published meeting via `prachum shell -c`")
            else:
                log(f"  [{self.name}] {how} made no meeting {MEETING_SLUG!r}: adding a stand-in via `prachum shell -c`")
            if self.prachum("shell", "-c", STAND_IN_SEED, quiet=True).returncode != 0:
                raise RuntimeError("could not create the stand-in meeting")
            how = (how + " + " if how else "") + f"stand-in {MEETING_SLUG} (prachum shell -c)"
        if not how.startswith("prachum demo"):  # the demo command collects static files itself
            log(f"  [{self.name}] prachum collectstatic (as a deployment does)")
            if self.prachum("collectstatic", "--noinput", quiet=True).returncode != 0:
                raise RuntimeError("prachum collectstatic failed")
        log(f"  [{self.name}] data ready ({how}) in {time.monotonic() - t0:.0f} s")
        return how

    def db_backend_pids(self) -> list[int]:
        """PostgreSQL backend processes serving the benchmark database (their CPU is the request's too)."""
        if not self.pg_admin_url or urlsplit(self.pg_admin_url).hostname not in ("127.0.0.1", "localhost", "::1"):
            return []
        import psycopg

        name = urlsplit(self.database_url).path.lstrip("/")
        try:
            with psycopg.connect(self.pg_admin_url, connect_timeout=3) as conn:
                rows = conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
        except psycopg.Error:
            return []
        return [pid for (pid,) in rows]


class Gunicorn:
    def __init__(self, site: Site, workers: Workers, port: int | None = None):
        self.site = site
        self.workers = workers
        self.port = port or site.port
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self) -> "Gunicorn":
        env = dict(self.site.env_for(self.port), DJANGO_SETTINGS_MODULE=self.site.settings_module)
        cmd = [
            str(GUNICORN), "benchsite.wsgi:application",
            "--pythonpath", ",".join([str(BENCH_DIR), *self.site.extra_pythonpath]),
            "--bind", f"127.0.0.1:{self.port}",
            *self.workers.gunicorn_args(),
            "--log-level", "warning",
            "--error-logfile", "-",
            "--timeout", "60",
            "--graceful-timeout", "5",
        ]
        self._log = open(self.site.gunicorn_log, "a")
        self._log.write(f"\n===== {self.workers.label} port {self.port} {dt.datetime.now().isoformat(timespec='seconds')}\n")
        self._log.flush()
        self.proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait_ready(self) -> "Gunicorn":
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.site.gunicorn_log}")
            if http_status(self.base_url + "/en/", timeout=5) is not None:
                return self
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer within 90 s; see {self.site.gunicorn_log}")

    def cpu_seconds(self) -> float:
        return sum(process_cpu(pid) for pid in [self.proc.pid, *child_pids(self.proc.pid)])

    def worker_cpu(self) -> dict[int, float]:
        return {pid: process_cpu(pid) for pid in child_pids(self.proc.pid)}

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # the process group of the master we started
                self.proc.wait()
        self._log.close()

    def __enter__(self) -> "Gunicorn":
        try:
            return self.start().wait_ready()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc) -> None:
        self.stop()


def run_wrk(url: str, args, duration: float | None = None) -> dict:
    duration = args.duration if duration is None else duration
    cmd = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{duration:g}s", f"--timeout={args.timeout:g}s",
        "-s", str(LUA_SCRIPT), url,
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + args.timeout + 60)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH_JSON "):
            data = json.loads(line[len("BENCH_JSON "):])
            data["command"] = " ".join(cmd)
            return data
    raise RuntimeError(f"wrk printed no result (exit {proc.returncode}): {proc.stdout}\n{proc.stderr}")


def measure(server: Gunicorn, path: str, args, result: Result, duration: float | None = None) -> Result:
    """One wrk run, with the CPU the server, the database, wrk and everything else used meanwhile."""
    db_pids = server.site.db_backend_pids()
    db0 = {pid: process_cpu(pid) for pid in db_pids}
    busy0, steal0 = machine_cpu()
    workers0 = server.worker_cpu()
    app0, wrk0, t0 = server.cpu_seconds(), own_children_cpu(), time.monotonic()
    data = run_wrk(server.base_url + path, args, duration)
    wall = time.monotonic() - t0
    app = server.cpu_seconds() - app0
    workers1 = server.worker_cpu()
    wrk_cpu = own_children_cpu() - wrk0
    busy1, steal1 = machine_cpu()
    db = sum(process_cpu(pid) - db0.get(pid, 0.0) for pid in set(db_pids) | set(server.site.db_backend_pids()))
    busy, steal = busy1 - busy0, steal1 - steal0
    result = summarise(data, result)
    n = max(data["requests"], 1)
    result.app_cpu_ms_per_request = app / n * 1000
    result.db_cpu_ms_per_request = db / n * 1000 if server.site.pg_admin_url else None
    result.wrk_cores = wrk_cpu / wall
    result.other_cores = max(0.0, busy - app - db - wrk_cpu) / wall
    result.steal_cores = steal / wall
    result.noisy = result.other_cores + result.steal_cores > NOISY_CORES
    available = max(CORES - result.other_cores - result.steal_cores, CORES / 4)
    result.idle_rps_estimate = result.rps * CORES / available
    result.worker_cores = sorted(((workers1[pid] - workers0.get(pid, 0.0)) / wall for pid in workers1), reverse=True)
    if result.worker_cores and result.worker_cores[0] > 0:
        result.busy_workers = sum(c >= 0.25 * result.worker_cores[0] for c in result.worker_cores)
    return result


def balance_note(r: Result) -> str:
    """'2 of 5 workers did the work' when keep-alive connections piled up on some workers."""
    if r.busy_workers is None or r.busy_workers >= min(len(r.worker_cores), CORES):
        return ""
    return f"{r.busy_workers} of {len(r.worker_cores)} workers did the work (keep-alive connections stuck to them)"


def summarise(data: dict, result: Result) -> Result:
    seconds = data["duration_us"] / 1e6
    lat = data["latency_us"]
    result.rps = data["requests"] / seconds if seconds else 0.0
    result.p50_ms, result.p95_ms, result.p99_ms = (lat[k] / 1000 for k in ("p50", "p95", "p99"))
    result.non_2xx = data["non_2xx"]
    result.errors = sum(v for k, v in data["errors"].items() if k != "status")  # "status" is wrk's >= 400 count
    result.requests = data["requests"]
    result.wrk = data
    if result.non_2xx or result.errors:
        result.status = "invalid"
        bad = ", ".join(f"HTTP {k} x{v}" for k, v in sorted(data["statuses"].items()) if not k.startswith("2"))
        sock = ", ".join(f"{k} x{v}" for k, v in data["errors"].items() if v and k != "status")
        result.note = "INVALID: " + "; ".join(x for x in (bad, sock) if x)
    return result


def last_exception(site: Site) -> str | None:
    """The last exception line of a traceback in the gunicorn log, e.g. 'django.db.utils.OperationalError: …'."""
    text = site.gunicorn_log.read_text(errors="replace") if site.gunicorn_log.exists() else ""
    found = re.findall(r"^([\w.]*(?:Error|Exception|DoesNotExist)\b.*)$", text, flags=re.MULTILINE)
    return found[-1][:200] if found else None


def log_problems(site: Site) -> dict:
    text = site.gunicorn_log.read_text(errors="replace") if site.gunicorn_log.exists() else ""
    return {
        "database_is_locked": text.count("database is locked"),
        "tracebacks": text.count("Traceback (most recent call last)"),
        "worker_timeouts": text.count("WORKER TIMEOUT"),
        "log": str(site.gunicorn_log),
    }


def pick_workers(site: Site, args, path: str) -> tuple[Workers, list[dict]]:
    """Run every candidate at once on its own port and measure them in turns, round after round:
    a burst of load from another program then hurts one turn, not one candidate."""
    candidates = candidate_workers()
    log(f"  [{site.name}] choosing the worker setup on {path}: {args.probe_rounds} rounds of "
        f"{args.probe_duration:g} s per candidate, the best mean 'if idle' req/s wins")
    trials: dict[str, list[Result]] = {c.label: [] for c in candidates}
    with ExitStack() as stack:
        servers = []
        for cand in candidates:
            server = Gunicorn(site, cand, port=free_port()).start()
            stack.callback(server.stop)
            servers.append(server)
        for server in servers:
            server.wait_ready()
            run_wrk(server.base_url + path, args, args.warmup)
        for _ in range(args.probe_rounds):
            for server in servers:
                r = measure(server, path, args, Result(site.name, "probe", path, server.workers.label), args.probe_duration)
                trials[server.workers.label].append(r)
    summary = []
    for cand in candidates:
        runs = trials[cand.label]
        # Each round's req/s scaled to the CPU other programs left to it (Result.idle_rps_estimate),
        # averaged over the rounds: every round opens new connections, so a gthread setup whose
        # keep-alive connections pile up on one worker in some rounds pays for it, as it would in service.
        best = max(runs, key=lambda r: r.idle_rps_estimate if r.status == "ok" else -1)
        mean = sum(r.idle_rps_estimate for r in runs) / len(runs)
        summary.append({
            "workers": cand.label, "rps": [round(r.rps, 1) for r in runs],
            "idle_rps_estimate": [round(r.idle_rps_estimate, 1) for r in runs], "score": mean,
            "busy_workers": [r.busy_workers for r in runs],
            "p99_ms": best.p99_ms, "app_cpu_ms_per_request": best.app_cpu_ms_per_request,
            "other_cores": [round(r.other_cores, 2) for r in runs], "valid": all(r.status == "ok" for r in runs),
        })
        log(f"      {cand.label:<12} req/s " + " ".join(f"{r.rps:5.0f}" for r in runs)
            + "  if idle ≈ " + " ".join(f"{r.idle_rps_estimate:5.0f}" for r in runs) + f"  (mean {mean:5.0f})"
            + f"  other programs {' '.join(f'{r.other_cores + r.steal_cores:.2f}' for r in runs)}"
            + f"  busy workers {' '.join(f'{r.busy_workers}/{len(r.worker_cores)}' for r in runs)}"
            + f"  app CPU {best.app_cpu_ms_per_request:.2f} ms/req"
            + ("" if summary[-1]["valid"] else "   INVALID"))
    valid = [s for s in summary if s["valid"]] or summary
    best = max(valid, key=lambda s: s["score"])
    chosen = next(c for c in candidates if c.label == best["workers"])
    log(f"  [{site.name}] using {chosen.label}")
    return chosen, summary


def bench_site(site: Site, args) -> tuple[list[Result], dict]:
    info: dict = {"database": site.name}
    info["data"] = site.prepare()

    # Which targets answer at all (the meeting page may not be written yet).
    with Gunicorn(site, args.workers or candidate_workers()[0]) as server:
        answers = {name: http_status(server.base_url + path) for name, path in TARGETS.items()}
    info["preflight_status"] = answers
    for name in args.targets:
        if answers[name] != 200:
            log(f"  [{site.name}] NOTE: {TARGETS[name]} answers HTTP {answers[name]} — "
                + ("the meeting page is not there yet; " if name == "meeting" and answers[name] == 404 else "")
                + "not measured")
            if answers[name] == 500 and (exc := last_exception(site)):
                log(f"      gunicorn log: {exc}")
                info.setdefault("preflight_errors", {})[name] = exc

    if args.workers:
        workers, trials = args.workers, []
        log(f"  [{site.name}] using {workers.label} (--workers)")
    else:
        # Probe on the page with a target (the meeting page), else on the first target that answers.
        probe = next((n for n in ("meeting", "home", "insert") if answers[n] == 200), None)
        if probe is None:
            raise RuntimeError(f"no target answers HTTP 200; see {site.gunicorn_log}")
        workers, trials = pick_workers(site, args, TARGETS[probe])
    info["workers"] = workers.label
    info["worker_trials"] = trials

    results = []
    with Gunicorn(site, workers) as server:
        for name in [n for n in TARGETS if n in args.targets]:
            path = TARGETS[name]
            if answers[name] != 200:
                note = f"HTTP {answers[name]} before the run"
                if name == "meeting" and answers[name] == 404:
                    note += ": the meeting page is not there yet"
                results.append(Result(site.name, name, path, workers.label, status="skipped", note=note))
                continue
            run_wrk(server.base_url + path, args, args.warmup)  # warm-up, discarded
            # The machine is shared: a run during which other programs took CPU, or (gthread) whose
            # keep-alive connections piled up on some of the workers, is run again with new
            # connections, up to --attempts runs in all; the least disturbed run is reported.
            # A failed request in any run makes the figure invalid all the same.
            runs = []
            while len(runs) < args.attempts:
                last = measure(server, path, args, Result(site.name, name, path, workers.label))
                runs.append(last)
                why = [f"other programs used {last.other_cores + last.steal_cores:.2f} cores"] if last.noisy else []
                why += [balance_note(last)] if balance_note(last) else []
                if not why:
                    break
                if len(runs) < args.attempts:
                    log(f"      {name:<8} {last.rps:.0f} req/s, but {' and '.join(why)}: running it again")
            chosen = min(runs, key=lambda r: (bool(balance_note(r)), r.other_cores + r.steal_cores, -r.rps))
            failed = [r for r in runs if r.status != "ok"]
            if failed and chosen.status == "ok":
                chosen.status, chosen.note = "invalid", failed[0].note + " (in another run)"
            chosen.wrk["attempts"] = [
                {"rps": round(r.rps, 1), "other_cores": round(r.other_cores + r.steal_cores, 2), "status": r.status,
                 "busy_workers": r.busy_workers}
                for r in runs
            ]
            notes = [chosen.note] if chosen.note else []
            if chosen.noisy:
                notes.append(f"noisy: other programs used {chosen.other_cores + chosen.steal_cores:.2f} cores")
            if balance := balance_note(chosen):
                notes.append(balance)
            chosen.note = "; ".join(notes)
            results.append(chosen)
            log(f"      {name:<8} {chosen.rps:6.0f} req/s  p50 {chosen.p50_ms:5.1f}  p95 {chosen.p95_ms:5.1f}  "
                f"p99 {chosen.p99_ms:5.1f} ms  non-2xx {chosen.non_2xx}  errors {chosen.errors}  "
                f"app CPU {chosen.app_cpu_ms_per_request:.2f} ms/req  other programs {chosen.other_cores + chosen.steal_cores:.2f} cores"
                f"  busy workers {chosen.busy_workers}/{len(chosen.worker_cores)}")
    if "insert" in args.targets and answers["insert"] == 200:
        info["insert_rows"] = site.count_inserted()
    info["log_problems"] = problems = log_problems(site)
    if problems["database_is_locked"]:
        log(f"  [{site.name}] WARNING: 'database is locked' appears {problems['database_is_locked']} time(s) in {problems['log']}")
    if problems["tracebacks"] or problems["worker_timeouts"]:
        log(f"  [{site.name}] WARNING: {problems['tracebacks']} traceback(s), {problems['worker_timeouts']} worker timeout(s) in {problems['log']}")
    return results, info


# ---------------------------------------------------------------------------- PostgreSQL


def pg_create(admin_url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, "", ""))


def pg_drop(admin_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_unreachable(admin_url: str) -> str | None:
    """None when the server answers, else why not."""
    try:
        import psycopg

        with psycopg.connect(admin_url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # any reason at all means: skip PostgreSQL
        text = str(exc).strip()
        return text.splitlines()[0] if text else type(exc).__name__


# ---------------------------------------------------------------------------- output


def fmt(value, spec: str) -> str:
    width = int(re.match(r"\d*", spec).group() or 0)
    return "—".rjust(width) if value is None else format(value, spec)


def print_table(results: list[Result]) -> None:
    header = (f"{'database':<9} {'target':<8} {'workers':<13} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
              f"{'non-2xx':>7} {'errors':>6} {'cpu ms/req':>10} {'other':>5} {'idle≈':>6}  note")
    log(header)
    log("-" * len(header))
    for r in results:
        cpu = None
        if r.app_cpu_ms_per_request is not None:
            cpu = r.app_cpu_ms_per_request + (r.db_cpu_ms_per_request or 0)
        other = None if r.other_cores is None else r.other_cores + (r.steal_cores or 0)
        log(f"{r.database:<9} {r.target:<8} {r.workers:<13} {fmt(r.rps, '7.0f')} {fmt(r.p50_ms, '7.1f')} "
            f"{fmt(r.p95_ms, '7.1f')} {fmt(r.p99_ms, '7.1f')} {fmt(r.non_2xx, '7d')} {fmt(r.errors, '6d')} "
            f"{fmt(cpu, '10.2f')} {fmt(other, '5.2f')} {fmt(r.idle_rps_estimate, '6.0f')}  {r.note}")
    log("cpu ms/req: CPU of gunicorn (+ PostgreSQL backends) per request. other: cores that other programs used\n"
        f"during the run. idle≈: req/s scaled to all {CORES} cores (an estimate; req/s is the measured figure).")


def git_commit() -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--duration", type=float, default=10, help="seconds of wrk per target (default 10)")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of discarded wrk before each target (default 3)")
    parser.add_argument("--attempts", type=int, default=3,
                        help="runs per target at most: a run during which other programs used more than "
                             f"{NOISY_CORES} cores, or whose connections stuck to some of the gthread workers, "
                             "is repeated; the least disturbed run is reported (default 3)")
    parser.add_argument("--connections", type=int, default=16, help="wrk -c (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk -t (default 2)")
    parser.add_argument("--timeout", type=float, default=10, help="wrk --timeout in seconds (default 10)")
    parser.add_argument("--workers", type=Workers.parse, default=None,
                        help="skip the probe and use this setup: sync:5 or gthread:2x4")
    parser.add_argument("--probe-duration", type=float, default=4, help="seconds of wrk per candidate and round (default 4)")
    parser.add_argument("--probe-rounds", type=int, default=3, help="rounds of the worker probe (default 3)")
    parser.add_argument("--targets", default=DEFAULT_TARGETS,
                        help=f"comma-separated, of {','.join(TARGETS)} (default {DEFAULT_TARGETS})")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres",
                        help="where to create and drop the benchmark database")
    parser.add_argument("--keep", action="store_true", help="keep the data folders and the PostgreSQL database")
    parser.add_argument("--settings", default="benchsite.settings",
                        help="settings module gunicorn uses (default benchsite.settings); to try a change "
                             "without touching the product: a module that imports benchsite.settings and alters it")
    parser.add_argument("--pythonpath", action="append", default=[], help="extra folder for --settings (repeatable)")
    args = parser.parse_args(argv)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    if unknown := set(args.targets) - set(TARGETS):
        parser.error(f"unknown target(s): {', '.join(sorted(unknown))}")

    if not shutil.which("wrk"):
        log("bench: wrk is not installed (apt-get install wrk, or `make system-packages` as root)")
        return 2
    for tool in (PRACHUM, GUNICORN):
        if not tool.exists():
            log(f"bench: {tool} is missing; run `make install-test` first")
            return 2

    started = dt.datetime.now()
    log(f"Prachum benchmark  {started:%Y-%m-%d %H:%M}  commit {git_commit()}  {CORES} cores  "
        f"load average {os.getloadavg()[0]:.2f}")
    if args.settings != "benchsite.settings":
        log(f"settings: {args.settings} (not the product's own)")
    log(f"wrk -t{args.threads} -c{args.connections} -d{args.duration:g}s, {args.warmup:g} s warm-up per target, "
        f"up to {args.attempts} runs when one is disturbed")

    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    all_results: list[Result] = []
    infos: list[dict] = []
    tmp_root = Path(tempfile.mkdtemp(prefix="prachum-bench-"))
    try:
        for db in databases:
            log("")
            if db == "sqlite":
                site = Site("sqlite", tmp_root / "sqlite", None)
                site.data_dir.mkdir()
                log(f"== SQLite (fresh data folder {site.data_dir}, port {site.port})")
                site.settings_module, site.extra_pythonpath = args.settings, args.pythonpath
                results, info = bench_site(site, args)
            else:
                if why := pg_unreachable(args.pg_admin_url):
                    log(f"== PostgreSQL: SKIPPED — the server at {urlsplit(args.pg_admin_url).netloc} is unreachable ({why})")
                    infos.append({"database": "postgres", "skipped": why})
                    continue
                name = f"prachum_bench_{os.getpid()}"
                url = pg_create(args.pg_admin_url, name)
                try:
                    site = Site("postgres", tmp_root / "postgres", url, args.pg_admin_url)
                    site.data_dir.mkdir()
                    site.settings_module, site.extra_pythonpath = args.settings, args.pythonpath
                    log(f"== PostgreSQL (fresh database {name}, port {site.port})")
                    results, info = bench_site(site, args)
                finally:
                    if args.keep:
                        log(f"  kept database {name}")
                    else:
                        pg_drop(args.pg_admin_url, name)
            all_results += results
            infos.append(info)
    finally:
        if args.keep:
            log(f"kept data folders under {tmp_root}")
        else:
            shutil.rmtree(tmp_root, ignore_errors=True)

    log("")
    print_table(all_results)
    log("")
    for info in infos:
        if "skipped" in info:
            log(f"{info['database']}: skipped ({info['skipped']})")
            continue
        p = info["log_problems"]
        line = (f"{info['database']}: workers {info['workers']}; data from {info['data']}; gunicorn log: "
                f"'database is locked' x{p['database_is_locked']}, tracebacks x{p['tracebacks']}, "
                f"worker timeouts x{p['worker_timeouts']}")
        if info.get("insert_rows") is not None:
            line += f"; {info['insert_rows']} bench.insert rows written"
        log(line)
    invalid = [r for r in all_results if r.status == "invalid"]
    for r in invalid:
        log(f"WARNING: {r.database} {r.target}: not a valid figure — {r.note}")
    for r in all_results:
        if r.noisy and r.status == "ok":
            log(f"WARNING: {r.database} {r.target}: other programs used {r.other_cores + r.steal_cores:.2f} of "
                f"{CORES} cores even in the least disturbed of {len(r.wrk['attempts'])} runs; its req/s is low by about that share")
    for r in all_results:
        if r.target == "meeting" and r.rps is not None:
            verdict = "meets" if r.rps >= MEETING_TARGET_RPS and r.status == "ok" else "MISSES"
            log(f"{r.database} meeting page: {r.rps:.0f} req/s {verdict} the target of {MEETING_TARGET_RPS} req/s"
                + (f" (≈{r.idle_rps_estimate:.0f} on an idle machine)" if r.noisy else ""))

    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / f"bench-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps({
        "started": started.isoformat(timespec="seconds"),
        "commit": git_commit(),
        "machine": {"cores": CORES, "platform": platform.platform(), "python": platform.python_version(),
                    "loadavg_at_end": os.getloadavg()},
        "wrk": {"threads": args.threads, "connections": args.connections, "duration_s": args.duration,
                "warmup_s": args.warmup, "timeout_s": args.timeout, "attempts": args.attempts},
        "meeting_target_rps": MEETING_TARGET_RPS,
        "settings": args.settings,
        "databases": infos,
        "results": [asdict(r) for r in all_results],
    }, indent=2, default=str))
    log(f"results: {out.relative_to(ROOT)}")
    return 1 if invalid else 0


if __name__ == "__main__":
    sys.exit(main())
