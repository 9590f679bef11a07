from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "organizations.loaded": _("Organizations loaded from a file"),
    "honorific.added": _("Honorific added to the list"),
}


class DirectoryConfig(AppConfig):
    name = "prachum.directory"
    verbose_name = _("Organizations")

    def ready(self):
        from django.db.models.signals import post_migrate

        from prachum.audit.kinds import register_kinds
        from prachum.core.backup import register_written_by_migrate
        from prachum.directory.honorifics import ensure_standard_honorifics

        register_kinds(AUDIT_KINDS)
        register_written_by_migrate("directory.Honorific")  # a migrated database is still empty for a restore
        # After every migrate, and after a test's flush (which empties the table), like Django's permissions.
        post_migrate.connect(ensure_standard_honorifics, sender=self)
