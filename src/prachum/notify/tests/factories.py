"""Registrations and messages for the outbox's tests, written directly (not through the services)."""

import itertools

from django.utils import timezone

from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.emails import render_registration_email
from prachum.notify.models import Message
from prachum.registration.models import Registration

_sequence = itertools.count(1)


def make_registration(meeting=None, category=None, **overrides) -> Registration:
    """A registration with its private link, pending unless told, with the time its status needs."""
    n = next(_sequence)
    meeting = meeting or make_meeting()
    category = category or make_category(meeting)
    values = {
        "honorific": "Ms.",
        "given_name": f"Keo {n}",
        "family_name": "Phommachanh",
        "name_lo": f"ແກ້ວ {n}",
        "position": "Deputy Director",
        "email": f"keo{n}@example.org",
        "phone": "+8562055512345",
        "language": "en",
        "status": Registration.Status.PENDING,
    }
    values.update(overrides)
    now = timezone.now()
    status = values["status"]
    if status == Registration.Status.WAITLISTED:
        values.setdefault("waitlisted_at", now)
    if status == Registration.Status.CANCELLED:
        values.setdefault("cancelled_at", now)
    if status in (Registration.Status.APPROVED, Registration.Status.REJECTED):
        values.setdefault("decided_at", now)
    registration = Registration(meeting=meeting, category=category, **values)
    registration.set_manage_token()
    registration.save()
    return registration


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
