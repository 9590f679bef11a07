#!/usr/bin/env python3
"""Where a page's time goes: the same data as `make bench`, requests served in-process.

    .venv/bin/python bench/profile.py /en/ /en/m/adgsom-demo/
    .venv/bin/python bench/profile.py --db postgres --requests 500 /en/m/adgsom-demo/

For each path: a fresh database prepared like bench/run.py does, a warm-up, then N requests
through the real WSGI application (all middleware, DEBUG off) with, in order,
  1. no instrumentation: mean ms per request (one process, no concurrency: the CPU cost),
  2. the SQL of one request (count and time),
  3. pyinstrument (pip install pyinstrument; cProfile when it is missing): the call tree,
     printed and saved as HTML in bench/results/.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
# This file would hide the standard library's `profile`, which cProfile imports: cProfile first, without bench/.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
import cProfile  # noqa: E402
import pstats  # noqa: E402

sys.path.insert(0, str(BENCH_DIR))
import harness as bench  # noqa: E402  (bench/harness.py: the same data preparation)


def call(app, path: str, host: str) -> int:
    from wsgiref.util import setup_testing_defaults

    environ = {"PATH_INFO": path, "REQUEST_METHOD": "GET", "HTTP_HOST": host, "SERVER_NAME": "127.0.0.1"}
    setup_testing_defaults(environ)
    status = []
    body = app(environ, lambda s, h, exc_info=None: status.append(s))
    try:
        for _ in body:
            pass
    finally:
        if hasattr(body, "close"):
            body.close()
    return int(status[0].split()[0])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--interval", type=float, default=0.0002, help="pyinstrument sampling interval (s)")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="prachum-profile-"))
    pg_name = None
    url = None
    if args.db == "postgres":
        pg_name = f"prachum_profile_{os.getpid()}"
        url = bench.pg_create(args.pg_admin_url, pg_name)
    try:
        site = bench.Site(args.db, tmp, url, args.pg_admin_url if url else None)
        site.prepare()
        os.environ.clear()
        os.environ.update(site.env, DJANGO_SETTINGS_MODULE="benchsite.settings")
        import django

        django.setup()
        from django.core.wsgi import get_wsgi_application
        from django.db import connection, reset_queries
        from django.test.utils import CaptureQueriesContext

        app = get_wsgi_application()
        host = f"127.0.0.1:{site.port}"
        for path in args.paths:
            print(f"\n==== {path}  ({args.db})")
            statuses = {call(app, path, host) for _ in range(30)}  # warm-up: templates, connections, caches
            print(f"status {statuses}")
            t0 = time.perf_counter()
            for _ in range(args.requests):
                call(app, path, host)
            per = (time.perf_counter() - t0) / args.requests * 1000
            print(f"{per:.2f} ms per request in one process, uninstrumented ({1000 / per:.0f} req/s per core at most)")

            with CaptureQueriesContext(connection) as ctx:
                call(app, path, host)
            print(f"{len(ctx.captured_queries)} SQL queries per request:")
            for q in ctx.captured_queries:
                print(f"   {float(q['time']) * 1000:6.2f} ms  {q['sql'][:160]}")
            reset_queries()

            try:
                from pyinstrument import Profiler
            except ImportError:
                Profiler = None
            if Profiler:
                profiler = Profiler(interval=args.interval)
                profiler.start()
                for _ in range(args.requests):
                    call(app, path, host)
                profiler.stop()
                print(profiler.output_text(unicode=True, color=False, show_all=False))
                bench.RESULTS_DIR.mkdir(exist_ok=True)
                out = bench.RESULTS_DIR / f"profile-{args.db}-{path.strip('/').replace('/', '_') or 'root'}.html"
                out.write_text(profiler.output_html())
                print(f"call tree: {out.relative_to(bench.ROOT)}")
            else:
                prof = cProfile.Profile()
                prof.enable()
                for _ in range(args.requests):
                    call(app, path, host)
                prof.disable()
                s = io.StringIO()
                pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats(40)
                print(s.getvalue())
                print("(pyinstrument gives a clearer tree: .venv/bin/pip install pyinstrument)")
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            bench.pg_drop(args.pg_admin_url, pg_name)
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
