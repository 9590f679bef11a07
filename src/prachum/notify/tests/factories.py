"""Registrations and messages for the outbox's tests, written directly (not through the services)."""

from prachum.notify.emails import render_registration_email
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.tests import factories as registration_factories


def make_registration(meeting=None, category=None, **overrides) -> Registration:
    """The registration tests' make_registration, in English unless told: the outbox's tests read English emails."""
    return registration_factories.make_registration(meeting, category, **{"language": "en", **overrides})


def make_message(registration=None, kind="registration.received", **overrides) -> Message:
    """A message as queue_message writes it, but not handed over for sending: the test delivers it."""
    registration = registration or make_registration()
    email = render_registration_email(registration=registration, kind=kind)
    values = {
        "meeting": registration.meeting, "registration": registration, "kind": kind, "to_email": registration.email,
        "language": registration.language, "subject": email.subject, "body_text": email.text,
        "body_html": email.html, "attachments": email.attachments,
    }
    values.update(overrides)
    return Message.objects.create(**values)
