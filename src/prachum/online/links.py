"""Personal join links: /<lang>/join/<token>/<session>/.

The token is "<registration id>-<MAC>", the MAC derived from the registration's private-link nonce and
the server's key for the purpose "online.join" (registration.models.derive_token). It is not the manage
token: a join link forwarded to a colleague lets them into the video conference, not into the
registration. No personal data is in it, nothing new is stored, and a new manage link (a new nonce)
revokes the join links too.
"""

from __future__ import annotations

import hmac

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from prachum.registration.models import Registration, derive_token
from prachum.core.validators import as_id

PURPOSE = "online.join"


def join_token(registration: Registration) -> str:
    return f"{registration.pk}-{derive_token(PURPOSE, registration.manage_token_nonce)}"


def registration_for_join_token(token: str, *, queryset=None) -> Registration | None:
    pk, _sep, mac = token.partition("-")
    if as_id(pk) is None or not mac:
        return None
    queryset = queryset if queryset is not None else Registration.objects.all()
    registration = queryset.filter(pk=as_id(pk)).first()
    if registration is None or not registration.manage_token_nonce:
        return None
    if not hmac.compare_digest(mac, derive_token(PURPOSE, registration.manage_token_nonce)):
        return None
    return registration


def join_path(registration: Registration, session, language: str) -> str:
    with translation.override(language):
        return reverse("online:join", kwargs={"token": join_token(registration), "session_id": session.pk})


def join_url(registration: Registration, session, language: str) -> str:
    return settings.PRACHUM_BASE_URL + join_path(registration, session, language)
