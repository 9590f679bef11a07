from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "registration.exported": _("Registrations exported"),
    "meeting.loaded": _("Meeting loaded from a file"),
}


class ExchangeConfig(AppConfig):
    name = "prachum.exchange"
    verbose_name = _("Import and export")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)
