"""`prachum restore ARCHIVE`: put a backup made by `prachum backup` into an empty database."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prachum.core import backup
from prachum.core.console import operator_language


class Command(BaseCommand):
    help = ("Restore a backup made by `prachum backup` into the configured database, which must hold no Prachum "
            "data (or give --replace), and its files into the data folder; then bring it to this version "
            "(migrate). Stop the web server and the workers first.")

    def add_arguments(self, parser):
        parser.add_argument("archive", help="the .tar file written by `prachum backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--replace", action="store_true",
                            help="delete the Prachum data the database holds and put the backup's in its place")
        parser.add_argument("--force", action="store_true",
                            help="restore even though this installation's encryption key is not the backup's")
        parser.add_argument("--language", choices=["lo", "en"], help="language of the output (default: your locale)")

    def handle(self, *args, archive, yes=False, replace=False, force=False, language=None, **options):
        with translation.override(operator_language(language)):
            try:
                plan = backup.prepare_restore(path=archive, replace=replace, force=force)
                manifest = plan.archive.manifest
                files = len(manifest["files"]) - 1
                self.stdout.write(ngettext(
                    "Backup of %(created)s, Prachum %(version)s, %(engine)s database and %(n)d file.",
                    "Backup of %(created)s, Prachum %(version)s, %(engine)s database and %(n)d files.", files) % {
                    "created": manifest.get("created_at", "?"), "version": manifest.get("prachum_version", "?"),
                    "engine": manifest["engine"], "n": files})
                if plan.key_mismatch:
                    self.stdout.write(self.style.WARNING(
                        _("The encryption key of this installation is not the backup's.") if not manifest.get(
                            "keys_included") else _("The backup's own keys will be written into the data folder.")))
                if not yes:
                    self._confirm(plan)
                result = backup.restore_backup(plan)
            except backup.BackupError as error:
                raise CommandError(error.message) from None
            self.stdout.write(self.style.SUCCESS(_("Restored: every file matched its SHA-256, and the database is "
                                                   "at this version's migrations.")))
            for folder in result.kept_folders:
                self.stdout.write(_("The files that were there before are kept in %(path)s.") % {"path": folder})
            for key in result.keys_written:
                self.stdout.write(_("Key written from the backup: %(path)s (restart the server to use it).") % {
                    "path": key})

    def _confirm(self, plan) -> None:
        if plan.tables_with_data:
            question = _("This DELETES the data in the configured database and puts the backup's in its place. "
                         "Type yes to go on: ")
        else:
            question = _("This restores the backup into the configured database. Type yes to go on: ")
        if not sys.stdin or not sys.stdin.isatty():
            raise CommandError(_("Nothing was changed: confirm with --yes when no one can answer the question."))
        self.stdout.write(question, ending="")
        self.stdout.flush()
        try:
            answer = sys.stdin.readline()
        except (OSError, UnicodeDecodeError):
            answer = ""
        if answer.strip().lower() not in {"yes", "ແມ່ນ", "y"}:
            raise CommandError(_("Nothing was changed."))
