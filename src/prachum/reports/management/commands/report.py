"""prachum report lop <slug> --lang lo|en --format pdf|xlsx -o FILE (also: attendance, statistics)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from prachum.meetings.selectors import meetings_named
from prachum.reports.files_job import build_report_file


class Command(BaseCommand):
    help = "Write a report of a meeting to a file: lop (List of Participants), attendance, statistics."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["lop", "attendance", "statistics"])
        parser.add_argument("slug")
        parser.add_argument("--lang", choices=["lo", "en"], default="lo")
        parser.add_argument("--format", dest="file_format", choices=["pdf", "xlsx"], default="pdf")
        parser.add_argument("-o", "--output", required=True, help="The file to write; '-' for standard output.")
        parser.add_argument("--attended-only", action="store_true", help="lop: only those who attended")
        parser.add_argument("--host-first", action="store_true", help="lop: the host's delegation first")
        parser.add_argument("--with-email", action="store_true", help="lop: emails of those who agreed")
        parser.add_argument("--scope", choices=["approved", "active"], default="approved", help="statistics")

    def handle(self, *args, report, slug, lang, file_format, output, **options):
        meeting = meetings_named(slug).select_related("host").first()
        if meeting is None:
            raise CommandError(f"No meeting with the short name {slug!r}.")
        if report == "lop":
            name, options_ = "list_of_participants", {
                "file_format": file_format, "attended_only": options["attended_only"],
                "host_first": options["host_first"], "with_email": options["with_email"],
            }
        elif report == "attendance":
            name, options_ = "attendance", {"file_format": file_format}
        else:
            if file_format != "xlsx":
                raise CommandError("Statistics are written as XLSX: give --format xlsx.")
            name, options_ = "statistics", {"scope": options["scope"]}
        _filename, _type, content = build_report_file(meeting, report=name, language=lang, options=options_)
        if output == "-":
            self.stdout.buffer.write(content) if hasattr(self.stdout, "buffer") else self.stdout.write(content.decode("latin-1"))
            return
        try:
            Path(output).write_bytes(content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from None
        self.stderr.write(f"{output}: {len(content):,} bytes")
