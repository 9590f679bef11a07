from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "message.resent": _("Email sent again from the outbox"),
}


def _oldest_waiting_seconds() -> float:
    from django.utils import timezone

    from prachum.notify.selectors import outbox_backlog

    _count, oldest = outbox_backlog()
    return max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0


class NotifyConfig(AppConfig):
    name = "prachum.notify"
    verbose_name = _("Messages")

    def ready(self):
        from prachum.audit.kinds import register_kinds
        from prachum.core import outbox
        from prachum.notify import emails, selectors, services
        from prachum.notify.models import MessageStatus

        register_kinds(AUDIT_KINDS, status=MessageStatus)
        # Apps below notify write their emails through prachum.core.outbox (they may not import notify).
        outbox.register_writer(services.queue_message)
        outbox.register_renderer(emails.render_registration_email)
        outbox.register_reader(selectors.messages_of)
        services.register()  # the outbox is one of the background engine's queues

        from prachum.core.metrics import register_gauge

        register_gauge("prachum_outbox_waiting_messages", "Emails still to be sent (retries included).",
                       lambda: selectors.outbox_backlog()[0])
        register_gauge("prachum_outbox_oldest_waiting_seconds",
                       "Age of the oldest email still to be sent; 0 when none waits.", _oldest_waiting_seconds)

        from prachum.notify import personal_data
        from prachum.registration.personal_data import register_personal_data

        # A person's export and erasure (registration, below) take in the emails sent to them.
        register_personal_data(personal_data.PART)
