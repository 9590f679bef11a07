"""Reminders before each session, and the scheduled work of the online app.

An organizer sets rules ("1 day before", "1 hour before": ReminderRule). `run_scheduled` does, each time:
1. plan: for each active rule and each session whose reminder falls due within PLAN_AHEAD, one Reminder
   row ("queued") per approved participant (bulk insert; the unique constraint drops repeats);
2. send: for each reminder now due, one short transaction turns it from queued to sent with a
   conditional UPDATE, which only one worker can win (PostgreSQL re-checks the row after the other's
   commit; SQLite serialises writers), re-reads the registration under its lock and writes the email
   into the outbox in the same transaction; a registration that is no longer approved gets no email
   (the reminder becomes "skipped"). A reminder whose session has begun is skipped, not sent late;
3. attendance: BigBlueButton's attendee lists for sessions on now (services.fetch_provider_attendance);
4. with `send_messages`, the outbox's due messages (the engine's worker sends them as a queue of its own).

It is the background engine's periodic work "online" (online/apps.py): `prachum worker` runs it every 30 s in
embedded mode, the Celery beat entry "prachum-tick" every minute in production.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.online.emails import queue_online_email
from prachum.online.models import OnlineRoom, Provider, Reminder, ReminderRule
from prachum.registration.models import Registration

logger = logging.getLogger(__name__)

PLAN_AHEAD = timedelta(days=2)
RUNNING = (Meeting.Status.PUBLISHED, Meeting.Status.CLOSED)
Status = Reminder.Status


def _rules():
    return ReminderRule.objects.filter(is_active=True, meeting__status__in=RUNNING).select_related("meeting")


def plan_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders that fall due within PLAN_AHEAD; returns how many rows were new."""
    now = now or timezone.now()
    created = 0
    for rule in _rules():
        before = timedelta(minutes=rule.minutes_before)
        sessions = rule.meeting.sessions.filter(starts_at__gt=now, starts_at__lte=now + PLAN_AHEAD + before)
        ids = list(
            Registration.objects.filter(meeting=rule.meeting, status=Registration.Status.APPROVED).values_list("pk", flat=True)
        )
        for session in sessions:
            existing = set(Reminder.objects.filter(rule=rule, session=session).values_list("registration_id", flat=True))
            new = [Reminder(rule=rule, session=session, registration_id=pk) for pk in ids if pk not in existing]
            Reminder.objects.bulk_create(new, ignore_conflicts=True)
            created += len(new)
    return created


def send_due_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Write the due reminders into the outbox, each once; returns {"sent", "skipped", "taken"}."""
    now = now or timezone.now()
    counts = {"sent": 0, "skipped": 0, "taken": 0}
    # Too late: the session has begun.
    counts["skipped"] += Reminder.objects.filter(status=Status.QUEUED, session__starts_at__lte=now).update(
        status=Status.SKIPPED, decided_at=now
    )
    for rule in _rules():
        due_sessions = rule.meeting.sessions.filter(
            starts_at__gt=now, starts_at__lte=now + timedelta(minutes=rule.minutes_before)
        )
        for session in due_sessions:
            for reminder_id in Reminder.objects.filter(rule=rule, session=session, status=Status.QUEUED).values_list("pk", flat=True):
                counts[_send_reminder(reminder_id, now=now)] += 1
    return counts


def _send_reminder(reminder_id: int, *, now: datetime) -> str:
    with transaction.atomic():
        if not Reminder.objects.filter(pk=reminder_id, status=Status.QUEUED).update(status=Status.SENT, decided_at=now):
            return "taken"  # another worker won it
        reminder = Reminder.objects.select_related("session").get(pk=reminder_id)
        registration = (
            Registration.objects.select_for_update(of=("self",))
            .select_related("meeting", "category", "delegation__organization", "delegation__meeting")
            .get(pk=reminder.registration_id)
        )
        if registration.status != Registration.Status.APPROVED:
            reminder.status = Status.SKIPPED
            reminder.save(update_fields=["status"])
            return "skipped"
        reminder.session.meeting = registration.meeting
        reminder.message = queue_online_email(registration=registration, kind="online.reminder", session=reminder.session)
        reminder.save(update_fields=["message"])
        return "sent"


def fetch_attendance(*, now: datetime | None = None) -> dict[str, int]:
    """BigBlueButton's attendee lists of every meeting with a BigBlueButton room and a session on now."""
    from prachum.online.services import fetch_provider_attendance

    now = now or timezone.now()
    totals = {"sessions": 0, "seen": 0, "new": 0}
    meeting_ids = set(OnlineRoom.objects.filter(provider=Provider.BIGBLUEBUTTON).values_list("meeting_id", flat=True))
    meetings = Meeting.objects.filter(
        pk__in=meeting_ids, status__in=RUNNING,
        sessions__starts_at__lte=now + timedelta(hours=1), sessions__ends_at__gte=now - timedelta(hours=1),
    ).distinct()
    for meeting in meetings:
        for key, value in fetch_provider_attendance(meeting=meeting, now=now).items():
            totals[key] += value
    return totals


def run_scheduled(*, now: datetime | None = None, send_messages: bool = True) -> dict:
    """One round of the scheduled work (see the module's docstring)."""
    now = now or timezone.now()
    result = {"planned": plan_reminders(now=now), "reminders": send_due_reminders(now=now)}
    try:
        result["attendance"] = fetch_attendance(now=now)
    except Exception:  # one unreachable server must not stop reminders and mail
        logger.exception("fetching the online attendance failed")
    if send_messages:
        from prachum.notify.services import send_queued_messages

        result["messages"] = send_queued_messages(now=now)
    return result
