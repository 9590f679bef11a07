from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "outcome.saved": _("Outcome saved"),
    "news.saved": _("News item saved"),
    "news.published": _("News item published"),
    "news.unpublished": _("News item withdrawn"),
    "document.uploaded": _("Document uploaded"),
    "document.deleted": _("Document deleted"),
    "document.visibility_changed": _("Document visibility changed"),
    "photo.added": _("Photo added"),
    "photo.deleted": _("Photo deleted"),
}


class ReportsConfig(AppConfig):
    name = "prachum.reports"
    verbose_name = _("Reports")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)
