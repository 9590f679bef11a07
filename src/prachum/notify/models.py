from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MessageStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message status", "Queued")
    # Claimed by one worker, which is talking to the mail server; next_attempt_at is when the claim
    # lapses (a worker that died mid-send), after which the sweep may try again.
    SENDING = "sending", pgettext_lazy("message status", "Being sent")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    FAILED = "failed", pgettext_lazy("message status", "Failed, will retry")
    GAVE_UP = "gave_up", pgettext_lazy("message status", "Failed, gave up")
    HELD = "held", pgettext_lazy("message status", "Kept in the outbox (no mail server)")


def initial_status() -> str:
    """A new message waits for sending, or, without a mail server, is kept in the outbox for organizers to
    read: the default of every Message, so that no place that writes one can leave it "queued" forever."""
    return MessageStatus.QUEUED if settings.PRACHUM_EMAIL_ENABLED else MessageStatus.HELD


class Message(models.Model):
    """One email in the outbox. Written in the same transaction as the change it tells of;
    sent after commit. Without an SMTP server it stays here for organizers to read."""

    Status = MessageStatus

    meeting = models.ForeignKey("meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="messages")
    registration = models.ForeignKey(
        "registration.Registration", null=True, blank=True, on_delete=models.CASCADE, related_name="messages"
    )
    kind = models.CharField(_("kind"), max_length=60, help_text="Dotted, e.g. registration.approved")
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, default="lo")
    subject = models.CharField(_("subject"), max_length=300)
    body_text = models.TextField(_("text"))
    body_html = models.TextField(_("HTML"), blank=True)
    attachments = models.JSONField(default=list, blank=True, help_text="Descriptions of attachments to build when sending.")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=initial_status)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in MessageStatus]), name="message_status_valid"),
            models.CheckConstraint(condition=~Q(status="sent") | Q(sent_at__isnull=False), name="message_sent_has_time"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="message_queue_idx")]

    def __str__(self):
        return f"{self.kind} → {self.to_email}"
