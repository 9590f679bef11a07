#!/usr/bin/env python3
"""How long 1,000 badges take to become one PDF, and where the time goes.

    .venv/bin/python bench/badges.py                       # 1,000 badges, A6 and the 2 x 5 label sheet, Lao
    .venv/bin/python bench/badges.py --count 200 --layout a4_4 --lang en
    .venv/bin/python bench/badges.py --profile             # + the top functions by own time (cProfile)

A fresh SQLite database in a temporary folder, one meeting with `--count` approved in-person
registrations (Latin and Lao names, positions, 10 delegations, 4 categories), then for each layout the
same path the organizer's job takes (prachum.badges.services.print_badges), timed in its parts:
(CPU seconds of this process for each part, and the wall-clock total):
  select   the registrations with their categories and delegations (one query)
  html     one HTML document for all badges: names fitted, QR codes as PNG data: URIs
  layout   WeasyPrint: parse, style, shape the text (Pango/HarfBuzz), lay out the pages (with the badges'
           lean user-agent style sheet; --also-standard-ua measures WeasyPrint's own too, "std" rows)
  pdf      WeasyPrint: write the PDF (fonts subset once)
The target is 1,000 badges in 15 s or less (wall clock). On a shared machine the wall time also holds the
time other processes took the CPU: the CPU column is this process's own time, the figure that
compares across runs; the load average is printed for that reason.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/profile.py would hide the standard library's `profile`, which cProfile imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
import cProfile  # noqa: E402
import pstats  # noqa: E402
TARGET_SECONDS = 15.0


def setup_django(data_dir: Path) -> None:
    os.environ["PRACHUM_DATA_DIR"] = str(data_dir)
    for name in ("PRACHUM_DATABASE_URL", "PRACHUM_REDIS_URL"):
        os.environ.pop(name, None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prachum.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import logging

    import django

    django.setup()
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


GIVEN = ["Somsak", "Nguyen Thi", "Siti Nur Aisyah", "Kanokwan", "Mohd Hafiz", "Vannak", "Maria Cristina", "Aung"]
FAMILY = ["Vongsa", "Thanh Huong", "Abdul Rahman", "Srisuk", "Haji Ismail", "Sok", "Dela Cruz-Villanueva", "Min Htet"]
LAO = ["ສົມສັກ ວົງສາ", "ຄຳເພັດ ສີສຸພັນ", "ສຸພາພອນ ແກ້ວມະນີ", "ມາລາວັນ ອິນທະວົງ", ""]
POSITIONS = ["Deputy Director General, Department of International Cooperation", "Director", "Senior Officer",
             "ຫົວໜ້າພະແນກ ກົມການຕ່າງປະເທດ", "Vice Minister"]


def make_meeting(count: int):
    from datetime import UTC, datetime

    from prachum.directory.models import Organization
    from prachum.meetings.models import Category, Delegation, Meeting
    from prachum.registration.models import Registration, new_badge_code

    meeting = Meeting.objects.create(
        slug="bench-badges", title_lo="ກອງປະຊຸມເຈົ້າໜ້າທີ່ອາວຸໂສດ້ານດິຈິຕອນອາຊຽນ ຄັ້ງທີ 6",
        title_en="The 6th ASEAN Digital Senior Officials' Meeting", status=Meeting.Status.PUBLISHED,
        starts_at=datetime(2026, 12, 19, 2, tzinfo=UTC), ends_at=datetime(2026, 12, 20, 10, tzinfo=UTC),
    )
    colours = ["#8B1E3F", "#1F6FB2", "#2E7D32", "#F2C200"]
    categories = [Category.objects.create(meeting=meeting, code=f"c{n}", name_en=f"Category {n}",
                                          name_lo=f"ປະເພດ {n}", badge_colour=colours[n], order=n) for n in range(4)]
    delegations = []
    for n in range(10):
        organization = Organization.objects.create(code=f"bench{n}", kind="member_state", name_en=f"Member State {n}",
                                                   name_lo=f"ປະເທດສະມາຊິກ {n}", protocol_order=n)
        delegations.append(Delegation.objects.create(meeting=meeting, organization=organization))
    rows = []
    for n in range(count):
        rows.append(Registration(
            meeting=meeting, category=categories[n % 4], delegation=delegations[n % 10], status="approved",
            honorific=["Mr.", "Ms.", "H.E.", "Dr."][n % 4], given_name=GIVEN[n % len(GIVEN)],
            family_name=f"{FAMILY[n % len(FAMILY)]} {n}", name_lo=LAO[n % len(LAO)],
            position=POSITIONS[n % len(POSITIONS)], email=f"person{n}@example.org", language=["lo", "en"][n % 2],
            manage_token_hash=f"{n:064d}", badge_code=new_badge_code(), decided_at=meeting.starts_at,
        ))
    Registration.objects.bulk_create(rows, batch_size=500)
    return meeting


def measure(meeting, layout: str, language: str, lean: bool = True) -> dict:
    from prachum.badges.rendering import _html_class, badges_html
    from prachum.badges.selectors import badge_registrations
    from prachum.core.pdf import pdf_document

    clock = [(time.perf_counter(), time.process_time())]

    def lap():
        clock.append((time.perf_counter(), time.process_time()))

    registrations = list(badge_registrations(meeting))
    lap()
    html = badges_html(registrations, meeting=meeting, layout=layout, language=language)
    lap()
    document = pdf_document(html, html_class=_html_class(lean))
    lap()
    pdf = document.write_pdf()
    lap()
    parts = {}
    for name, (start, end) in zip(("select", "html", "layout", "pdf"), zip(clock, clock[1:])):
        parts[name] = end[1] - start[1]  # CPU seconds of this process
    return {**parts, "cpu": clock[-1][1] - clock[0][1], "total": clock[-1][0] - clock[0][0],
            "badges": len(registrations), "pages": len(document.pages), "bytes": len(pdf), "pdf_data": pdf}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--layout", action="append", help="a6, a4_4, labels_2x4, labels_2x5 (default: a6 and labels_2x5)")
    parser.add_argument("--lang", default="lo", choices=["lo", "en", "participant"])
    parser.add_argument("--also-standard-ua", action="store_true",
                        help="also measure with WeasyPrint's standard user-agent style sheet")
    parser.add_argument("--profile", action="store_true", help="also print the top 25 functions by own time")
    parser.add_argument("--keep", help="write the last PDF to this file")
    args = parser.parse_args(argv)

    data_dir = Path(tempfile.mkdtemp(prefix="prachum-bench-badges-"))
    setup_django(data_dir)
    t = time.perf_counter()
    meeting = make_meeting(args.count)
    print(f"{args.count} registrations made in {time.perf_counter() - t:.1f} s (SQLite, {data_dir})")
    print(f"CPUs: {os.cpu_count()}, load average: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")

    from prachum.badges.rendering import badges_html
    from prachum.badges.selectors import badge_registrations

    badges_html(list(badge_registrations(meeting))[:1], meeting=meeting, layout="a6", language=args.lang)  # imports
    print("select, html, layout, pdf and CPU: CPU seconds of this process; wall: elapsed seconds")
    header = f"{'layout':<16}{'lang':<6}{'badges':>7}{'pages':>6}{'select':>8}{'html':>8}{'layout':>8}{'pdf':>8}" \
             f"{'wall s':>9}{'CPU s':>7}{'badges/s':>9}{'MB':>6}  target (15 s per 1,000)"
    print(header)
    ok = True
    result = None
    runs = [(layout, True) for layout in args.layout or ["a6", "labels_2x5"]]
    if args.also_standard_ua:
        runs += [(layout, False) for layout, _lean in runs]
    for layout, lean in runs:
        result = measure(meeting, layout, args.lang, lean=lean)
        limit = TARGET_SECONDS * args.count / 1000
        within = result["total"] <= limit
        ok = ok and within
        verdict = f"wall {'ok' if within else 'over'}, CPU {'ok' if result['cpu'] <= limit else 'over'}"
        print(f"{layout + ('' if lean else ' std'):<16}{args.lang:<6}{result['badges']:>7}{result['pages']:>6}{result['select']:>8.2f}"
              f"{result['html']:>8.2f}{result['layout']:>8.2f}{result['pdf']:>8.2f}{result['total']:>9.2f}{result['cpu']:>7.2f}"
              f"{result['badges'] / result['total']:>9.0f}{result['bytes'] / 1e6:>6.1f}  {verdict}")
    if args.keep and result:
        Path(args.keep).write_bytes(result["pdf_data"])
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        measure(meeting, (args.layout or ["a6"])[0], args.lang)
        profiler.disable()
        print("\nTop functions by own time (cProfile adds overhead; shares are what count):")
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        print("By cumulative time:")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
