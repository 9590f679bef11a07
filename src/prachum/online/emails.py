"""The online app's emails: a reminder before a session, and the updated calendar after a change of time.

They use the outbox (notify.models.Message) and the look of every other email: the templates extend
notify's layout and get the same context (notify.emails), plus the session and the join block.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from prachum.meetings.selectors import programme
from prachum.notify import emails as notify_emails
from prachum.notify.models import Message
from prachum.online.zones import participant_zone, two_zones
from prachum.registration.languages import email_languages

KINDS = ("online.reminder", "online.calendar_updated")


def render_online_email(*, registration, kind: str, session=None) -> notify_emails.RenderedEmail:
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email {kind!r} (known: {', '.join(KINDS)})")
    attachments = [notify_emails.ICS_ATTACHMENT] if kind == "online.calendar_updated" else []
    languages = email_languages(registration)
    zone = ZoneInfo(registration.meeting.time_zone)
    sessions = programme(registration.meeting)  # once for every language
    contexts, subjects = [], []
    for code in languages:
        with translation.override(code), timezone.override(zone):
            context = notify_emails._context(registration, language=code, attachments=attachments, sessions=sessions)
            context["session"] = session
            if session is not None:
                context["session_when"] = two_zones(
                    session.starts_at, session.ends_at, registration.meeting.time_zone, participant_zone(registration)
                )
            context["has_calendar"] = bool(attachments)
            subjects.append(" ".join(render_to_string(f"online/emails/{kind}.subject.txt", context).split()))
        contexts.append(context)
    subject = " / ".join(subjects)
    texts, htmls = [], []
    for code, context in zip(languages, contexts):
        context["subject"] = subject
        with translation.override(code), timezone.override(zone):
            texts.append(notify_emails._tidy_text(render_to_string(f"online/emails/{kind}.txt", context)))
            htmls.append(render_to_string(f"online/emails/{kind}.html", context))
    return notify_emails.RenderedEmail(
        subject=subject, text=notify_emails.TEXT_SEPARATOR.join(texts),
        html=notify_emails._join_html(htmls[0], list(zip(languages[1:], htmls[1:]))), attachments=attachments,
    )


def queue_online_email(*, registration, kind: str, session=None) -> Message:
    """Write the email into the outbox in the caller's transaction; it is handed over after the commit."""
    from prachum.notify.services import queue_message

    if not connection.in_atomic_block:
        raise RuntimeError("queue_online_email must run inside the transaction of the change it tells of")
    email = render_online_email(registration=registration, kind=kind, session=session)
    return queue_message(kind=kind, registration=registration, rendered=email)
