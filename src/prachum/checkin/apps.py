from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "checkin.device_created": _("Check-in device added"),
    "checkin.device_revoked": _("Check-in device revoked"),
    "checkin.undone": _("Check-in undone"),
}


class CheckinConfig(AppConfig):
    name = "prachum.checkin"
    verbose_name = _("Check-in")

    def ready(self):
        from prachum.audit.kinds import register_kinds
        from prachum.checkin.selectors import checked_in_now
        from prachum.registration import selectors as registration_selectors

        register_kinds(AUDIT_KINDS)
        # The organizer's list of registrations (below checkin) shows who is checked in.
        registration_selectors.register_checked_in(checked_in_now)

        from prachum.checkin import personal_data
        from prachum.registration.personal_data import register_personal_data

        # A person's export (registration, below) lists their check-ins.
        register_personal_data(personal_data.PART)
