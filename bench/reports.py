#!/usr/bin/env python3
"""How long the reports take: the List of Participants of 1,000 people as PDF (target ≤ 5 s) and the
statistics page of a meeting with 5,000 registrations (target ≤ 300 ms).

    .venv/bin/python bench/reports.py                 # SQLite in a fresh data folder
    .venv/bin/python bench/reports.py --db postgres   # a fresh database prachum_bench_reports_<pid>

It makes the data with bulk inserts (13 delegations in protocol order, five categories, Lao and Latin
names, sessions, check-ins and online joins for about 70 % of the people), then times each report
--repeat times and prints the median and the best, in wall time and in CPU time of this process (the
machine is shared: wall time moves with the other programs' work, CPU time much less). The statistics
page is measured twice: the figures alone (meeting_statistics: its aggregate queries and charts), and
the whole page through Django's test client (login, permissions, template, 7 charts).
"""

from __future__ import annotations

import argparse
import os
import statistics as stats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(db: str) -> str | None:
    os.environ["PRACHUM_DATA_DIR"] = tempfile.mkdtemp(prefix="prachum-bench-reports-")
    os.environ.setdefault("PRACHUM_LOG_LEVEL", "WARNING")
    os.environ["PRACHUM_ALLOWED_HOSTS"] = "testserver,localhost"
    database = None
    if db == "postgres":
        database = f"prachum_bench_reports_{os.getpid()}"
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"create database {database}"], check=True)
        os.environ["PRACHUM_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{database}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prachum.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    import logging

    logging.getLogger("weasyprint").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return database


def make_meeting(slug: str, people: int):
    import random
    import uuid
    from datetime import timedelta

    from django.utils import timezone

    from prachum.checkin.models import CheckIn
    from prachum.directory.services import load_organizations
    from prachum.meetings.models import Category, Delegation, Meeting, Session
    from prachum.online.models import Join
    from prachum.registration.models import Registration

    from prachum.directory.models import Organization

    if not Organization.objects.exists():
        load_organizations()
    rng = random.Random(7)
    start = timezone.now() - timedelta(days=1)
    meeting = Meeting.objects.create(
        slug=slug, title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ", title_en="ASEAN Digital Senior Officials' Meeting",
        starts_at=start, ends_at=start + timedelta(hours=8), format=Meeting.Format.HYBRID,
        status=Meeting.Status.PUBLISHED, host=Organization.objects.get(code="LA-MTC"),
    )
    sessions = [
        Session.objects.create(meeting=meeting, title_en=f"Session {n}", title_lo=f"ກອງປະຊຸມຍ່ອຍ {n}",
                               starts_at=start + timedelta(hours=2 * n), ends_at=start + timedelta(hours=2 * n + 1), order=n)
        for n in range(4)
    ]
    categories = [
        Category.objects.create(meeting=meeting, code=code, name_en=name, name_lo=lao, order=n)
        for n, (code, name, lao) in enumerate([
            ("head-of-delegation", "Head of Delegation", "ຫົວໜ້າຄະນະຜູ້ແທນ"), ("delegate", "Delegate", "ຜູ້ແທນ"),
            ("observer", "Observer", "ຜູ້ສັງເກດການ"), ("secretariat", "Secretariat", "ກອງເລຂາ"), ("media", "Media", "ສື່ມວນຊົນ"),
        ])
    ]
    codes = ["BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "TL", "VN", "ASEC", "JP"]
    delegations = [Delegation.objects.create(meeting=meeting, organization=Organization.objects.get(code=c)) for c in codes]
    lao_names = ["ແກ້ວ", "ຄຳ", "ສົມ", "ບຸນ", "ພອນ", "ມະນີ", "ວັນ", "ໄຊ", "ເພັດ", "ທອງ"]
    statuses = ["approved"] * 7 + ["pending", "waitlisted", "cancelled"]
    rows = []
    for n in range(people):
        delegation = delegations[n % len(delegations)]
        is_lao = delegation.organization.code == "LA"
        status = "approved" if slug.endswith("lop") else rng.choice(statuses)
        head = n < len(delegations)
        registration = Registration(
            meeting=meeting, category=categories[0] if head else rng.choice(categories[1:]), delegation=delegation,
            status=status, participation=rng.choice(["in_person", "in_person", "online"]),
            honorific=rng.choice(["Mr.", "Ms.", "Dr."]), given_name=f"Given{n}", family_name=f"Family{n % 97}",
            name_lo=f"{rng.choice(lao_names)} {rng.choice(lao_names)}{n}" if is_lao else "",
            gender=rng.choice(["female", "male", "male", ""]), position="Director, International Cooperation Division",
            email=f"person{n}@example.org", is_head_of_delegation=head, manage_token_hash=uuid.uuid4().hex,
            waitlisted_at=start if status == "waitlisted" else None, cancelled_at=start if status == "cancelled" else None,
        )
        rows.append(registration)
    Registration.objects.bulk_create(rows, batch_size=500)
    # Spread the registrations over six weeks, as a real registration period.
    for index, pk in enumerate(Registration.objects.filter(meeting=meeting).values_list("pk", flat=True)):
        if index % 50 == 0:
            Registration.objects.filter(pk__gte=pk, meeting=meeting).update(created_at=start - timedelta(days=42 - index // 120))
    approved = list(Registration.objects.filter(meeting=meeting, status="approved").values_list("pk", "participation"))
    checkins, joins = [], []
    for pk, participation in approved:
        for session in sessions:
            if rng.random() < 0.7:
                if participation == "online":
                    joins.append(Join(registration_id=pk, session=session, joined_at=session.starts_at))
                else:
                    checkins.append(CheckIn(registration_id=pk, session=session, client_id=uuid.uuid4(),
                                            checked_in_at=session.starts_at))
    CheckIn.objects.bulk_create(checkins, batch_size=1000)
    Join.objects.bulk_create(joins, batch_size=1000)
    return meeting


def timed(function, repeat: int) -> tuple[list[float], list[float], object]:
    walls, cpus, result = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        result = function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, result


def line(name: str, walls: list[float], cpus: list[float], target: float, unit: str = "s", extra: str = "") -> bool:
    scale = 1000 if unit == "ms" else 1
    median = stats.median(walls)
    verdict = "ok" if median <= target else "SLOWER THAN TARGET"
    print(
        f"{name:<44} median {median * scale:8.1f} {unit}  best {min(walls) * scale:8.1f} {unit}  "
        f"cpu median {stats.median(cpus) * scale:8.1f} {unit}  target ≤ {target * scale:g} {unit}  {verdict}{extra}"
    )
    return median <= target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument("--registrations", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    database = setup_django(args.db)
    try:
        return run(args)
    finally:
        if database:
            from django.db import connections

            connections.close_all()
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"drop database {database}"], check=False)


def run(args) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from prachum.meetings.models import MeetingRole
    from prachum.reports.lop import list_of_participants_file
    from prachum.reports.statistics import meeting_statistics

    print(f"database: {connection.vendor}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    t = time.perf_counter()
    lop_meeting = make_meeting("bench-lop", args.participants)
    stats_meeting = make_meeting("bench-stats", args.registrations)
    print(f"data made in {time.perf_counter() - t:.1f} s: {args.participants} approved participants; "
          f"{args.registrations} registrations with check-ins and joins")
    ok = True
    for language in ("lo", "en"):
        walls, cpus, result = timed(
            lambda: list_of_participants_file(lop_meeting, language=language, file_format="pdf"), max(1, args.repeat // 2 + 1)
        )
        ok &= line(f"List of Participants, {args.participants} people, PDF ({language})", walls, cpus, 5.0,
                   extra=f"  ({len(result[2]) // 1024} KiB)")
    walls, cpus, _ = timed(lambda: list_of_participants_file(lop_meeting, language="lo", file_format="xlsx"), 3)
    line(f"List of Participants, {args.participants} people, XLSX (lo)", walls, cpus, 5.0)

    with translation.override("en"):
        meeting_statistics(stats_meeting, language="en")  # warm: templates, translations, connection
        with CaptureQueriesContext(connection) as queries:
            meeting_statistics(stats_meeting, language="en")
        walls, cpus, _ = timed(lambda: meeting_statistics(stats_meeting, language="en"), args.repeat)
        ok &= line(f"statistics figures, {args.registrations} registrations", walls, cpus, 0.3, unit="ms",
                   extra=f"  ({len(queries)} queries)")
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.create_user("bench-organizer", password="x" * 20)
        MeetingRole.objects.create(meeting=stats_meeting, user=user, role=MeetingRole.Role.MANAGER)
        client = Client()
        client.force_login(user)
        url = reverse("reports:statistics", args=[stats_meeting.slug])
        assert client.get(url).status_code == 200
        walls, cpus, response = timed(lambda: client.get(url), args.repeat)
        ok &= line(f"statistics page (whole request), {args.registrations} registrations", walls, cpus, 0.3, unit="ms",
                   extra=f"  ({len(response.content) // 1024} KiB HTML)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
