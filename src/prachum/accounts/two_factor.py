"""Two-factor login: who must use a second factor, and the use cases of enrolling and proving one.

The second factor is one of the account's django-otp devices: an authenticator app (TOTP), a passkey or
security key (django-otp-webauthn), or one of ten recovery codes (a static device whose codes are spent as
they are used). Who must have one is the site's choice, settings.PRACHUM_REQUIRE_2FA:
"organizers" (the default) — site administrators, accounts that may create meetings, and every owner,
manager or reviewer of a meeting, because these see and change every registration; "administrators" — site
administrators only; "off" — nobody. An account that has a device is asked for it at every login, whatever
the setting. Focal points and check-in staff may enrol but are not made to: they see a delegation or the
door list, and many of them are guests of the ministry for one meeting.

accounts sits below meetings, so meetings tells this module at start-up who holds an organizer role
(`register_organizer_roles`).
"""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from prachum.accounts.roles import is_site_administrator, may_create_meetings
from prachum.audit.services import record_audit

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"

_holds_organizer_role = None


def register_organizer_roles(function) -> None:
    """meetings.apps.MeetingsConfig.ready() hands in `function(user) -> bool`: holds an organizer role."""
    global _holds_organizer_role
    _holds_organizer_role = function


def must_use_two_factor(user) -> bool:
    """Whether `user` may not use the site's organizer pages without a second factor."""
    policy = settings.PRACHUM_REQUIRE_2FA
    if policy == "off" or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or is_site_administrator(user):
        return True
    if policy == "administrators":
        return False
    return may_create_meetings(user) or bool(_holds_organizer_role and _holds_organizer_role(user))


def has_second_factor(user) -> bool:
    return user_has_device(user, confirmed=True)


def pending_step(user) -> str | None:
    """For a user who gave their password but no second factor in this session: "verify" when they
    have a device, "enrol" when they must get one, None when they may go on."""
    if has_second_factor(user):
        return "verify"
    if must_use_two_factor(user):
        return "enrol"
    return None


ERRORS = {
    "wrong_code": _("This code is not right. Type the six digits your app shows now (check the time on your phone), "
                    "or one of your recovery codes."),
    "throttled": _("Too many wrong codes. Please wait a minute, then try again."),
    "no_enrolment": _("This set-up has expired. Please start again."),
}


class TwoFactorError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return str(ERRORS[self.code])


def _recovery_code() -> str:
    # 10 characters of a 32-letter alphabet without 0/O and 1/I/L: 50 bits, read off paper without doubt.
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


def format_recovery_code(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def normalise_code(code: str) -> str:
    """What a person typed, as stored: spaces, hyphens and case do not matter."""
    return "".join(ch for ch in (code or "").lower() if ch.isalnum())


@transaction.atomic(durable=True)
def start_app_enrolment(*, user) -> TOTPDevice:
    """A new authenticator-app secret for `user`, not usable until confirmed with a code from the app.
    An earlier unconfirmed one is dropped: only the QR code on the screen now counts."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)


def pending_app_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def confirm_app_enrolment(*, user, device_id: int, code: str) -> tuple[TOTPDevice, list[str] | None]:
    """Confirm the app that shows `code`. Returns the device and, when the account had no recovery codes,
    ten new ones (shown once, then only their use is stored)."""
    # The refusal is raised after the commit: a wrong code's count must stay (django-otp's throttling).
    outcome = _confirm_app_enrolment(user=user, device_id=device_id, code=code)
    if isinstance(outcome, str):
        raise TwoFactorError(outcome)
    return outcome


@transaction.atomic(durable=True)
def _confirm_app_enrolment(*, user, device_id, code):
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        return "no_enrolment"
    if not device.verify_is_allowed()[0]:
        return "throttled"
    if not device.verify_token(normalise_code(code)):
        return "wrong_code"
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    record_audit(kind="account.two_factor_added", actor=user, obj=user, after={"type": "app"})
    codes = None if _has_recovery_codes(user) else _replace_recovery_codes(user)
    return device, codes


def _has_recovery_codes(user) -> bool:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()


def _replace_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return [format_recovery_code(code) for code in codes]


@transaction.atomic(durable=True)
def renew_recovery_codes(*, user) -> list[str]:
    """Ten new recovery codes; the earlier ones stop working."""
    codes = _replace_recovery_codes(user)
    record_audit(kind="account.recovery_codes_renewed", actor=user, obj=user)
    return codes


@transaction.atomic(durable=True)
def give_recovery_codes_after_passkey(*, user) -> list[str] | None:
    """After a first passkey: recovery codes, if the account has none, for the day the key is lost."""
    record_audit(kind="account.two_factor_added", actor=user, obj=user, after={"type": "passkey"})
    return None if _has_recovery_codes(user) else _replace_recovery_codes(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def verify_code(*, user, code: str):
    """The device that accepts `code`: an authenticator app's six digits, or a recovery code (which is then
    spent). Each device counts its failures and refuses for a growing time after them (django-otp), so a
    refusal is raised only after the commit that keeps the count."""
    outcome = _verify_code(user=user, code=normalise_code(code))
    if isinstance(outcome, str):
        raise TwoFactorError(outcome)
    return outcome


@transaction.atomic(durable=True)
def _verify_code(*, user, code):
    if not code:
        return "wrong_code"
    model = TOTPDevice if code.isdigit() and len(code) <= 8 else StaticDevice
    throttled = False
    for device in model.objects.devices_for_user(user, confirmed=True).select_for_update():
        if not device.verify_is_allowed()[0]:
            throttled = True
            continue
        if device.verify_token(code):
            if model is StaticDevice:
                record_audit(kind="account.recovery_code_used", actor=user, obj=user,
                             after={"count": recovery_codes_left(user)})
            return device
    return "throttled" if throttled else "wrong_code"
