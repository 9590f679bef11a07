from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "checkin.device_created": _("Check-in device added"),
    "checkin.device_revoked": _("Check-in device revoked"),
    "checkin.undone": _("Check-in undone"),
}


def _checkins_last_minute() -> int:
    from datetime import timedelta

    from django.utils import timezone

    from prachum.checkin.selectors import checkins_received_since

    return checkins_received_since(timezone.now() - timedelta(seconds=60))


class CheckinConfig(AppConfig):
    name = "prachum.checkin"
    verbose_name = _("Check-in")

    def ready(self):
        from prachum.audit.kinds import register_kinds
        from prachum.checkin.selectors import checked_in_now
        from prachum.registration import selectors as registration_selectors

        register_kinds(AUDIT_KINDS)

        from prachum.core.metrics import register_gauge

        register_gauge("prachum_checkins_last_minute", "Check-ins the server received in the last 60 seconds.",
                       _checkins_last_minute)
        # The organizer's list of registrations (below checkin) shows who is checked in.
        registration_selectors.register_checked_in(checked_in_now)

        from prachum.checkin import personal_data
        from prachum.registration.personal_data import register_personal_data

        # A person's export (registration, below) lists their check-ins.
        register_personal_data(personal_data.PART)
