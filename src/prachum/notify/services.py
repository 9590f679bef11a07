"""Messages: the outbox of every email Prachum sends.

1. `queue_message(kind=…, registration=…)` runs inside the transaction of the change it tells of
   (registration/services.py calls it there). It renders the subject, the text and the HTML now, in the
   registration's language, and writes a Message row; nothing leaves the building yet. After the commit
   (transaction.on_commit) `schedule_delivery` hands the message over; a rolled-back change sends nothing.
   It is the one door into the outbox: every other app renders its own email and hands it in here
   (`rendered=RenderedEmail(…)`, `to_email=`, `language=`), so that held/queued and "send after commit"
   are decided in one place (notify/tests/test_one_door.py checks that nobody else writes a Message).
2. `schedule_delivery(message)` hands it to the background engine (jobs/engine.py, queue "outbox"): a
   Celery worker in production, `prachum worker` in embedded mode (never a thread of a web process), at
   once in the committing thread in tests ("inline"). A failed hand-over (a broker that is down) is
   logged; the message stays queued for the engine's sweep.
3. `deliver_message(message_id=…)` claims the row (status "sending"; SELECT … FOR UPDATE SKIP LOCKED on
   PostgreSQL, an IMMEDIATE transaction on SQLite, so two workers never both claim it), builds the
   attachments (QR code, .ics) from their descriptions, sends through Django's mail connection, and
   marks it "sent", or "failed" with the error and the next attempt after 1, 2, 4, … minutes (at most
   an hour); after 10 attempts it gives up. A sent message is never sent again. The database is not
   locked while the mail server talks: the claim is a short transaction, and a claim lapses after
   the engine's lease (settings.PRACHUM_LEASE_SECONDS: a worker that died mid-send) so the sweep can try again.
   Without PRACHUM_EMAIL_ENABLED (no PRACHUM_EMAIL_URL) messages are "held": kept, readable, unsent.
4. `send_queued_messages(now=…)` sends every message that is due: the command
   `prachum send-queued-messages` runs it; the engine's sweep does the same, message by message.
   So when the mail server is down nothing is lost: messages wait as "failed" and go out when it is back.
5. `resend_message(message_id=…, actor=…)`: an organizer's "Resend" on the outbox's page.
"""

import logging
import smtplib
from collections import Counter
from datetime import datetime, timedelta
from email.mime.image import MIMEImage

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.message import SafeMIMEMultipart, SafeMIMEText
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.jobs import engine
from prachum.core.qr import qr_code_png
from prachum.notify.emails import (
    ICS_ATTACHMENT,
    KINDS,
    QR_ATTACHMENT,
    QR_CONTENT_ID,
    RenderedEmail,
    render_registration_email,
)
from prachum.notify.ics import calendar_method, registration_calendar
from prachum.notify.models import Message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
DEFAULT_SMTP_TIMEOUT = 30
OUTBOX = "outbox"

Status = Message.Status


# --- 1. Queue ----------------------------------------------------------------------------------------


def one_line(subject: str) -> str:
    """A subject on one line: a line break in a header is refused by Django (BadHeaderError), and a
    meeting's title may have one."""
    return " ".join(subject.split())


def queue_message(*, kind: str, registration=None, rendered: RenderedEmail | None = None, to_email: str | None = None,
                  language: str | None = None, meeting=None) -> Message:
    """The one door into the outbox: every Message is written here, in the caller's transaction, and
    handed over for sending after the commit. Without a mail server it is written "held" at once.

    `kind`: dotted, e.g. "registration.confirmed". `rendered`: the email as the caller rendered it (a
    RenderedEmail: subject, text, HTML, attachment descriptions); without it, the email of one of
    emails.KINDS is rendered now for `registration`, in its language. The recipient (`to_email`), the
    `language` it is written in and the `meeting` are the registration's unless given; a message about
    no registration (an account, the secretariat) gives them itself."""
    if not connection.in_atomic_block:
        raise RuntimeError("queue_message must run inside the transaction of the change it tells of")
    if registration is not None and kind in KINDS and not registration.manage_token_nonce:
        raise ValueError("the registration has no private link yet: call set_manage_token() before saving it")
    if rendered is None:
        if registration is None:
            raise ValueError(f"queue_message({kind!r}): give the rendered email, or the registration to render it for")
        rendered = render_registration_email(registration=registration, kind=kind)
    if registration is not None:
        to_email = to_email or registration.email
        language = language or registration.language
        meeting = meeting if meeting is not None else registration.meeting
    if not to_email or not language:
        raise ValueError(f"queue_message({kind!r}): whom to, and in which language?")
    held = not settings.PRACHUM_EMAIL_ENABLED
    message = Message.objects.create(
        status=Status.HELD if held else Status.QUEUED,
        meeting=meeting,
        registration=registration,
        kind=kind,
        to_email=to_email,
        language=language,
        subject=one_line(rendered.subject)[:300],
        body_text=rendered.text,
        body_html=rendered.html,
        attachments=list(rendered.attachments),
    )
    if not held:
        transaction.on_commit(lambda: schedule_delivery(message), robust=True)
    return message


def schedule_delivery(message: Message) -> None:
    """Hand a committed message over for sending (see the module's docstring for the three modes)."""
    if message.status == Status.HELD:
        return  # written without a mail server (Message's default): it stays in the outbox
    engine.hand_off(OUTBOX, message.pk)


def register() -> None:
    """The outbox as one of the engine's queues (notify.apps.NotifyConfig.ready)."""
    engine.register_queue(
        OUTBOX,
        due=lambda now: list(due_messages(now=now).values_list("pk", flat=True)),
        # A mail server that cannot be reached ends the round: the rest would wait for the same timeout.
        run=lambda message_id: _is_unreachable(_deliver(message_id)[1]),
    )


# --- 2. Deliver --------------------------------------------------------------------------------------


def deliver_message(*, message_id: int) -> Message | None:
    """Send one message unless it is sent, given up, held or being sent by another worker.

    Returns the message as it is afterwards, or None when it does not exist or another worker
    holds its row at this moment."""
    message, _error = _deliver(message_id)
    return message


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8 … minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


def _deliver(message_id: int) -> tuple[Message | None, Exception | None]:
    message, claimed = _claim(message_id)
    if not claimed:
        return message, None
    try:
        email = build_email(message)
        sent = email.send(fail_silently=False)
        if sent != 1:
            raise smtplib.SMTPException(f"the mail backend sent {sent} emails instead of 1")
    except (smtplib.SMTPException, OSError) as exc:
        # The error's text may name the address: it goes to the outbox (last_error), not to the log.
        logger.warning("message %s: attempt %s failed (%s)", message.pk, message.attempts, type(exc).__name__)
        return _record_failure(message, exc), exc
    except Exception as exc:  # a fault of ours (a template, an attachment): recorded and retried like the rest
        logger.exception("message %s: attempt %s failed while building or sending it", message.pk, message.attempts)
        return _record_failure(message, exc), exc
    return _record_sent(message), None


def _claim(message_id: int) -> tuple[Message | None, bool]:
    """Take the message for this worker: (the message, True) when this worker is now to send it."""
    now = timezone.now()
    with transaction.atomic():
        rows = Message.objects.filter(pk=message_id)
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        message = rows.first()
        if message is None:
            return None, False
        claimable = message.status in _waiting_statuses() or (
            message.status == Status.SENDING and message.next_attempt_at is not None and message.next_attempt_at <= now
        )
        if not claimable:
            return message, False
        if not settings.PRACHUM_EMAIL_ENABLED:
            message.status, message.next_attempt_at = Status.HELD, None
            message.save(update_fields=["status", "next_attempt_at"])
            return message, False
        message.status = Status.SENDING
        message.attempts += 1
        message.next_attempt_at = now + engine.lease()
        message.save(update_fields=["status", "attempts", "next_attempt_at"])
        return message, True


def _waiting_statuses() -> tuple[str, ...]:
    if settings.PRACHUM_EMAIL_ENABLED:
        return (Status.QUEUED, Status.FAILED, Status.HELD)
    return (Status.QUEUED, Status.FAILED)


def _record_sent(message: Message) -> Message:
    message.status, message.sent_at, message.next_attempt_at, message.last_error = Status.SENT, timezone.now(), None, ""
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=message.status, sent_at=message.sent_at, next_attempt_at=None, last_error=""
    )
    return message


def _record_failure(message: Message, exc: Exception) -> Message:
    if message.attempts >= MAX_ATTEMPTS or _is_permanent(exc):
        message.status, message.next_attempt_at = Status.GAVE_UP, None
    else:
        message.status, message.next_attempt_at = Status.FAILED, timezone.now() + retry_delay(message.attempts)
    message.last_error = _describe(exc)[:2000]
    Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
        status=message.status, next_attempt_at=message.next_attempt_at, last_error=message.last_error
    )
    return message


def _is_permanent(exc: Exception) -> bool:
    """The server refused the address for good (5xx): trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _text in exc.recipients.values())
    return False


def _is_unreachable(exc: Exception | None) -> bool:
    """The mail server cannot be reached at all (as opposed to refusing one message)."""
    return isinstance(exc, (OSError, smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected)) and not isinstance(
        exc, smtplib.SMTPResponseException
    )


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


# --- The email itself --------------------------------------------------------------------------------


class EmailWithInlineImages(EmailMultiAlternatives):
    """EmailMultiAlternatives whose HTML may show images carried in the email (<img src="cid:…">).

    The structure is mixed[alternative[text, related[html, images…]], attachments…]: mail programs
    show the images in the HTML and list only the real attachments. Django 5.2 builds the alternative
    part in `_create_alternatives`; this wraps its HTML part (recheck on a Django upgrade)."""

    def __init__(self, *args, inline_images=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.inline_images = list(inline_images)

    def _create_alternatives(self, msg):
        msg = super()._create_alternatives(msg)
        if not self.inline_images or not msg.is_multipart():
            return msg
        parts = msg.get_payload()
        for index, part in enumerate(parts):
            if part.get_content_type() == "text/html":
                related = SafeMIMEMultipart(_subtype="related", encoding=self.encoding or settings.DEFAULT_CHARSET)
                related.attach(part)
                for image in self.inline_images:
                    related.attach(image)
                parts[index] = related
        return msg


def build_email(message: Message) -> EmailWithInlineImages:
    """The email of a message, its attachments built now from their descriptions."""
    inline_images, attachments = [], []
    registration = message.registration
    for spec in message.attachments:
        if spec == QR_ATTACHMENT:
            png = qr_code_png(registration.badge_code)
            inline = MIMEImage(png, "png")
            inline.add_header("Content-ID", f"<{QR_CONTENT_ID}>")
            inline.add_header("Content-Disposition", "inline", filename="ticket.png")
            inline_images.append(inline)
            attached = MIMEImage(png, "png")
            attached.add_header("Content-Disposition", "attachment", filename="ticket.png")
            attachments.append(attached)
        elif spec == ICS_ATTACHMENT:
            ics = registration_calendar(registration, language=message.language).decode()
            part = SafeMIMEText(ics, "calendar", "utf-8")
            part.set_param("method", calendar_method(registration))  # CANCEL removes the entries
            part.add_header("Content-Disposition", "attachment", filename=f"{registration.meeting.slug}.ics")
            attachments.append(part)
        else:
            raise ValueError(f"message {message.pk}: unknown attachment {spec!r}")
    email = EmailWithInlineImages(
        subject=one_line(message.subject),  # a row written before queue_message made it one line
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to_email],
        headers={"Auto-Submitted": "auto-generated"},
        inline_images=inline_images,
        connection=get_connection(fail_silently=False, timeout=getattr(settings, "EMAIL_TIMEOUT", None) or DEFAULT_SMTP_TIMEOUT),
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    for part in attachments:
        email.attach(part)
    return email


# --- 3. Sweep ----------------------------------------------------------------------------------------


def due_messages(*, now: datetime | None = None):
    """Messages to send now: queued or failed ones whose next attempt has come, claims that lapsed, and,
    once a mail server is configured, the messages held while there was none."""
    now = now or timezone.now()
    waiting = Q(status__in=_waiting_statuses()) & (Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
    # A lapsed claim is judged by the clock, not by `now`: a sweep "in the future" must not take a
    # message from a worker that is sending it at this moment.
    lapsed = Q(status=Status.SENDING, next_attempt_at__lte=timezone.now())
    return Message.objects.filter(waiting | lapsed).order_by("created_at", "pk")


def send_queued_messages(*, now: datetime | None = None) -> dict[str, int]:
    """Send every due message (oldest first); returns how many were sent, failed, given up, held or
    skipped (taken by another worker). Stops early when the mail server cannot be reached: the
    rest stay due for the next sweep."""
    counts = Counter({"sent": 0, "failed": 0, "gave_up": 0, "held": 0, "skipped": 0})
    for message_id in list(due_messages(now=now).values_list("pk", flat=True)):
        message, error = _deliver(message_id)
        counts[message.status if message is not None and message.status in counts else "skipped"] += 1
        if _is_unreachable(error):
            break
    return dict(counts)


# --- 4. Resend ---------------------------------------------------------------------------------------


class OutboxError(Exception):
    def __init__(self, code: str, message):
        super().__init__(message)
        self.code = code
        self.message = message


RESEND_REFUSED = {
    Status.QUEUED: _("This email is waiting to be sent already."),
    Status.SENDING: _("This email is being sent at this moment."),
}


@transaction.atomic(durable=True)
def resend_message(*, message_id: int, actor) -> Message:
    """Send a message again: one that was sent gets a new copy in the outbox (the row of the first stays
    as the record of what went out); one that failed, gave up or was held goes back into the queue itself.
    Without a mail server the message stays held (the caller says so), and a held one is left as it is.
    Returns the message that will go out (the copy, or the same one). Raises OutboxError for a message
    that is on its way already."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status in RESEND_REFUSED:
        raise OutboxError(message.status, RESEND_REFUSED[message.status])
    held = not settings.PRACHUM_EMAIL_ENABLED
    if held and message.status == Status.HELD:
        return message
    before = message.status
    if message.status == Status.SENT:
        message = queue_message(  # handed over after the commit, like every new message
            kind=message.kind, registration=message.registration, to_email=message.to_email,
            language=message.language, meeting=message.meeting,
            rendered=RenderedEmail(subject=message.subject, text=message.body_text, html=message.body_html,
                                   attachments=message.attachments),
        )
    else:
        message.status, message.next_attempt_at = (Status.HELD if held else Status.QUEUED), None
        message.save(update_fields=["status", "next_attempt_at"])
        if not held:
            transaction.on_commit(lambda: schedule_delivery(message), robust=True)
    record_audit(
        kind="message.resent", actor=actor, meeting=message.meeting, registration=message.registration, obj=message,
        before={"status": before}, after={"message": message.pk, "status": message.status},
    )
    return message
