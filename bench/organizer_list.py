#!/usr/bin/env python3
"""The organizer's list of registrations with 5,000 registrations across 20 delegations: server time of a page.

    .venv/bin/python bench/organizer_list.py                 # SQLite (a fresh file in a temporary folder)
    .venv/bin/python bench/organizer_list.py --db postgres   # a fresh database on 127.0.0.1:5432, dropped after

Builds one meeting (4 categories, 20 delegations in protocol order, 5,000 registrations, half with a name in
Lao script, a fifth checked in), logs an organizer in, then asks for the first page of the list through
Django's whole request handler (every middleware, the template, DEBUG off) under several filters, --runs
times each after one warm-up. Prints, per filter: the median and the 90th percentile in milliseconds,
the median CPU time of this process (Python, and SQLite's work; PostgreSQL's runs in its own process),
the number of SQL queries of one request, and the ratio of the median to the budget (150 ms).
The machine may be shared: wall-clock times grow with its load (printed at the end); the CPU time much less.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MS = 150.0
REGISTRATIONS = 5000
DELEGATIONS = 20

LAO_GIVEN = ["ສົມໃຈ", "ແກ້ວ", "ບຸນມີ", "ຄຳພອນ", "ວັນນາ", "ສີສຸກ", "ເພັດ", "ໄຊຍະ", "ອຳພອນ", "ມະນີ"]
LAO_FAMILY = ["ພົມມະຈັນ", "ສີຫາລາດ", "ວົງສາ", "ແສງສຸລິຍາ", "ອິນທະວົງ", "ໄຊຍະວົງ", "ຈັນທະລາ"]
LATIN_GIVEN = ["Aziz", "Lan", "Siti", "Nguyen", "Maria", "Taro", "Arun", "Somchai", "Kim", "Rizal"]
LATIN_FAMILY = ["Hamid", "Tran", "Rahman", "Santos", "Tanaka", "Lim", "Wong", "Suzuki", "Pham", "Cruz"]


def configure(db: str) -> str | None:
    data_dir = tempfile.mkdtemp(prefix="prachum-bench-organizer-")
    os.environ["PRACHUM_DATA_DIR"] = data_dir
    os.environ.setdefault("PRACHUM_DEBUG", "false")
    os.environ["PRACHUM_LOG_LEVEL"] = "WARNING"
    os.environ["DJANGO_SETTINGS_MODULE"] = "prachum.settings"
    if db == "postgres":
        name = f"prachum_bench_organizer_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"create database {name}"], check=True)
        os.environ["PRACHUM_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
        return name
    return None


def build(seed: int = 7):
    from django.core.management import call_command
    from django.utils import timezone

    from prachum.checkin.models import CheckIn
    from prachum.directory.models import Organization
    from prachum.meetings.models import Category, Delegation, Meeting, MeetingRole
    from prachum.registration.models import Registration

    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    now = timezone.now()
    meeting = Meeting.objects.create(slug="bench-list", title_en="Bench meeting", title_lo="ກອງປະຊຸມທົດສອບ",
                                     starts_at=now, ends_at=now, status="published")
    categories = [Category.objects.create(meeting=meeting, code=f"c{n}", name_en=f"Category {n}", order=n,
                                          needs_endorsement=(n == 0)) for n in range(4)]
    organizations = Organization.objects.bulk_create([
        Organization(code=f"bench-{n}", kind="member_state", name_en=f"Country {n:02d}", protocol_order=DELEGATIONS - n)
        for n in range(DELEGATIONS)
    ])
    delegations = Delegation.objects.bulk_create([Delegation(meeting=meeting, organization=o) for o in organizations])
    statuses = ["pending"] * 4 + ["approved"] * 4 + ["waitlisted", "rejected", "cancelled"]
    rows = []
    for n in range(REGISTRATIONS):
        status = rng.choice(statuses)
        lao = n % 2 == 0
        registration = Registration(
            meeting=meeting, category=rng.choice(categories), delegation=rng.choice(delegations), status=status,
            given_name=rng.choice(LATIN_GIVEN), family_name=rng.choice(LATIN_FAMILY),
            name_lo=f"{rng.choice(LAO_GIVEN)} {rng.choice(LAO_FAMILY)}" if lao else "",
            email=f"person{n}@example.org", position="Director", language="lo" if lao else "en",
            waitlisted_at=now if status == "waitlisted" else None, cancelled_at=now if status == "cancelled" else None,
        )
        registration.set_manage_token()
        rows.append(registration)
    Registration.objects.bulk_create(rows, batch_size=500)
    checked = Registration.objects.filter(meeting=meeting, status="approved").values_list("pk", flat=True)[:1000]
    CheckIn.objects.bulk_create([CheckIn(registration_id=pk, client_id=uuid.uuid4(), checked_in_at=now) for pk in checked])
    from django.db import connection

    with connection.cursor() as cursor:
        # A live database has statistics (autovacuum, or SQLite's optimizer); a bulk load has none yet.
        cursor.execute("ANALYZE")
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("bench-organizer", password="x" * 20)
    MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.MANAGER)
    return meeting, user, delegations


def measure(client, path: str, runs: int) -> tuple[list[float], list[float], int]:
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append(((time.perf_counter() - start) * 1000, sql))

    with connection.execute_wrapper(count):
        response = client.get(path)  # warm-up, and the queries of one request
    assert response.status_code == 200, (path, response.status_code)
    if os.environ.get("BENCH_SHOW_SQL"):
        for ms, sql in queries:
            print(f"    {ms:7.1f} ms  {sql[:150]}")
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    return times, cpu, len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    database = configure(args.db)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.test import Client

        settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
        started = time.perf_counter()
        meeting, user, delegations = build()
        print(f"built {REGISTRATIONS} registrations, {DELEGATIONS} delegations in {time.perf_counter() - started:.1f} s "
              f"({args.db}); {args.runs} runs per filter after one warm-up")
        client = Client()
        client.force_login(user)
        base = f"/en/manage/{meeting.slug}/registrations/"
        cases = [
            ("no filter", base),
            ("status=pending", f"{base}?status=pending"),
            ("one delegation", f"{base}?delegation={delegations[3].pk}"),
            ("search Lao 'ພົມ'", f"{base}?q=%E0%BA%9E%E0%BA%BB%E0%BA%A1"),
            ("search Latin 'tanaka'", f"{base}?q=tanaka"),
            ("pending+checked out+cat", f"{base}?status=approved&checked_in=no&category={meeting.categories.first().pk}"),
            ("page 40", f"{base}?page=40"),
        ]
        print(f"{'filter':26} {'median ms':>10} {'p90 ms':>8} {'cpu ms':>7} {'queries':>8} {'median/budget':>14}")
        worst = 0.0
        for label, path in cases:
            times, cpu, queries = measure(client, path, args.runs)
            median = statistics.median(times)
            p90 = sorted(times)[max(0, int(len(times) * 0.9) - 1)]
            worst = max(worst, median)
            print(f"{label:26} {median:10.1f} {p90:8.1f} {statistics.median(cpu):7.1f} {queries:8d} {median / BUDGET_MS:14.2f}")
        print(f"budget {BUDGET_MS:.0f} ms; slowest median {worst:.1f} ms = {worst / BUDGET_MS:.2f} of the budget; "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        return 0
    finally:
        if database:
            from django.db import connections

            connections.close_all()
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"drop database if exists {database}"])


if __name__ == "__main__":
    sys.exit(main())
