#!/usr/bin/env python3
"""How long exporting and importing 5,000 registrations take (issue 4, item 6).

    .venv/bin/python bench/exchange.py                     # 5,000 registrations, SQLite in a temporary folder
    .venv/bin/python bench/exchange.py --count 1000
    .venv/bin/python bench/exchange.py --db postgres        # a fresh PostgreSQL database, dropped at the end
    .venv/bin/python bench/exchange.py --skip-import       # the export only

A fresh database with one hybrid meeting: 13 delegations, 3 categories, 2 custom questions (one of them
sensitive, encrypted at rest) and `--count` registrations with their answers, Lao and Vietnamese names.

  export xlsx / csv   prachum.exchange.services.exporting.export_registrations, as the export job runs it,
                      for an organizer who sees every column (the sensitive answers decrypted too)
  import dry run      the import's check job (prachum.jobs, run inline): `--count` CSV rows, every row
                      through the registration form's checks, seats predicted
  import apply        the import's apply job: every row through the form's checks, then in one transaction
                      under the meeting lock the emails checked again, the seats decided row after row
                      (registration/services/nomination.py register_in_bulk), rows, answers, audit events
                      inserted in batches
  emails job          started by the apply on commit: each person's email rendered in their language and
                      written to the outbox (held, as no mail server is configured), 100 per transaction

Targets: export of 5,000 to XLSX in 10 s or less; import of 5,000 rows in 20 s or less (dry run + apply).
The machine is shared: CPU is this process's own time (and the database server's is not counted);
wall time also holds what other programs took, so the load average is printed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

TARGET_EXPORT_SECONDS = 10.0
TARGET_IMPORT_SECONDS = 20.0
GIVEN = ["Văn Hùng", "Thị Thu Hà", "Somsak", "Siti Nur Aisyah", "Kanokwan", "Mohd Hafiz", "Vannak", "Maria"]
FAMILY = ["Nguyễn", "Trần", "Vongsa", "Abdul Rahman", "Srisuk", "Haji Ismail", "Sok", "Dela Cruz"]
LAO = ["ສົມສັກ ວົງສາ", "ຄຳເພັດ ສີສຸພັນ", "ສຸພາພອນ ແກ້ວມະນີ", ""]


def setup_django(data_dir: Path, database: str | None) -> None:
    os.environ["PRACHUM_DATA_DIR"] = str(data_dir)
    for name in ("PRACHUM_DATABASE_URL", "PRACHUM_REDIS_URL", "PRACHUM_EMAIL_URL"):
        os.environ.pop(name, None)
    if database:
        os.environ["PRACHUM_DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prachum.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PRACHUM_DELIVERY = "inline"
    call_command("migrate", verbosity=0)


def make_meeting(slug: str, count: int, *, with_registrations: bool):
    from datetime import timedelta

    from django.utils import timezone

    from prachum.directory.models import Organization
    from prachum.meetings.models import Category, CustomQuestion, CustomQuestionVersion, Delegation, Meeting
    from prachum.registration.models import Answer, Registration, new_badge_code

    now = timezone.now()
    meeting = Meeting.objects.create(
        slug=slug, title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດິຈິຕອນອາຊຽນ", title_en="ASEAN Digital Senior Officials' Meeting",
        status=Meeting.Status.PUBLISHED, format=Meeting.Format.HYBRID, starts_at=now + timedelta(days=30),
        ends_at=now + timedelta(days=31), registration_opens_at=now - timedelta(days=1),
        registration_closes_at=now + timedelta(days=20), time_zone="Asia/Vientiane",
    )
    categories = [
        Category.objects.create(meeting=meeting, code="delegate", name_lo="ຜູ້ແທນ", name_en="Delegate", order=1),
        Category.objects.create(meeting=meeting, code="observer", name_lo="ຜູ້ສັງເກດການ", name_en="Observer",
                                needs_approval=False, order=2),
        Category.objects.create(meeting=meeting, code="media", name_lo="ສື່ມວນຊົນ", name_en="Media", order=3),
    ]
    delegations = []
    for n in range(13):
        organization, _ = Organization.objects.get_or_create(
            code=f"B{n}", defaults={"kind": "member_state", "name_en": f"Member State {n}",
                                    "name_lo": f"ປະເທດສະມາຊິກ {n}", "protocol_order": n})
        delegations.append(Delegation.objects.create(meeting=meeting, organization=organization))
    questions = []
    for key, label_lo, label_en, kind, sensitive, choices in [
        ("dietary", "ຄວາມຕ້ອງການດ້ານອາຫານ", "Dietary requirements", "choice", False,
         [{"value": "none", "lo": "ບໍ່ມີ", "en": "None"}, {"value": "vegetarian", "lo": "ອາຫານມັງສະວິລັດ", "en": "Vegetarian"}]),
        ("passport-number", "ເລກໜັງສືຜ່ານແດນ", "Passport number", "text", True, []),
    ]:
        question = CustomQuestion.objects.create(meeting=meeting, key=key, order=len(questions))
        question.current_version = CustomQuestionVersion.objects.create(
            question=question, number=1, kind=kind, label_lo=label_lo, label_en=label_en, is_sensitive=sensitive,
            choices=choices)
        question.save(update_fields=["current_version"])
        questions.append(question)
    if with_registrations:
        rows = [
            Registration(
                meeting=meeting, category=categories[n % 3], delegation=delegations[n % 13],
                status=["approved", "pending"][n % 2], honorific_id=["mr", "ms"][n % 2],
                given_name=GIVEN[n % len(GIVEN)], family_name=f"{FAMILY[n % len(FAMILY)]} {n}", name_lo=LAO[n % 4],
                position="ຫົວໜ້າພະແນກ" if n % 3 else "=HYPERLINK(\"x\")", email=f"person{n}@example.org",
                phone="+8562055512345", gender=["male", "female"][n % 2], manage_token_hash=f"{n:064d}",
                badge_code=new_badge_code(), decided_at=now if n % 2 == 0 else None,
            )
            for n in range(count)
        ]
        Registration.objects.bulk_create(rows, batch_size=1000)
        answers = []
        for registration in Registration.objects.filter(meeting=meeting).only("pk"):
            answers.append(Answer(registration=registration, question=questions[0],
                                  question_version=questions[0].current_version, value="vegetarian"))
            answers.append(Answer(registration=registration, question=questions[1],
                                  question_version=questions[1].current_version,
                                  sensitive_value=f"C{registration.pk:07d}"))
        Answer.objects.bulk_create(answers, batch_size=1000)
    return meeting


def timed(function, *args, **kwargs):
    c0, t0 = time.process_time(), time.perf_counter()
    result = function(*args, **kwargs)
    return result, time.perf_counter() - t0, time.process_time() - c0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=5000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite",
                        help="SQLite in a temporary folder (default), or a fresh PostgreSQL database")
    parser.add_argument("--pg-admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args(argv)

    pg_name = f"prachum_bench_exchange_{os.getpid()}" if args.db == "postgres" else None
    bench = _bench_harness()
    database = bench.pg_create(args.pg_admin_url, pg_name) if pg_name else None
    try:
        return _measure(args, database)
    finally:
        if pg_name:
            from django.db import connections

            connections.close_all()
            bench.pg_drop(args.pg_admin_url, pg_name)


def _bench_harness():
    """bench/harness.py, for its PostgreSQL helpers (bench/ is kept off sys.path: its profile.py would
    shadow the standard library's)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("prachum_bench_harness", ROOT / "bench" / "harness.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _measure(args, database: str | None) -> int:
    with tempfile.TemporaryDirectory(prefix="prachum-bench-exchange-") as folder:
        setup_django(Path(folder), database)
        from django.contrib.auth import get_user_model

        from prachum.exchange.services.exporting import available_columns, export_registrations
        from prachum.exchange.services.uploads import store_upload
        from prachum.core.tables import write_csv
        from prachum.jobs.models import Job
        from prachum.jobs.services import run_job
        from prachum.meetings.models import MeetingRole
        from prachum.meetings.permissions import MeetingAccess
        from prachum.registration.models import Registration

        user = get_user_model().objects.create_user("bench", "bench@example.org", "a long bench password 1")
        print(f"database: {'PostgreSQL' if database else 'SQLite'}; {args.count} registrations; "
              f"load average {os.getloadavg()[0]:.2f}")
        t0 = time.perf_counter()
        meeting = make_meeting("bench-export", args.count, with_registrations=True)
        MeetingRole.objects.create(meeting=meeting, user=user, role=MeetingRole.Role.MANAGER)
        print(f"set-up: {time.perf_counter() - t0:.1f} s")

        access = MeetingAccess.of(user, meeting)
        columns = [c.key for c in available_columns(meeting, sees_sensitive=True)]
        figures = []
        for file_format in ("xlsx", "csv"):
            (content, _name), wall, cpu = timed(export_registrations, access=access, columns=columns,
                                                file_format=file_format, language="lo")
            figures.append((f"export {file_format} ({len(columns)} columns)", wall, cpu, f"{len(content) / 1e6:.1f} MB"))

        if not args.skip_import:
            target = make_meeting("bench-import", 0, with_registrations=False)
            MeetingRole.objects.create(meeting=target, user=user, role=MeetingRole.Role.MANAGER)
            header = ["email", "given_name", "family_name", "gender", "position", "category", "delegation", "dietary",
                      "passport-number", "phone"]
            rows = [[f"import{n}@example.org", GIVEN[n % 8], f"{FAMILY[n % 8]} {n}", ["male", "female"][n % 2],
                     "ຫົວໜ້າພະແນກ", ["delegate", "observer", "ສື່ມວນຊົນ"][n % 3], f"B{n % 13}", "vegetarian",
                     f"N{n:07d}", "020 5551 2345"] for n in range(args.count)]
            key = store_upload(write_csv(header, rows))  # UTF-8 with a byte order mark, as Excel saves it
            mapping = {h: ("q:" + h if h in ("dietary", "passport-number") else h) for h in header}
            params = {"meeting_id": target.pk, "upload": key, "target": "registrations", "mapping": mapping,
                      "delegation_id": None, "nominate": False, "language": "lo"}
            check = Job.objects.create(kind="exchange.import_check", created_by=user, meeting=target, params=params,
                                       function="prachum.exchange.services.importing.check_import_job")
            check, wall_check, cpu_check = timed(run_job, job_id=check.pk)
            assert check.summary.get("ok"), check.summary.get("errors", [])[:5] or check.error
            figures.append((f"import dry run ({args.count} rows)", wall_check, cpu_check, str(check.summary["outcomes"])))
            apply = Job.objects.create(kind="exchange.import_apply", created_by=user, meeting=target,
                                       params={**params, "batch": check.pk.hex},
                                       function="prachum.exchange.services.importing.apply_import_job")
            # The emails' job, which the apply starts on commit, is held back here and timed on its own.
            from prachum.jobs import engine

            held, hand_off = [], engine.hand_off
            engine.hand_off = lambda queue, job_id: held.append(job_id)
            try:
                apply, wall_apply, cpu_apply = timed(run_job, job_id=apply.pk)
            finally:
                engine.hand_off = hand_off
            assert apply.summary.get("ok"), apply.summary.get("errors", [])[:5] or apply.error
            saved = Registration.objects.filter(meeting=target).count()
            figures.append((f"import apply ({saved} saved)", wall_apply, cpu_apply, str(apply.summary["outcomes"])))
            figures.append(("import, dry run + apply", wall_check + wall_apply, cpu_check + cpu_apply, ""))
            c0, t0 = time.process_time(), time.perf_counter()
            for job_id in held:
                emails = run_job(job_id=job_id)
            figures.append(("emails job (after the import)", time.perf_counter() - t0, time.process_time() - c0,
                            emails.summary.get("message", "") if held else "no job"))

        print(f"{'what':<38} {'wall s':>8} {'cpu s':>8} {'ms/row':>8}  note")
        for what, wall, cpu, note in figures:
            print(f"{what:<38} {wall:8.2f} {cpu:8.2f} {1000 * wall / max(args.count, 1):8.2f}  {note}")
        def verdict(what, wall, cpu, target):
            print(f"target: {what} ≤ {target:.0f} s: wall {wall:.1f} s {'met' if wall <= target else 'NOT met'}; "
                  f"own CPU {cpu:.1f} s {'met' if cpu <= target else 'NOT met'}")

        verdict(f"export of {args.count} to XLSX", figures[0][1], figures[0][2], TARGET_EXPORT_SECONDS)
        if not args.skip_import:
            verdict(f"import of {args.count} rows", figures[-2][1], figures[-2][2], TARGET_IMPORT_SECONDS)
        print(f"load average {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
