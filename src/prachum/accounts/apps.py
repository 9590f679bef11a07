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
    "account.two_factor_added": _("Second login step set up"),
    "account.recovery_codes_renewed": _("New recovery codes made"),
    "account.recovery_code_used": _("Recovery code used to log in"),
    "account.password_reset_requested": _("Link to choose a new password sent"),
}


class AccountsConfig(AppConfig):
    name = "prachum.accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from prachum.accounts.middleware import note_login
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)
        user_logged_in.connect(note_login, dispatch_uid="prachum.accounts.note_login")

