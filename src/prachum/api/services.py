"""API tokens: made, revoked, and recognised on a request. The only code that changes ApiToken rows."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from prachum.audit.services import record_audit

from .models import ApiToken

TOKEN_PREFIX = "prachum_"
# Writing last_used_at on every request would make every read a write: once a minute is enough to see use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class MadeAlready(Exception):
    """The form that makes a token or a webhook was sent again (a reload, a double click): `made` is what the
    first sending made; its secret was shown then and is not shown again."""

    def __init__(self, made):
        super().__init__(str(made))
        self.made = made


def make_once(model, *, form_key: str, same: dict, create):
    """`create()` in a transaction, unless a `model` row with `same` and `form_key` exists (then MadeAlready).
    The unique constraint on (…, form_key) decides a race between two sendings."""
    if form_key and (earlier := model.objects.filter(form_key=form_key, **same).first()) is not None:
        raise MadeAlready(earlier)
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        if form_key and (earlier := model.objects.filter(form_key=form_key, **same).first()) is not None:
            raise MadeAlready(earlier) from None
        raise


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(*, owner, name: str, scope: str, meeting=None, form_key: str = "") -> tuple[ApiToken, str]:
    """Make a token; returns it and its secret, which is never stored or shown again. MadeAlready when the
    form with `form_key` made one already."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)

    def create():
        token = ApiToken.objects.create(
            owner=owner, name=name.strip()[:100] or "API", scope=scope, meeting=meeting,
            token_hash=hash_token(secret), prefix=secret[: len(TOKEN_PREFIX) + 4], form_key=form_key,
        )
        record_audit(kind="api.token_created", actor=owner, meeting=meeting, obj=token,
                     after={"name": token.name, "scope": scope})
        return token

    return make_once(ApiToken, form_key=form_key, same={"owner": owner}, create=create), secret


def revoke_token(*, token_id: int, actor) -> ApiToken:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_audit(kind="api.token_revoked", actor=actor, meeting=token.meeting, obj=token,
                         after={"name": token.name})
    return token


def token_for(secret: str) -> ApiToken | None:
    """The live token `secret` names (owner loaded), or None. Notes its use at most once a minute."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (ApiToken.objects.select_related("owner", "meeting")
             .filter(token_hash=hash_token(secret), revoked_at__isnull=True, owner__is_active=True).first())
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
