from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "api.token_created": _("API token made"),
    "api.token_revoked": _("API token revoked"),
    "api.webhook_created": _("Webhook added"),
    "api.webhook_enabled": _("Webhook enabled"),
    "api.webhook_disabled": _("Webhook disabled"),
    "api.webhook_deleted": _("Webhook deleted"),
    "api.webhook_resent": _("Webhook delivery sent again"),
}


class ApiConfig(AppConfig):
    name = "prachum.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)

        from prachum.api import webhooks

        webhooks.register()  # the receiver of domain events, and the "webhooks" queue of the engine

        from prachum.jobs import engine

        from .idempotency import expire_keys

        engine.register_periodic("api-idempotency-keys", expire_keys)
