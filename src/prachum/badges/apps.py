from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "badges.printed": _("Badges printed"),
    "badges.design_saved": _("Badge design saved"),
    "badges.design_deleted": _("Badge design deleted"),
}


class BadgesConfig(AppConfig):
    name = "prachum.badges"
    verbose_name = _("Badges")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)
