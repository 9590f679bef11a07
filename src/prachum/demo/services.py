"""Setting up the demo: organizations, the two demo meetings and the organizer account `demo`."""

from __future__ import annotations

import secrets
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction

from prachum.accounts.services import grant_site_rights
from prachum.audit.services import record_audit
from prachum.exchange.services.meeting_loading import load_meeting_file
from prachum.meetings.models import Meeting, MeetingRole

DEMO_DIR = Path(__file__).resolve().parent
DEMO_FILES = ("asean-japan-symposium-2020.yaml", "adgsom-demo.yaml")
DEMO_USERNAME = "demo"
DEMO_EMAIL = "demo@example.org"


def new_demo_password() -> str:
    return secrets.token_urlsafe(12)


def load_demo_meetings(*, today: date | None = None) -> list[Meeting]:
    """Load the demo meeting files; each is its own transaction, and loading again changes nothing."""
    return [load_meeting_file(path=DEMO_DIR / name, today=today) for name in DEMO_FILES]


@transaction.atomic(durable=True)
def set_up_demo_organizer(*, meetings: list[Meeting], password: str | None) -> tuple[object, str]:
    """Make sure the account `demo` exists, owns the demo meetings, may create meetings and is a site
    administrator; set its password.

    With `password` (PRACHUM_DEMO_PASSWORD) the password is set only if it differs, so
    running the demo again changes nothing. Without it, a new random password is set each
    time, because a password already stored cannot be shown again. Returns (user, password).
    """
    User = get_user_model()
    user = User.objects.filter(username=DEMO_USERNAME).first()
    if user is None:
        email = DEMO_EMAIL if not User.objects.filter(email__iexact=DEMO_EMAIL).exists() else ""
        user = User(username=DEMO_USERNAME, email=email, first_name="Demo", last_name="Organizer", language="lo")
    if password is None:
        password = new_demo_password()
        user.set_password(password)
        user.save()
    elif user.pk is None or not user.check_password(password):
        user.set_password(password)
        user.save()
    # The demo organizer shows the whole organizer area: new meetings, copies, and the accounts page.
    grant_site_rights(user=user, rights=["may_create_meetings", "administrator"], actor_label="prachum demo")
    for meeting in meetings:
        role, created = MeetingRole.objects.get_or_create(
            meeting=meeting, user=user, role=MeetingRole.Role.OWNER, delegation=None
        )
        if created:
            record_audit(
                kind="meeting_role.granted", meeting=meeting, obj=role, actor_label="prachum demo",
                after={"user": user.get_username(), "role": role.role},
            )
    return user, password
