#!/usr/bin/env python3
"""How long writing one registration email takes: the rendering every submission, decision and import
does in its transaction (prachum.notify.emails.render_registration_email), in one process.

    .venv/bin/python bench/emails.py                  # SQLite in a temporary folder
    .venv/bin/python bench/emails.py --sessions 8 --count 500

A meeting in Vientiane with --sessions sessions, one registration per case below, each email rendered
--count times after a warm-up; the best and the median of five rounds, in milliseconds of this
process's CPU. The database is read as the product reads it (the sessions, the organizer's text), so
the figures include those queries; SQLite keeps them small.

  received, one language            a pending registration's "received" email, in Lao
  confirmed, one language           an approved one's confirmation (QR code and calendar named, not built:
                                    attachments are made when the message is sent)
  received, both languages          the same with Meeting.emails_in_both_languages (Lao, then English)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/ off sys.path: its profile.py would shadow the standard library's.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--count", type=int, default=200, help="emails per round (default 200)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="prachum-bench-emails-") as folder:
        os.environ["PRACHUM_DATA_DIR"] = folder
        for name in ("PRACHUM_DATABASE_URL", "PRACHUM_REDIS_URL", "PRACHUM_EMAIL_URL"):
            os.environ.pop(name, None)
        os.environ["DJANGO_SETTINGS_MODULE"] = "prachum.settings"
        sys.path.insert(0, str(ROOT / "src"))
        import django

        django.setup()
        from datetime import timedelta

        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from prachum.meetings.tests.factories import make_category, make_meeting, make_session
        from prachum.notify.emails import render_registration_email
        from prachum.registration.tests.factories import make_registration

        def meeting(both: bool):
            made = make_meeting(emails_in_both_languages=both)
            for i in range(args.sessions):
                start = made.starts_at + timedelta(hours=i)
                make_session(made, starts_at=start, ends_at=start + timedelta(minutes=45))
            return made

        one, both = meeting(False), meeting(True)
        cases = [
            ("received, one language", make_registration(one, make_category(one), status="pending", language="lo"),
             "registration.received"),
            ("confirmed, one language", make_registration(one, make_category(one), status="approved", language="lo"),
             "registration.confirmed"),
            ("received, both languages", make_registration(both, make_category(both), status="pending", language="lo"),
             "registration.received"),
        ]
        print(f"{args.sessions} sessions, {args.count} emails per round, 5 rounds; ms of CPU per email; "
              f"load average {os.getloadavg()[0]:.2f}")
        for label, registration, kind in cases:
            for _ in range(20):
                render_registration_email(registration=registration, kind=kind)
            rounds = []
            for _ in range(5):
                c0 = time.process_time()
                for _ in range(args.count):
                    render_registration_email(registration=registration, kind=kind)
                rounds.append((time.process_time() - c0) / args.count * 1000)
            rounds.sort()
            print(f"  {label:<28} best {rounds[0]:6.2f}  median {rounds[2]:6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
