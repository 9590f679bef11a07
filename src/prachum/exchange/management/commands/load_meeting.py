from datetime import date

from django.core.management.base import BaseCommand, CommandError, no_translations

from prachum.exchange.meeting_files import MeetingFileError
from prachum.exchange.services.meeting_loading import load_meeting_file


class Command(BaseCommand):
    help = (
        "Create or update one meeting from a YAML meeting file (see docs/meeting-files.md): its sessions, "
        "categories, delegations and focal points, organizers, questions and sample registrations. "
        "All or nothing: a mistake names its line and field, and nothing is saved."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the meeting file, e.g. adgsom.yaml")
        parser.add_argument(
            "--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
            help="the day that relative times like '+21d 09:00' count from (default: today in the meeting's time zone)",
        )

    @no_translations  # messages about the file stay in English, like the file's keys
    def handle(self, *args, file, today, **options):
        try:
            meeting = load_meeting_file(path=file, today=today)
        except MeetingFileError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(describe_load(meeting))


def describe_load(meeting) -> str:
    changes = meeting.load_changes
    skipped = getattr(meeting, "load_skipped_people", 0)
    erased = f" The file's {skipped} people were left out: this meeting's personal data was erased." if skipped else ""
    if not changes:
        return f"Meeting {meeting.slug}: unchanged (the database already matches the file).{erased}"
    parts = []
    for kind, counts in changes.items():
        parts.append(f"{kind} " + ", ".join(f"{n} {what}" for what, n in counts.items()))
    return f"Meeting {meeting.slug}: " + "; ".join(parts) + "." + erased
