"""Webhooks: the only code that changes Webhook and WebhookDelivery rows.

1. `receive(kind, …)` is a receiver of prachum.core.events (registered in ApiConfig.ready): inside the
   transaction of the change, it writes one WebhookDelivery per active hook of the meeting that wants the
   kind, and hands each to the background engine (queue "webhooks") after the commit. A rolled-back change
   sends nothing.
2. `deliver(delivery_id)` claims the row (a short transaction: FOR UPDATE SKIP LOCKED on PostgreSQL; `leased`
   with `next_attempt_at` = now + the engine's lease, so a worker that died leaves a claim that runs out), then
   POSTs the payload without holding any lock: JSON, 10 s timeout, no redirects, no proxy. A 2xx answer
   delivers it; anything else is retried after 1, 2, 4 … minutes (at most an hour), 10 attempts in all.
   Deliveries about one subject (a registration, a delegation) go in order: one waits while an earlier one
   to the same hook is neither delivered nor given up.
3. A hook whose deliveries were given up on 10 times in a row, or that has failed for 24 hours, is disabled
   and its owner told by email (notify's outbox, kind "webhook.disabled"). Enabling it again sends what waited.

Signing: each request carries `Prachum-Event` (the kind), `Prachum-Delivery` (the delivery's uuid, the same on
every retry: a receiver ignores one it has seen), `Prachum-Timestamp` (unix seconds) and
`Prachum-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the hook's secret>`. A receiver
computes the HMAC over the raw body it received, compares it in constant time, and refuses a timestamp more
than 5 minutes from its clock (a replayed request). See docs/webhooks.md.

What a payload holds (registration/services/events.py, checkin/events.py): ids, the meeting's slug, codes,
names, the email address, statuses before and after. Never the private manage link or its token, and no
answers to questions at all — sensitive or not; `Webhook.include_sensitive` exists for a later grant and
changes nothing today.

Targets: https to any public address; http (or https) only to localhost, 127.0.0.1 or ::1, for a receiver
on the same machine. Private, link-local and reserved addresses are refused, both as written in the URL and
as the host name resolves when a delivery is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.core import events
from prachum.jobs import engine
from prachum.notify.emails import RenderedEmail
from prachum.notify.services import queue_message

from .services import make_once
from .webhook_models import EVENT_KINDS, Webhook, WebhookDelivery

logger = logging.getLogger(__name__)

QUEUE = "webhooks"
MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
DISABLE_AFTER_FAILED_DELIVERIES = 10
DISABLE_AFTER_FAILING_FOR = timedelta(hours=24)
TIMEOUT_SECONDS = 10
SECRET_PREFIX = "whsec_"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}
KIND_CODES = {code for code, _label in EVENT_KINDS}
DISABLED_MESSAGE = "webhook.disabled"


# --- URLs -----------------------------------------------------------------------------------------


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def validate_url(url: str) -> str:
    """The URL as it will be used, or ValidationError: https to a public host, or http(s) to this machine."""
    url = (url or "").strip()
    if not url or len(url) > 500 or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValidationError(_("Enter a web address of at most 500 characters."), code="invalid")
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        raise ValidationError(_("Enter a valid web address."), code="invalid") from None
    if parts.scheme not in ("http", "https") or not host:
        raise ValidationError(_("The address must start with https://."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("The address must not contain a user name or password."), code="credentials")
    if host in LOCAL_HOSTS:
        return url
    if parts.scheme != "https":
        raise ValidationError(_("The address must start with https:// (http:// only for localhost)."), code="scheme")
    try:
        public = _is_public(host)
    except ValueError:  # a name, not an address: checked again when it is resolved, at each delivery
        if "." not in host or host.endswith((".local", ".internal", ".localhost", ".lan", ".home.arpa")):
            raise ValidationError(_("The address must be reachable on the internet."), code="private") from None
        return url
    if not public:
        raise ValidationError(_("Private and local network addresses are not allowed."), code="private")
    return url


def _check_target(url: str) -> None:
    """At delivery: a host name that resolves to a private address is refused (OSError)."""
    host = (urlsplit(url).hostname or "").lower()
    if host in LOCAL_HOSTS:
        return
    port = urlsplit(url).port or 443
    for *_rest, sockaddr in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP):
        if not _is_public(sockaddr[0].split("%")[0]):
            raise OSError(f"{host} resolves to a private address")


# --- Managing hooks -----------------------------------------------------------------------------------


def _clean_kinds(kinds) -> list[str]:
    chosen = [kind for kind in dict.fromkeys(kinds or []) if kind in KIND_CODES]
    if not chosen:
        raise ValidationError(_("Choose at least one event."), code="no_events")
    return chosen


def create_webhook(*, meeting, owner, url: str, event_kinds, form_key: str = "") -> tuple[Webhook, str]:
    """Register a hook; returns it and its secret (shown to the organizer once, kept encrypted). MadeAlready
    when the form with `form_key` made one already."""
    url, kinds = validate_url(url), _clean_kinds(event_kinds)
    secret = SECRET_PREFIX + secrets.token_hex(24)

    def create():
        hook = Webhook.objects.create(meeting=meeting, owner=owner, url=url, event_kinds=kinds, secret=secret,
                                      form_key=form_key)
        record_audit(kind="api.webhook_created", actor=owner, meeting=meeting, obj=hook,
                     after={"url": url, "events": kinds})
        return hook

    return make_once(Webhook, form_key=form_key, same={"meeting": meeting}, create=create), secret


def _locked_hook(webhook_id: int, meeting) -> Webhook:
    return Webhook.objects.select_for_update().get(pk=webhook_id, meeting=meeting)


def set_webhook_active(*, webhook_id: int, meeting, active: bool, actor) -> Webhook:
    with transaction.atomic():
        hook = _locked_hook(webhook_id, meeting)
        if hook.is_active != active:
            hook.is_active = active
            hook.disabled_at = None if active else timezone.now()
            hook.failure_count, hook.failing_since = 0, None
            hook.save(update_fields=["is_active", "disabled_at", "failure_count", "failing_since"])
            record_audit(kind="api.webhook_enabled" if active else "api.webhook_disabled", actor=actor,
                         meeting=meeting, obj=hook, after={"url": hook.url})
            if active:  # what waited goes out now, in order
                transaction.on_commit(lambda: _hand_off_waiting(hook.pk), robust=True)
    return hook


def delete_webhook(*, webhook_id: int, meeting, actor) -> None:
    with transaction.atomic():
        hook = _locked_hook(webhook_id, meeting)
        record_audit(kind="api.webhook_deleted", actor=actor, meeting=meeting, obj=hook, after={"url": hook.url})
        hook.delete()


def resend_delivery(*, delivery_id: int, meeting, actor) -> WebhookDelivery:
    """"Send again": a new delivery of the same event (same payload, a new delivery id), sent now."""
    with transaction.atomic():
        old = WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id, webhook__meeting=meeting)
        new = WebhookDelivery.objects.create(
            webhook=old.webhook, event_kind=old.event_kind, subject_id=old.subject_id, payload=old.payload,
            next_attempt_at=timezone.now(),
        )
        record_audit(kind="api.webhook_resent", actor=actor, meeting=meeting, obj=old.webhook,
                     after={"url": old.webhook.url, "delivery": str(old.event_id)})
        transaction.on_commit(lambda: engine.hand_off(QUEUE, new.pk), robust=True)
    return new


# --- 1. Events in, deliveries out ------------------------------------------------------------------------


def receive(kind: str, *, meeting_id: int, subject_id, data) -> list[WebhookDelivery]:
    """prachum.core.events receiver: one delivery per active hook of the meeting that wants `kind`."""
    cache = events.batch_cache()
    key = ("api.webhooks", meeting_id)
    active = cache.get(key) if cache is not None else None
    if active is None:
        active = list(Webhook.objects.filter(meeting_id=meeting_id, is_active=True).only("pk", "event_kinds"))
        if cache is not None:
            cache[key] = active
    hooks = [hook for hook in active if kind in hook.event_kinds]
    if not hooks:
        return []
    now = timezone.now()
    body = events.resolve(data)
    deliveries = []
    for hook in hooks:
        delivery = WebhookDelivery(webhook_id=hook.pk, event_kind=kind, subject_id=str(subject_id)[:40],
                                   next_attempt_at=now, payload={})
        delivery.payload = {"id": str(delivery.event_id), "kind": kind, "created_at": now.isoformat(), "data": body}
        deliveries.append(delivery)
    WebhookDelivery.objects.bulk_create(deliveries)
    ids = [delivery.pk for delivery in deliveries]
    transaction.on_commit(lambda: [engine.hand_off(QUEUE, pk) for pk in ids], robust=True)
    return deliveries


def _earlier_waiting():
    """An earlier delivery of the same subject to the same hook, neither delivered nor given up."""
    return WebhookDelivery.objects.filter(
        webhook_id=OuterRef("webhook_id"), subject_id=OuterRef("subject_id"), pk__lt=OuterRef("pk"),
        delivered_at__isnull=True, gave_up_at__isnull=True,
    )


def due_deliveries(*, now: datetime | None = None):
    """Deliveries to send now: waiting ones whose attempt has come and claims that lapsed (by the clock), of
    active hooks, each with no earlier one of its subject still waiting; oldest first."""
    now = now or timezone.now()
    return (
        WebhookDelivery.objects.filter(
            Q(leased=False, next_attempt_at__lte=now) | Q(leased=True, next_attempt_at__lte=timezone.now()),
            delivered_at__isnull=True, gave_up_at__isnull=True, webhook__is_active=True,
        )
        .exclude(Exists(_earlier_waiting()))
        .order_by("pk")
    )


def register() -> None:
    """ApiConfig.ready: the receiver of domain events, and the deliveries as one of the engine's queues."""
    events.register_receiver(receive)
    engine.register_queue(QUEUE, due=lambda now: list(due_deliveries(now=now).values_list("pk", flat=True)[:500]),
                          run=lambda delivery_id: deliver(int(delivery_id)) and None)


def _hand_off_waiting(webhook_id: int) -> None:
    for pk in due_deliveries().filter(webhook_id=webhook_id).values_list("pk", flat=True)[:500]:
        engine.hand_off(QUEUE, pk)


# --- 2. Deliver ---------------------------------------------------------------------------------------


def retry_delay(attempts: int) -> timedelta:
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def encode(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises HTTPError with the 3xx: a redirect is not a delivery


_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


def _post(url: str, body: bytes, headers: dict) -> int:
    """POST; the status code of the answer. OSError when there was no answer."""
    _check_target(url)
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            response.read(65536)
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def deliver(delivery_id: int) -> WebhookDelivery | None:
    """Send one delivery unless it is delivered, given up, waiting for an earlier one or claimed by another
    worker. Returns it as it is afterwards, or None."""
    delivery, claimed = _claim(delivery_id)
    if not claimed:
        return delivery
    hook = delivery.webhook
    body = encode(delivery.payload)
    timestamp = int(time.time())
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "Prachum-Webhooks/1",
        "Prachum-Event": delivery.event_kind,
        "Prachum-Delivery": str(delivery.event_id),
        "Prachum-Timestamp": str(timestamp),
        "Prachum-Signature": sign(hook.secret, timestamp, body),
    }
    started = time.monotonic()
    status, error = None, ""
    try:
        status = _post(hook.url, body, headers)
    except (OSError, ValueError, urllib.error.URLError) as exc:
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    except Exception as exc:  # anything else of the HTTP stack: recorded and retried like the rest
        logger.exception("webhook delivery %s failed", delivery.pk)
        error = f"{type(exc).__name__}: {exc}"
    elapsed = int((time.monotonic() - started) * 1000)
    if status is not None and 200 <= status < 300:
        _record_delivered(delivery, status, elapsed)
    else:
        _record_failure(delivery, status, error or f"HTTP {status}", elapsed)
    return delivery


def _claim(delivery_id: int) -> tuple[WebhookDelivery | None, bool]:
    now = timezone.now()
    with transaction.atomic():
        rows = WebhookDelivery.objects.filter(pk=delivery_id).select_related("webhook")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True, of=("self",))
        delivery = rows.first()
        if delivery is None:
            return None, False
        claimable = (
            delivery.delivered_at is None and delivery.gave_up_at is None and delivery.webhook.is_active
            and (not delivery.leased or (delivery.next_attempt_at is not None and delivery.next_attempt_at <= now))
            and not WebhookDelivery.objects.filter(
                webhook_id=delivery.webhook_id, subject_id=delivery.subject_id, pk__lt=delivery.pk,
                delivered_at__isnull=True, gave_up_at__isnull=True).exists()
        )
        if not claimable:
            return delivery, False
        delivery.leased, delivery.attempts = True, delivery.attempts + 1
        delivery.next_attempt_at = now + engine.lease()
        delivery.save(update_fields=["leased", "attempts", "next_attempt_at"])
        return delivery, True


def _record_delivered(delivery: WebhookDelivery, status: int, elapsed: int) -> None:
    now = timezone.now()
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, leased=True).update(
            leased=False, delivered_at=now, next_attempt_at=None, last_status_code=status, last_error="",
            response_ms=elapsed)
        if delivery.webhook.failure_count or delivery.webhook.failing_since:  # as read when claimed
            Webhook.objects.filter(pk=delivery.webhook_id).update(failure_count=0, failing_since=None)
    delivery.delivered_at, delivery.last_status_code, delivery.leased = now, status, False
    # The next event of the same subject waited for this one.
    following = (due_deliveries().filter(webhook_id=delivery.webhook_id, subject_id=delivery.subject_id)
                 .values_list("pk", flat=True).first())
    if following is not None:
        engine.hand_off(QUEUE, following)


def _record_failure(delivery: WebhookDelivery, status: int | None, error: str, elapsed: int) -> None:
    now = timezone.now()
    gave_up = delivery.attempts >= MAX_ATTEMPTS
    with transaction.atomic():
        WebhookDelivery.objects.filter(pk=delivery.pk, leased=True).update(
            leased=False, last_status_code=status, last_error=error[:300], response_ms=elapsed,
            next_attempt_at=None if gave_up else now + retry_delay(delivery.attempts),
            gave_up_at=now if gave_up else None,
        )
        hook = Webhook.objects.select_for_update().select_related("owner", "meeting").filter(
            pk=delivery.webhook_id).first()
        if hook is None:  # deleted while this attempt was under way
            return
        fields = []
        if hook.failing_since is None:
            hook.failing_since = now
            fields.append("failing_since")
        if gave_up:
            hook.failure_count += 1
            fields.append("failure_count")
        if hook.is_active and (hook.failure_count >= DISABLE_AFTER_FAILED_DELIVERIES
                               or now - hook.failing_since >= DISABLE_AFTER_FAILING_FOR):
            hook.is_active, hook.disabled_at = False, now
            fields += ["is_active", "disabled_at"]
            record_audit(kind="api.webhook_disabled", actor=None, actor_label="Prachum", meeting=hook.meeting,
                         obj=hook, after={"url": hook.url, "reason": "failures"})
            _tell_owner(hook)
        if fields:
            hook.save(update_fields=fields)
    delivery.last_status_code, delivery.last_error, delivery.leased = status, error[:300], False
    if gave_up:
        delivery.gave_up_at = now


def _tell_owner(hook: Webhook) -> None:
    owner, meeting = hook.owner, hook.meeting
    if not owner.email:
        return
    language = getattr(owner, "language", "") or meeting.default_language or "lo"
    language = language if language in ("lo", "en") else "lo"
    with translation.override(language):
        context = {
            "url": hook.url, "title": meeting.title, "failures": hook.failure_count,
            "page_url": settings.PRACHUM_BASE_URL + reverse("webhooks:list", args=[meeting.slug]),
        }
        rendered = RenderedEmail(
            subject=" ".join(render_to_string("api/emails/webhook_disabled.subject.txt", context).split()),
            text=render_to_string("api/emails/webhook_disabled.txt", context).strip() + "\n",
        )
    queue_message(kind=DISABLED_MESSAGE, rendered=rendered, to_email=owner.email, language=language, meeting=meeting)
