"""`Idempotency-Key` on a POST: the same token sending the same key and the same request again gets the first
answer again (status and body); the same key with another request gets 409.

The registration services own their (durable) transactions, so the key cannot share the change's
transaction. Instead the key's row is claimed first, in a transaction of its own (a unique key per token:
a racing duplicate, a double click, finds it), the change runs, and the answer is stored on the row. A
duplicate that arrives while the first is still running waits for its answer a few seconds, then gets 409
"idempotency_in_progress" (retry later). Rows older than KEEP are deleted (a periodic, api.apps)."""

import hashlib
import json
import time
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.response import Response

from .models import IdempotencyKey
from .problems import problem

HEADER = "Idempotency-Key"
KEEP = timedelta(hours=24)
MAX_KEY_LENGTH = 255
IN_PROGRESS = 0  # status_code of a row whose request is still running
WAIT_SECONDS = 5.0


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode() + b" " + request.path.encode() + b"\n")
    digest.update(request.body)
    return digest.hexdigest()


def _replay(row: IdempotencyKey) -> Response:
    response = Response(row.body, status=row.status_code, headers={"Idempotent-Replayed": "true"})
    response.content_type = row.content_type or None
    return response


def expire_keys(now=None) -> int:
    """Delete the keys older than KEEP; returns how many."""
    now = now or timezone.now()
    deleted, _by_model = IdempotencyKey.objects.filter(created_at__lt=now - KEEP).delete()
    return deleted


def idempotent(handler):
    """Decorate a view method `post(self, request, ...)`: honour the request's Idempotency-Key, if any."""

    def wrapped(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not key.strip() or len(key) > MAX_KEY_LENGTH or not key.isprintable():
            return problem(400, "idempotency_key_invalid",
                           _("An Idempotency-Key is 1 to 255 printable characters."))
        request_hash = _request_hash(request)
        token = request.auth
        try:
            row = _claim(token=token, key=key, request_hash=request_hash)
        except IntegrityError:
            return _earlier(token, key, request_hash)
        try:
            response = handler(view, request, *args, **kwargs)
        except Exception as error:
            try:
                response = view.handle_exception(error)  # a problem (4xx); a bug raises again
            except Exception:
                IdempotencyKey.objects.filter(pk=row.pk).delete()
                raise
        if response.status_code >= 500:
            IdempotencyKey.objects.filter(pk=row.pk).delete()  # nothing was done: the same key may try again
        else:
            IdempotencyKey.objects.filter(pk=row.pk).update(
                status_code=response.status_code, body=json.loads(json.dumps(response.data, default=str)),
                content_type=response.content_type or "application/json",
            )
        return response

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


def _claim(**values) -> IdempotencyKey:
    """The key's row, inserted and committed at once: in autocommit (a request: the services own their
    transactions) the INSERT alone is its own transaction, one round trip instead of three (BEGIN, INSERT,
    COMMIT); the unique (token, key) still lets one claim win. Inside a transaction (a test's), a savepoint
    keeps that transaction usable after a duplicate's IntegrityError."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            return IdempotencyKey.objects.create(status_code=IN_PROGRESS, content_type="", **values)
    return IdempotencyKey.objects.create(status_code=IN_PROGRESS, content_type="", **values)


def _earlier(token, key: str, request_hash: str) -> Response:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        row = IdempotencyKey.objects.filter(token=token, key=key).first()
        if row is None:  # the first request failed and freed the key: ask the client to send again
            return problem(409, "idempotency_in_progress", _("A request with this Idempotency-Key is being "
                                                            "handled. Please send it again in a moment."),
                           headers={"Retry-After": "1"})
        if row.request_hash != request_hash:
            return problem(409, "idempotency_key_reused",
                           _("This Idempotency-Key was used with another request. Please use a new key."))
        if row.status_code != IN_PROGRESS:
            return _replay(row)
        if time.monotonic() >= deadline:
            return problem(409, "idempotency_in_progress", _("A request with this Idempotency-Key is being "
                                                            "handled. Please send it again in a moment."),
                           headers={"Retry-After": "1"})
        time.sleep(0.05)
