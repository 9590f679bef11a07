"""Reminders before each session: queued ahead, sent once when due, even with two workers at once."""

import threading
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from prachum.meetings.tests.factories import make_category, make_session
from prachum.notify.models import Message
from prachum.online.models import Reminder, ReminderRule
from prachum.online.reminders import plan_reminders, run_scheduled, send_due_reminders
from prachum.online.tests.factories import japanese_delegate, make_room, online_meeting
from prachum.registration.services import cancel_registration
from prachum.registration.tests.factories import make_registration


@pytest.fixture(autouse=True)
def _deliver_in_the_committing_thread(settings):
    settings.PRACHUM_DELIVERY = "inline"


def meeting_with_rule(*, starts_in=timedelta(hours=2), minutes_before=60, people=3):
    meeting, session = online_meeting(starts_in=starts_in)
    make_room(meeting)
    ReminderRule.objects.create(meeting=meeting, minutes_before=minutes_before)
    category = make_category(meeting)
    people = [make_registration(meeting, category, status="approved", participation="online", language="en")
              for _ in range(people)]
    return meeting, session, people


@pytest.mark.django_db
def test_a_reminder_is_queued_ahead_and_written_once_when_due():
    meeting, session, people = meeting_with_rule(starts_in=timedelta(hours=2), minutes_before=60)
    make_registration(meeting, status="pending")  # not approved: no reminder
    now = timezone.now()
    assert plan_reminders(now=now) == 3
    assert plan_reminders(now=now) == 0
    assert send_due_reminders(now=now) == {"sent": 0, "skipped": 0, "taken": 0}  # due in an hour
    later = now + timedelta(minutes=61)
    assert send_due_reminders(now=later)["sent"] == 3
    assert send_due_reminders(now=later)["sent"] == 0
    messages = Message.objects.filter(kind="online.reminder")
    assert sorted(m.registration_id for m in messages) == sorted(p.pk for p in people)
    text = messages.first().body_text
    assert session.title_en in text and "/en/join/" in text and "Vientiane (UTC+7)" in text


@pytest.mark.django_db
def test_the_reminder_of_a_japanese_delegate_says_both_times():
    meeting, session, _people = meeting_with_rule(people=0)
    delegate = japanese_delegate(meeting)
    run_scheduled(now=session.starts_at - timedelta(minutes=59), send_messages=False)
    message = Message.objects.get(kind="online.reminder", registration=delegate)
    assert "Vientiane (UTC+7) · " in message.body_text and "Tokyo (UTC+9)" in message.body_text
    assert message.subject.startswith("Reminder: ")


@pytest.mark.django_db
def test_a_registration_cancelled_after_its_reminder_was_queued_gets_none():
    meeting, session, (kept, leaving, _third) = meeting_with_rule()
    now = timezone.now()
    plan_reminders(now=now)
    assert Reminder.objects.filter(registration=leaving, status="queued").exists()
    cancel_registration(registration_id=leaving.pk, actor=None)
    counts = send_due_reminders(now=session.starts_at - timedelta(minutes=30))
    assert counts["sent"] == 2 and counts["skipped"] == 1
    assert not Message.objects.filter(kind="online.reminder", registration=leaving).exists()
    assert Reminder.objects.get(registration=leaving).status == "skipped"


@pytest.mark.django_db
def test_a_reminder_whose_session_has_begun_is_skipped_not_sent_late():
    meeting, session, _people = meeting_with_rule()
    plan_reminders(now=timezone.now())
    counts = send_due_reminders(now=session.starts_at + timedelta(minutes=5))
    assert counts == {"sent": 0, "skipped": 3, "taken": 0}


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_reminder_once():
    _meeting, session, people = meeting_with_rule(people=8)
    make_session(_meeting, starts_at=session.starts_at + timedelta(minutes=20))  # a second session, due too
    due = session.starts_at - timedelta(minutes=30)
    plan_reminders(now=timezone.now())
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(send_due_reminders(now=due))
        except Exception as exc:  # noqa: BLE001 - the test reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(r["sent"] for r in results) == 16
    assert sum(r["sent"] + r["taken"] for r in results) <= 32
    assert Message.objects.filter(kind="online.reminder").count() == 16
    pairs = list(Message.objects.filter(kind="online.reminder").values_list("registration_id", "subject"))
    assert len(pairs) == len(set(pairs))


@pytest.mark.django_db
def test_one_round_of_the_worker_sends_reminders_and_the_outbox(settings, mail_server):
    settings.PRACHUM_DELIVERY = "worker"  # nothing leaves at commit: the worker's round sends it
    _meeting, session, _people = meeting_with_rule(starts_in=timedelta(minutes=50), people=2)
    call_command("worker", "--once", stdout=open("/dev/null", "w"))
    assert Message.objects.filter(kind="online.reminder").count() == 2
    assert len(mail_server.messages) >= 2
