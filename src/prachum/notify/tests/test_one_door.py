"""One door into the outbox: only prachum.notify.services writes a Message (queue_message), so that
"held without a mail server" and "sent after the commit" are decided in one place. This reads the
source of every module of the project (not tests, not migrations) and names any other that writes one."""

import pytest
from django.db import transaction

from prachum.meetings.tests.factories import make_meeting
from prachum.notify.emails import RenderedEmail
from prachum.notify.models import Message
from prachum.notify.services import queue_message
from prachum.testing.one_door import ROOT, model_writes, writers

DOOR = ROOT / "notify" / "services.py"


def message_writes(source: str, filename: str = "<source>") -> list[int]:
    return model_writes(source, "Message", filename)


def test_the_scanner_sees_every_way_of_writing_a_message():
    source = (
        "from prachum.notify import models\n"
        "from prachum.notify.models import Message\n"
        "Message(kind='x').save()\n"
        "Message.objects.create(kind='x')\n"
        "models.Message.objects.bulk_create([])\n"
        "Message.objects.get_or_create(kind='x')\n"
        "RenderedMessage(subject='not an outbox row')\n"
        "Message.objects.filter(kind='x').update(status='held')\n"
    )
    assert message_writes(source) == [3, 4, 5, 6]


def test_only_notify_services_writes_a_message():
    offenders = writers("Message", door=DOOR)
    assert not offenders, (
        "only prachum.notify.services.queue_message may write a Message; these write one themselves: "
        + ", ".join(offenders)
    )


def test_the_door_itself_writes_messages():
    # The door is where the writing happens; if it moved, this test must move with it.
    assert message_writes(DOOR.read_text(encoding="utf-8"))


# The door's rules, for a message about no registration (an account, the secretariat) -------------

EMAIL = RenderedEmail(subject="Your account " * 40, text="Hello\n", html="<p>Hello</p>")


@pytest.mark.django_db
def test_with_a_mail_server_the_door_writes_it_queued_and_hands_it_over_after_the_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.PRACHUM_EMAIL_ENABLED = True
    meeting = make_meeting()
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            message = queue_message(kind="account.invitation", to_email="noy@example.la", language="lo",
                                    meeting=meeting, rendered=EMAIL)
    message.refresh_from_db()
    assert len(callbacks) == 1
    assert (message.status, message.kind, message.to_email, message.language, message.meeting, message.registration) == (
        Message.Status.QUEUED, "account.invitation", "noy@example.la", "lo", meeting, None)
    assert len(message.subject) == 300 and (message.body_text, message.body_html) == ("Hello\n", "<p>Hello</p>")


@pytest.mark.django_db
def test_without_a_mail_server_the_door_writes_it_held_and_hands_nothing_over(
    settings, django_capture_on_commit_callbacks
):
    settings.PRACHUM_EMAIL_ENABLED = False
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            message = queue_message(kind="account.invitation", to_email="noy@example.la", language="en", rendered=EMAIL)
    assert callbacks == []
    assert Message.objects.get(pk=message.pk).status == Message.Status.HELD


@pytest.mark.django_db
def test_the_door_refuses_a_message_without_its_recipient_or_content():
    with transaction.atomic():
        with pytest.raises(ValueError):
            queue_message(kind="account.invitation", language="en", rendered=EMAIL)
        with pytest.raises(ValueError):
            queue_message(kind="account.invitation", to_email="noy@example.la", language="en")
    assert not Message.objects.exists()
