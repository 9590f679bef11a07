"""Reads of the outbox for its pages."""

from datetime import datetime

from django.conf import settings
from django.db.models import Count, Min

from prachum.notify.models import Message, MessageStatus

# What one page of the outbox lists.
OUTBOX_FIELDS = ("id", "kind", "to_email", "language", "subject", "status", "attempts", "last_error",
                 "created_at", "sent_at", "meeting_id", "registration_id")


def outbox_messages(*, meeting=None, status: str = "", kind: str = "", search: str = ""):
    """A meeting's messages, newest first, or, with no meeting, the account messages that belong to no
    meeting; narrowed to a status, a kind and a part of the recipient's address where given."""
    messages = Message.objects.filter(meeting=meeting)  # meeting=None: IS NULL
    if status:
        messages = messages.filter(status=status)
    if kind:
        messages = messages.filter(kind=kind)
    if search:
        messages = messages.filter(to_email__icontains=search)
    return messages.only(*OUTBOX_FIELDS).order_by("-created_at", "-pk")


def kinds_in(*, meeting=None) -> list[str]:
    """The kinds of message written so far for the meeting (or to accounts), for the filter."""
    return list(Message.objects.filter(meeting=meeting).order_by("kind").values_list("kind", flat=True).distinct())


def messages_of(registration, *, kind: str = "", since=None) -> list[Message]:
    """The registration's messages, oldest first (the organizer's page of the registration lists them);
    only those of `kind`, and written at or after `since`, where given (core.outbox.messages_of)."""
    messages = Message.objects.filter(registration=registration)
    if kind:
        messages = messages.filter(kind=kind)
    if since is not None:
        messages = messages.filter(created_at__gte=since)
    return list(messages.order_by("created_at", "pk"))


def outbox_backlog() -> tuple[int, datetime | None]:
    """The messages still to be sent (retries and those being sent included; held ones too once a mail server
    is configured, as delivery then takes them): how many, and when the oldest was written (core/metrics.py)."""
    statuses = [MessageStatus.QUEUED, MessageStatus.SENDING, MessageStatus.FAILED]
    if settings.PRACHUM_EMAIL_ENABLED:
        statuses.append(MessageStatus.HELD)
    row = Message.objects.filter(status__in=statuses).aggregate(count=Count("pk"), oldest=Min("created_at"))
    return row["count"], row["oldest"]
