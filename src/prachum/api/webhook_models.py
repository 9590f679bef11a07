"""Webhooks: URLs an organizer registers per meeting and event kind, and each delivery to them.

The models are here and imported by api/models.py; the use cases are in api/webhooks.py."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from prachum.core.crypto import EncryptedJSONField

EVENT_KINDS = (
    ("registration.created", _("Registration created")),
    ("registration.status_changed", _("Registration status changed")),
    ("registration.cancelled", _("Registration cancelled")),
    ("checkin.created", _("Check-in")),
    ("delegation.submitted", _("Delegation submitted")),
)


class Webhook(models.Model):
    """A URL that receives the meeting's events of the chosen kinds, signed with the hook's secret."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    event_kinds = models.JSONField(_("events"), default=list)
    # The secret signs each delivery (HMAC-SHA256); encrypted at rest, shown to the organizer once.
    secret = EncryptedJSONField(editable=False)
    # Sensitive answers are never sent, granted or not (see api/webhooks.py); kept for a later grant.
    include_sensitive = models.BooleanField(default=False, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webhooks")
    is_active = models.BooleanField(_("active"), default=True)
    failure_count = models.PositiveIntegerField(default=0)  # deliveries given up on in a row
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(_("disabled"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    form_key = models.CharField(max_length=64, blank=True, default="", editable=False)  # as ApiToken's

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        indexes = [models.Index(fields=["meeting", "is_active"], name="webhook_meeting_active")]
        constraints = [models.UniqueConstraint(fields=["meeting", "form_key"], condition=~models.Q(form_key=""),
                                               name="webhook_form_sent_once")]

    def __str__(self):
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to be sent) to one hook. Claimed by a worker with a lease (`next_attempt_at`
    while `leased`), retried with backoff, delivered once answered 2xx."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_kind = models.CharField(max_length=40)
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    subject_id = models.CharField(max_length=40)  # a registration's id, or "delegation-<id>": delivered in order
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)  # None: delivered or given up
    leased = models.BooleanField(default=False)  # a worker is sending it until next_attempt_at
    delivered_at = models.DateTimeField(null=True, blank=True)
    gave_up_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    response_ms = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["next_attempt_at"], name="webhookdelivery_due"),
            models.Index(fields=["webhook", "subject_id", "id"], name="webhookdelivery_subject"),
        ]

    @property
    def state(self) -> str:
        if self.delivered_at:
            return "delivered"
        if self.gave_up_at:
            return "failed"
        return "waiting"
