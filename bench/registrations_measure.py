"""One measured run of bench/registrations.py: its figures (Row), the CPU gunicorn, PostgreSQL's backends (live
and ended), the load generator and other programs used meanwhile, how many backends waited for a lock, and
which of several disturbed runs to report.
"""

from __future__ import annotations

import math
import resource
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import harness as bench
from harness import CORES, NOISY_CORES
from registrations_load import Pass

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
