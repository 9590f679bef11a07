"""prachum news <slug> --lang lo|en [--count approved|attended]: print Prachum's draft of the meeting's news item."""

from django.core.management.base import BaseCommand, CommandError

from prachum.meetings.selectors import meetings_named
from prachum.reports.news import COUNTS, draft_news


class Command(BaseCommand):
    help = "Print the draft news item of a meeting, written from its data, in Lao or English."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--lang", choices=["lo", "en"], default="lo")
        parser.add_argument(
            "--count", choices=COUNTS, default=None,
            help="Whom the figures count: the approved participants, or those who attended (checked in, joined "
                 "online). Default: approved, or attended at an in-person meeting with check-ins.",
        )

    def handle(self, *args, slug, lang, count, **options):
        meeting = meetings_named(slug).select_related("host").first()
        if meeting is None:
            raise CommandError(f"No meeting with the short name {slug!r}.")
        self.stdout.write(draft_news(meeting, language=lang, count=count).as_text())
