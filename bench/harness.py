"""What every benchmark here shares (bench/README.md): the paths, a prepared database and the environment
its processes get (Site), gunicorn serving benchsite (Gunicorn) with a worker setup (Workers), the CPU
accounting from /proc, the PostgreSQL helpers, and the gunicorn log's problems.

bench/run.py, registrations.py, checkin.py, join.py, profile.py and exchange.py import it; the wrk runs
and the probe that picks the worker setup are in wrk_runs.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
LUA_SCRIPT = BENCH_DIR / "report.lua"
BIN = Path(sys.executable).parent if (Path(sys.executable).parent / "prachum").exists() else ROOT / ".venv" / "bin"
PRACHUM = BIN / "prachum"
GUNICORN = BIN / "gunicorn"

MEETING_SLUG = "adgsom-demo"  # the demo's published meeting, which Site.prepare makes sure of
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


# ---------------------------------------------------------------------------- one database and its server


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


def git_commit() -> str | None:
    proc = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return proc.stdout.strip() or None
