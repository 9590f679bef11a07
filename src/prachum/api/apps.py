from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "api.token_created": _("API token made"),
    "api.token_revoked": _("API token revoked"),
}


class ApiConfig(AppConfig):
    name = "prachum.api"
    label = "api"
    verbose_name = _("API")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)

        from prachum.jobs import engine

        from .idempotency import expire_keys

        engine.register_periodic("api-idempotency-keys", expire_keys)
