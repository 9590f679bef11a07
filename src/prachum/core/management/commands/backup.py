"""`prachum backup`: the database, the uploaded and generated files and a manifest, in one .tar file."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from prachum.core import backup
from prachum.core.console import operator_language


class Command(BaseCommand):
    help = ("Write a backup of this installation into one .tar file (mode 0600): the database, the files (uploads, "
            "documents, job results, photos) and a manifest with their SHA-256. The encryption key is left out "
            "unless --include-keys: keep it somewhere else.")

    def add_arguments(self, parser):
        parser.add_argument("--output", help="a folder (the archive gets a dated name in it) or the archive's file "
                                             "name (default: the data folder's backups/)")
        parser.add_argument("--include-keys", action="store_true",
                            help="put the encryption key and the secret key in the archive too")
        parser.add_argument("--language", choices=["lo", "en"], help="language of the output (default: your locale)")

    def handle(self, *args, output=None, include_keys=False, language=None, **options):
        with translation.override(operator_language(language)):
            try:
                result = backup.create_backup(output=output, include_keys=include_keys)
            except backup.BackupError as error:
                raise CommandError(error.message) from None
            manifest = result.manifest
            size = result.path.stat().st_size
            self.stdout.write(_("Backup written to %(path)s (%(size)s bytes).") % {"path": result.path, "size": size})
            files = len(manifest["files"]) - 1
            self.stdout.write(ngettext("It holds the %(engine)s database and %(n)d file.",
                                       "It holds the %(engine)s database and %(n)d files.", files) % {
                "engine": manifest["engine"], "n": files})
            if include_keys:
                self.stdout.write(self.style.WARNING(_(
                    "The archive holds the encryption key: whoever has it can read the passport numbers and "
                    "other sensitive answers. Keep it as safe as the key itself.")))
            else:
                self.stdout.write(self.style.WARNING(_(
                    "The encryption key is NOT in the archive. Keep a copy of it somewhere else than the "
                    "backups (%(file)s, or PRACHUM_ENCRYPTION_KEY): without it a restore cannot read the sensitive "
                    "answers. Its fingerprint, recorded in the manifest: %(fingerprint)s") % {
                    "file": settings.DATA_DIR / "encryption_key",
                    "fingerprint": manifest["encryption_key_fingerprint"]}))
