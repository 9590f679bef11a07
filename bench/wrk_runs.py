"""wrk against a served site: one measured run with the CPU everybody used meanwhile (measure), and the
probe that picks the gunicorn worker setup by running the candidates side by side (pick_workers).
bench/run.py's targets are measured with these; bench/README.md says what the figures mean.
"""

from __future__ import annotations

import json
import subprocess
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

from harness import (
    CORES, LUA_SCRIPT, NOISY_CORES, Gunicorn, Site, Workers, candidate_workers, free_port, log, machine_cpu,
    own_children_cpu, process_cpu,
)



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
