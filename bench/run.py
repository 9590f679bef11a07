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
shared; a disturbed run is repeated). See bench/README.md. The harness (Site, Gunicorn, Workers,
CPU accounting, PostgreSQL) is bench/harness.py; one wrk run and the worker probe are bench/wrk_runs.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

from harness import (
    CORES, GUNICORN, MEETING_SLUG, NOISY_CORES, PRACHUM, RESULTS_DIR, ROOT, Gunicorn, Site, Workers,
    candidate_workers, fmt, git_commit, http_status, last_exception, log, log_problems, pg_create, pg_drop,
    pg_unreachable,
)
from wrk_runs import Result, balance_note, measure, pick_workers, run_wrk

TARGETS = {
    "home": "/en/",
    "meeting": f"/en/m/{MEETING_SLUG}/",
    "insert": "/bench/insert/",
    "noop": "/bench/noop/",  # not run by default: the middleware stack only, no database, no template
}
DEFAULT_TARGETS = "home,meeting,insert"
MEETING_TARGET_RPS = 800  # bench/README.md: the meeting page at c=16 on the 2-core machine


# ---------------------------------------------------------------------------- one database


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



# ---------------------------------------------------------------------------- output


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
