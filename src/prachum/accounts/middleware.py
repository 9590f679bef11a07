"""Two rules every logged-in request passes, in one place rather than in each organizer view.

SessionLimitsMiddleware: a session ends after settings.PRACHUM_SESSION_IDLE_SECONDS without a request,
and settings.SESSION_COOKIE_AGE after its login whatever happens (Django's own expiry moves forward each
time the session is saved, so it alone is no absolute limit). The person then sees the login page, in their
language, with a line that says why.

TwoFactorMiddleware: after the password, nothing but the login steps (the accounts pages, the passkey
ceremony, the language switch) until the second factor is given — or, for an account that must have one
and has none, until it is set up. It needs django_otp's OTPMiddleware before it.
"""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from prachum.accounts.two_factor import pending_step

LOGGED_IN_AT = "prachum_logged_in_at"
LAST_SEEN_AT = "prachum_last_seen_at"
# The last request's time is written at most this often: each write is a session save.
LAST_SEEN_RESOLUTION = 60
# An account that needs no second step (it has no device and no role that asks for one) is asked again
# after this long, not at each request: a role given meanwhile takes effect within it.
NO_STEP_SEEN_AT = "prachum_no_second_step_at"
NO_STEP_RECHECK_SECONDS = 60


def note_login(sender, request, user, **kwargs):
    """Connected to user_logged_in (AccountsConfig.ready): the session's clocks start, and whether a second
    step is due is known from the start."""
    now = int(time.time())
    request.session[LOGGED_IN_AT] = now
    request.session[LAST_SEEN_AT] = now
    if pending_step(user) is None:
        request.session[NO_STEP_SEEN_AT] = now


class SessionLimitsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            last_seen = session.get(LAST_SEEN_AT, now)
            logged_in = session.get(LOGGED_IN_AT, now)
            if now - last_seen > settings.PRACHUM_SESSION_IDLE_SECONDS or now - logged_in > settings.SESSION_COOKIE_AGE:
                logout(request)
                # The message outlives the flushed session in the messages cookie (FallbackStorage).
                messages.info(request, _("You were logged out because the session was not used for a while or "
                                         "had lasted long. Please log in again."), extra_tags="session-ended")
                return redirect_to_login(request.get_full_path())
            if LOGGED_IN_AT not in session:
                session[LOGGED_IN_AT] = now
            if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_RESOLUTION:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


# The login steps an account between its password and its second factor may use.
OPEN_NAMESPACES = {"accounts", "otp_webauthn"}
OPEN_URL_NAMES = {"switch_language"}


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and (set(match.namespaces) & OPEN_NAMESPACES or match.url_name in OPEN_URL_NAMES):
            return None
        now = int(time.time())
        if now - request.session.get(NO_STEP_SEEN_AT, 0) < NO_STEP_RECHECK_SECONDS:
            return None
        step = pending_step(user)
        if step is None:
            request.session[NO_STEP_SEEN_AT] = now
            return None
        target = reverse("accounts:second_step" if step == "verify" else "accounts:two_factor")
        return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
