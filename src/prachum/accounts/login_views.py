"""The login steps: password, second factor (app code, passkey or recovery code), setting a second factor
up, and a forgotten password. The rule that sends a logged-in person here is accounts.middleware."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential
from django_ratelimit.core import is_ratelimited

from . import services, two_factor
from .forms import AppCodeForm, SecondFactorForm

RECOVERY_CODES_SESSION_KEY = "prachum_new_recovery_codes"


def _next(request) -> str:
    """The page to go on to: a `next` on this site, else the organizer's start page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"

    def get_success_url(self):
        step = two_factor.pending_step(self.request.user)
        target = super().get_success_url()
        if step == "verify":
            return _with_next("accounts:second_step", target)
        if step == "enrol":
            return _with_next("accounts:two_factor", target)
        return target


def _verified(request) -> None:
    """A new session key once the second factor is given: a key seen before it is worth nothing after."""
    request.session.cycle_key()


@login_required
def second_step(request):
    user = request.user
    next_url = _next(request)
    if user.is_verified():
        return redirect(next_url)
    if not two_factor.has_second_factor(user):
        return redirect(_with_next("accounts:two_factor", next_url))
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify_code(user=user, code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            form.add_error("code", exc.message)
        else:
            otp_login(request, device)
            _verified(request)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(request, ngettext(
                    "You used a recovery code. %(count)s recovery code is left: make new ones in your account's "
                    "security page.",
                    "You used a recovery code. %(count)s recovery codes are left: make new ones in your account's "
                    "security page.", left) % {"count": left})
            return redirect(next_url)
    return render(request, "accounts/second_step.html", {
        "form": form, "next": next_url,
        "has_app": TOTPDevice.objects.devices_for_user(user, confirmed=True).exists(),
        "has_passkey": WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists(),
    })


def _must_verify_first(request):
    """Someone who gave only the password of an account that has a second factor may not add another."""
    user = request.user
    if not user.is_verified() and two_factor.has_second_factor(user):
        return redirect(_with_next("accounts:second_step", request.get_full_path()))
    return None


@login_required
def security(request):
    """The account's security page: its second factors, and where to set one up."""
    if (refusal := _must_verify_first(request)) is not None:
        return refusal
    user = request.user
    return render(request, "accounts/security.html", {
        "next": _next(request),
        "must": two_factor.must_use_two_factor(user),
        "apps": TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk"),
        "passkeys": WebAuthnCredential.objects.devices_for_user(user, confirmed=True).order_by("pk"),
        "recovery_left": two_factor.recovery_codes_left(user),
        "has_device": two_factor.has_second_factor(user),
    })


def _secret_groups(device) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@login_required
def app_enrolment(request):
    """Set up an authenticator app: scan the QR code or type the secret, then confirm with a code."""
    if (refusal := _must_verify_first(request)) is not None:
        return refusal
    user = request.user
    next_url = _next(request)
    device = two_factor.pending_app_device(user)
    if device is None:
        device = two_factor.start_app_enrolment(user=user)
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.confirm_app_enrolment(user=user, device_id=device.pk,
                                                              code=form.cleaned_data["code"])
        except two_factor.TwoFactorError as exc:
            form.add_error("code", exc.message)
        else:
            if not user.is_verified():
                otp_login(request, device)
                _verified(request)
            messages.success(request, _("Your authenticator app is set up. From now on, log in with your password "
                                        "and a code from the app."))
            return _show_codes_or_go_on(request, codes, next_url)
    qr = segno.make_qr(device.config_url, error="m")
    return render(request, "accounts/app_enrolment.html", {
        "form": form, "next": next_url, "secret": _secret_groups(device),
        "qr_svg": qr.svg_inline(scale=5, border=4, dark="#000000", light="#ffffff"),
    })


def _show_codes_or_go_on(request, codes, next_url):
    if codes:
        request.session[RECOVERY_CODES_SESSION_KEY] = codes
        return redirect(_with_next("accounts:recovery_codes", next_url))
    return redirect(next_url)


@login_required
def recovery_codes(request):
    """New recovery codes, shown once: the session holds them until this page is shown."""
    if (refusal := _must_verify_first(request)) is not None:
        return refusal
    codes = request.session.pop(RECOVERY_CODES_SESSION_KEY, None)
    if not codes:
        return redirect(_with_next("accounts:two_factor", _next(request)))
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": _next(request)})


@require_POST
@login_required
def renew_recovery_codes(request):
    if not request.user.is_verified():
        return redirect(_with_next("accounts:second_step", reverse("accounts:two_factor")))
    codes = two_factor.renew_recovery_codes(user=request.user)
    return _show_codes_or_go_on(request, codes, _next(request))


@require_POST
@login_required
def passkey_added(request):
    """Where the page goes once the browser has registered a passkey (accounts/two_factor.js)."""
    user = request.user
    if not user.is_verified() or not WebAuthnCredential.objects.devices_for_user(user, confirmed=True).exists():
        return redirect(_with_next("accounts:two_factor", _next(request)))
    codes = two_factor.give_recovery_codes_after_passkey(user=user)
    messages.success(request, _("Your passkey is saved. From now on, log in with your password and the passkey."))
    return _show_codes_or_go_on(request, codes, _next(request))


# -- a forgotten password ------------------------------------------------------------------------------

class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email and says the same thing whether an account has it or not; the link goes out
    through the outbox (services.send_password_reset). Requests beyond a few a minute from one address are
    answered alike and send nothing, so the page cannot be used to flood someone's mailbox."""

    template_name = "accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        limited = is_ratelimited(self.request, group="accounts.password_reset", key="ip",
                                 rate=settings.PRACHUM_RATELIMIT_PASSWORD_RESET, method="POST", increment=True)
        if not limited:
            services.send_password_reset(email=form.cleaned_data["email"], language=get_language() or "lo")
        return redirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_set")
