from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prachum.core.console import operator_language
from prachum.registration.services import erasure


def counts_sentence(report: erasure.ErasureReport) -> str:
    parts = [
        ngettext("%(n)d person", "%(n)d people", report.people) % {"n": report.people},
        ngettext("%(n)d invitation", "%(n)d invitations", report.invitations) % {"n": report.invitations},
        ngettext("%(n)d answer", "%(n)d answers", report.answers) % {"n": report.answers},
        ngettext("%(n)d uploaded file", "%(n)d uploaded files", report.files) % {"n": report.files},
        ngettext("%(n)d exported file", "%(n)d exported files", report.job_results) % {"n": report.job_results},
    ]
    return ", ".join(parts)


class Command(BaseCommand):
    help = ("Apply the meetings' retention periods now: anonymise the personal data of the meetings whose period "
            "ended and warn the owners of those whose data goes within 30 days. The background worker does this "
            "on its own; --dry-run only shows what would be done.")

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="show what would be done, change nothing")
        parser.add_argument("--language", choices=["lo", "en"], help="language of the output (default: your locale)")

    def handle(self, *args, dry_run=False, language=None, **options):
        with translation.override(operator_language(language)):
            try:
                self._run(dry_run)
            except DatabaseError as error:
                raise CommandError(_("The database could not be read or written: %(error)s") % {
                    "error": str(error).splitlines()[0] if str(error) else type(error).__name__}) from None

    def _day(self, meeting, moment) -> str:
        return formats.date_format(erasure.local_date(meeting, moment), "DATE_FORMAT")

    def _run(self, dry_run: bool) -> None:
        due = erasure.meetings_due_for_erasure()
        to_warn = erasure.meetings_to_warn()
        if dry_run:
            self.stdout.write(_("Dry run: nothing is changed."))
        if not due:
            self.stdout.write(_("No meeting's retention period has ended: no personal data to erase."))
        for meeting in due:
            values = {"slug": meeting.slug, "title": str(meeting.title), "day": self._day(meeting, meeting.personal_data_erased_after)}
            if dry_run:
                values["counts"] = counts_sentence(erasure.retention_plan(meeting))
                self.stdout.write(_("Would anonymise %(slug)s (%(title)s), due since %(day)s: %(counts)s.") % values)
            else:
                values["counts"] = counts_sentence(erasure.erase_meeting_personal_data(meeting_id=meeting.pk))
                self.stdout.write(_("Anonymised %(slug)s (%(title)s): %(counts)s.") % values)
        for meeting in to_warn:
            values = {"slug": meeting.slug, "day": self._day(meeting, meeting.personal_data_erased_after)}
            if dry_run:
                self.stdout.write(_("Would tell the owners of %(slug)s that its data will be erased on %(day)s.") % values)
            else:
                values["n"] = erasure.warn_before_erasure(meeting_id=meeting.pk)
                self.stdout.write(ngettext(
                    "Told %(n)d owner of %(slug)s that its data will be erased on %(day)s.",
                    "Told %(n)d owners of %(slug)s that its data will be erased on %(day)s.", values["n"]) % values)
