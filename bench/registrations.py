#!/usr/bin/env python3
"""Registrations per second through the real form: load it, send it, CSRF and all (bench/README.md).

    .venv/bin/python bench/registrations.py                      # both databases, 2000 per run
    .venv/bin/python bench/registrations.py --db postgres --count 4000 --questions 0

For each database (SQLite in a fresh data folder, PostgreSQL in a fresh database) this makes one
published, open in-person meeting per measured run (a big capacity; two self-registration categories:
"observer" approved at once, "delegate" needing approval; no custom questions, or two with
--questions 2), serves it with gunicorn the way bench/run.py does (harness.py; benchsite, its rate limits raised),
and runs an asyncio load generator: --clients visitors (16) at once, each in a loop

    GET  /en/m/<slug>/register/       keeps the csrftoken cookie, reads csrfmiddlewaretoken and form_token
    POST /en/m/<slug>/register/       multipart, as the browser sends it; a unique email; expects
                                      303 to /en/m/<slug>/register/sent/ ("check your email")

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

Its parts: the visitors in registrations_load.py, the meetings and the database check in
registrations_meeting.py, one measured run's figures in registrations_measure.py; gunicorn, the CPU
accounting and PostgreSQL in harness.py.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

BENCH_DIR = Path(__file__).resolve().parent
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import harness as bench  # noqa: E402  (bench/harness.py: Site, Gunicorn, Workers, CPU accounting, PostgreSQL helpers)
from registrations_load import CEILING_LOCATION, CEILING_PATH, CLIENTS, Plan, insert_once, load, register_once  # noqa: E402
from registrations_measure import Row, describe, disturbed, measured, pick  # noqa: E402
from registrations_meeting import make_meeting, prepare, verify  # noqa: E402

ROOT = bench.ROOT
RESULTS_DIR = bench.RESULTS_DIR
CORES = bench.CORES
NOISY_CORES = bench.NOISY_CORES
log = bench.log

# bench/README.md, from issue 3: PostgreSQL, c=16, this 2-core machine.
TARGET_RPS = 125
TARGET_P99_MS = 150
TARGET_RATIO = 0.5


# ---------------------------------------------------------------------------- one database


def bench_database(site: bench.Site, args, registered: dict) -> tuple[list[Row], dict]:
    """Every target on one database; `registered` collects, per meeting, the emails the server answered 303 for."""
    info: dict = {"database": site.name}
    prepare(site)
    rows: list[Row] = []
    variants = [("register" if q == 0 else f"register+{q}q", q) for q in args.questions]
    run_tag = f"{site.name[:2]}{os.getpid()}"
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
    info["log_problems"] = bench.log_problems(site)
    info["verify"] = verify(site, registered)
    return rows, info


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
    log("per s: registrations/s (303s to 'check your email' / elapsed), or the ceiling's requests/s. POST: the submit\n"
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
