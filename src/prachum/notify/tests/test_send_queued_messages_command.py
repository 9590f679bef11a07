"""`prachum send-queued-messages`: retries by hand and says what it did."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from prachum.notify.models import Message
from prachum.notify.tests.factories import make_message

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_queued_messages", *args, stdout=out)
    return out.getvalue().strip()


def test_the_command_sends_what_is_due_and_prints_the_counts(mail_server):
    make_message(), make_message()
    later = make_message(status=Message.Status.FAILED, attempts=3, next_attempt_at=timezone.now() + timedelta(minutes=3))

    assert run() == "sent: 2, failed: 0, gave up: 0, held: 0, skipped: 0"
    assert len(mail_server.wait_for(2)) == 2
    assert Message.objects.get(pk=later.pk).status == Message.Status.FAILED
    assert run() == "sent: 0, failed: 0, gave up: 0, held: 0, skipped: 0"


def test_with_all_it_also_retries_failed_messages_whose_next_attempt_is_later(mail_server):
    later = make_message(status=Message.Status.FAILED, attempts=3, next_attempt_at=timezone.now() + timedelta(minutes=3))

    assert run("--all") == "sent: 1, failed: 0, gave up: 0, held: 0, skipped: 0"
    later.refresh_from_db()
    assert later.status == Message.Status.SENT and later.attempts == 4


def test_while_the_mail_server_is_down_it_reports_the_failure(mail_server_down):
    message = make_message()
    assert run() == "sent: 0, failed: 1, gave up: 0, held: 0, skipped: 0"
    message.refresh_from_db()
    assert message.status == Message.Status.FAILED and message.next_attempt_at > timezone.now()

