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
        from prachum.audit.changes import register_reading
        from prachum.audit.kinds import register_kinds
        from prachum.exchange.services.exporting import column_headings
        from prachum.meetings.models import Delegation

        register_kinds(AUDIT_KINDS)
        register_reading(
            id_models={"delegations": Delegation},  # the delegations a focal point's export covered
            headings={"registration.exported": ({"columns", "sensitive"}, column_headings)},
        )
