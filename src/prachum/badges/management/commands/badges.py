from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations
from django.utils import translation

from prachum.badges.layouts import Layout
from prachum.badges.models import BadgeLanguage
from prachum.badges.services import BadgeError, BadgeSelection, print_badges
from prachum.meetings.selectors import meetings_named
from prachum.registration.models import Registration


class Command(BaseCommand):
    help = (
        "Print the badges of a meeting's in-person participants as one PDF (approved only unless --status says "
        "otherwise), ordered by delegation in protocol order, then category and name."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the meeting's short name, as in its address /m/<slug>/")
        parser.add_argument("-o", "--output", required=True, help="the PDF file to write")
        parser.add_argument("--status", action="append", choices=Registration.Status.values,
                            help="registration status; repeat for several (default: approved)")
        parser.add_argument("--lang", choices=BadgeLanguage.values,
                            help="language of the badges: lo, en, or participant (each person's own); "
                                 "default: the meeting's badge design's")
        # The labels are the badge page's, translated: the help is in English, as every command's is,
        # though the site's default language (what --help runs in) is Lao.
        with translation.override("en"):
            papers = "; ".join(f"{c.value} = {c.label}" for c in Layout)
        parser.add_argument("--layout", choices=Layout.values,
                            help=f"paper: {papers} (default: the meeting's badge design's)")
        parser.add_argument("--not-printed", action="store_true",
                            help="only registrations whose badge was never printed (by this command, the page or the desk)")
        parser.add_argument("--category", action="append", metavar="CODE",
                            help="only this category (its code); repeat for several")

    @no_translations  # the command's own messages stay in English
    def handle(self, *args, slug, output, status, lang, layout, category, not_printed, **options):
        meeting = meetings_named(slug).first()
        if meeting is None:
            raise CommandError(f"No meeting has the short name {slug!r}.")
        category_ids = []
        for code in category or []:
            found = meeting.categories.filter(code=code).values_list("pk", flat=True).first()
            if found is None:
                codes = ", ".join(meeting.categories.values_list("code", flat=True))
                raise CommandError(f"{meeting.slug} has no category {code!r} (its categories: {codes}).")
            category_ids.append(found)
        selection = BadgeSelection(
            statuses=tuple(status or [Registration.Status.APPROVED]), category_ids=tuple(category_ids),
            layout=layout or "", language=lang or "", not_printed=not_printed,
        )
        try:
            pdf, count = print_badges(meeting=meeting, selection=selection)
        except BadgeError as error:
            raise CommandError(str(error)) from None
        try:
            Path(output).write_bytes(pdf)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror or exc}.") from None
        self.stdout.write(f"{count} badge(s) of {meeting.slug} written to {output}.")
