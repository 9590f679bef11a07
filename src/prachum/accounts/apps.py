from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "account.invited": _("Organizer account invited"),
    "account.invitation_resent": _("Link to choose a password sent again"),
    "account.deactivated": _("Account deactivated"),
    "account.reactivated": _("Account reactivated"),
    "account.right_granted": _("Right granted"),
    "account.right_revoked": _("Right taken away"),
}


class AccountsConfig(AppConfig):
    name = "prachum.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)
