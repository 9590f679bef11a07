from collections import Counter
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from prachum.core.plain_text import is_control_character
from prachum.meetings.selectors import meetings_named
from prachum.registration.invitations import (
    INVITATION_COLUMNS,
    check_invitation_rows,
    invite_people,
    read_invitation_file,
)


class Command(BaseCommand):
    help = (
        "Invite the people of a CSV or XLSX file to a meeting: a personal invitation link each, emailed in their language "
        f"(see docs/invitations.md). Columns: {', '.join(INVITATION_COLUMNS)}. All or nothing: every wrong line "
        "is listed with its number, and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the meeting's short name, as in its address /m/<slug>/")
        parser.add_argument("file", help="the CSV file (UTF-8, UTF-16 or CP874) or XLSX file, with a header line")
        parser.add_argument("--dry-run", action="store_true", help="check the file and say what would be done; save nothing")

    @no_translations  # messages about the file stay in English, like its column names
    def handle(self, *args, slug, file, dry_run, **options):
        meeting = meetings_named(slug).first()
        if meeting is None:
            raise CommandError(f"No meeting has the short name {slug!r}.")
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror or exc}.") from None

        rows, errors, encoding = read_invitation_file(data)
        if errors and all(error.line in (None, 1) for error in errors):
            # The file itself (unreadable, refused, or its header wrong): one line says why.
            raise CommandError(_shown(f"{file}: " + "; ".join(str(error) for error in errors) + "; nothing was saved."))
        if not errors:
            check = check_invitation_rows if dry_run else invite_people
            result = check(meeting=meeting, rows=rows)
            errors = result.errors
        if errors:
            for error in errors:
                self.stderr.write(_shown(str(error)))
            raise CommandError(f"{len(errors)} error(s) in {file}; nothing was saved.")

        languages = ", ".join(f"{n} in {code}" for code, n in Counter(r["language"] for r in result.rows).items())
        # Named where it may be a guess (CP874 reads any bytes), so that a misread file is noticed.
        read_as = "" if encoding.startswith(("UTF-8", "XLSX")) else f" The file was read as {encoding}."
        if dry_run:
            self.stdout.write(
                f"Dry run: the {len(result.rows)} people of {file} can be invited to {meeting.slug} ({languages}). "
                f"Nothing was saved.{read_as}"
            )
        else:
            self.stdout.write(
                f"Invited {len(result.invitations)} people to {meeting.slug} ({languages}); "
                f"{len(result.messages)} invitation emails are queued.{read_as}"
            )



def _shown(text: str) -> str:
    """A message quoting the file's cells, safe for a terminal: control characters (an escape sequence, a line
    break inside a cell) are shown as codes, not obeyed."""
    return "".join(f"\\x{ord(char):02x}" if is_control_character(char) or char in "\r\n" else char for char in text)
