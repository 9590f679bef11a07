from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prachum.exchange.services.exporting import FORMATS, available_columns, export_registrations
from prachum.meetings.permissions import Capability, MeetingAccess
from prachum.meetings.selectors import meetings_named
from prachum.registration.models import Registration


class Command(BaseCommand):
    help = (
        "Export a meeting's registrations to XLSX or CSV (UTF-8 with a byte order mark), in protocol order. "
        "Answers to sensitive questions (passport numbers) are left out unless --sensitive is given; "
        "the export is recorded in the audit log."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the meeting's short name, as in its address /m/<slug>/")
        parser.add_argument("--format", dest="file_format", choices=FORMATS, default="xlsx")
        parser.add_argument("-o", "--output", required=True, help="the file to write")
        parser.add_argument("--columns", default="", help="comma-separated column keys (see --list-columns); "
                                                          "default: the usual ones")
        parser.add_argument("--status", default="", help="comma-separated statuses, e.g. approved,pending")
        parser.add_argument("--language", choices=("lo", "en"), default=None,
                            help="language of the headers and values (default: the meeting's)")
        parser.add_argument("--sensitive", action="store_true", help="offer the sensitive answers' columns too")
        parser.add_argument("--list-columns", action="store_true", help="print the column keys and stop")

    def handle(self, *args, slug, file_format, output, columns, status, language, sensitive, list_columns, **options):
        meeting = meetings_named(slug).first()
        if meeting is None:
            raise CommandError(f"No meeting has the short name {slug!r}.")
        offered = available_columns(meeting, sees_sensitive=sensitive)
        if list_columns:
            for column in offered:
                self.stdout.write(f"{column.key}\t{column.label}{' (sensitive)' if column.is_sensitive else ''}")
            return
        wanted = [c.strip() for c in columns.split(",") if c.strip()]
        unknown = set(wanted) - {c.key for c in offered}
        if unknown:
            raise CommandError(f"Unknown columns: {', '.join(sorted(unknown))} (see --list-columns).")
        statuses = [s.strip() for s in status.split(",") if s.strip()]
        if set(statuses) - set(Registration.Status.values):
            raise CommandError(f"A status is one of {', '.join(Registration.Status.values)}.")
        # The command is run by whoever runs the server: it sees every registration, as a reviewer does.
        capabilities = {Capability.REVIEW, Capability.SEE_REGISTRATIONS} | ({Capability.MANAGE} if sensitive else set())
        access = MeetingAccess(meeting=meeting, user=None, capabilities=capabilities)
        content, _name = export_registrations(
            access=access, columns=wanted, file_format=file_format, language=language or meeting.default_language or "lo",
            statuses=statuses or None,
        )
        try:
            Path(output).write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
        self.stdout.write(f"Wrote {output} ({file_format}, {len(content)} bytes).")
