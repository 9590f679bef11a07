"""Small factories for registration tests: `make_<thing>(…, **overrides)` saves one valid row and returns it.

Rows are written directly, not through the services: a test sets up the state it needs, then calls the
one service it is about.
"""

import itertools
from datetime import timedelta

from django.utils import timezone

from prachum.meetings.models import CustomQuestion, CustomQuestionVersion, Delegation, Meeting, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_user
from prachum.registration.models import Invitation, Registration

_sequence = itertools.count(1)


def honorific(text: str):
    """The Honorific a test names by its spelling ("Ms.", "ທ່ານ", "H.E."); one the organizer added where it
    is none of the list."""
    from prachum.directory.honorifics import find_honorific
    from prachum.directory.models import Honorific

    if not isinstance(text, str):
        return text
    if not text:
        return None
    return find_honorific(text) or Honorific.objects.get_or_create(
        code="added-" + "".join(c for c in text.lower() if c.isascii() and c.isalnum())[:20],
        defaults={"label_en": text},
    )[0]


def person(**overrides) -> dict:
    """The person's data as the registration form hands it to submit_registration."""
    n = next(_sequence)
    values = {
        "honorific": "Ms.",
        "given_name": f"Keo {n}",
        "family_name": "Phommachanh",
        "family_name_first": False,
        "name_lo": f"ແກ້ວ {n}",
        "gender": "female",
        "position": "Deputy Director",
        "email": f"keo{n}@example.org",
        "phone": "+8562055512345",
    }
    values.update(overrides)
    values["honorific"] = honorific(values["honorific"])
    return values


def make_registration(meeting: Meeting | None = None, category=None, **overrides) -> Registration:
    """A registration with its private link; status pending unless told, with the time its status needs.
    Without a meeting or category, makes them."""
    meeting = meeting or make_meeting()
    category = category or make_category(meeting)
    values = {key: value for key, value in person().items()}
    values.update(overrides)
    values["honorific"] = honorific(values["honorific"])
    status = values.setdefault("status", Registration.Status.PENDING)
    now = timezone.now()
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


def make_delegation(meeting: Meeting, **overrides) -> Delegation:
    values = {"meeting": meeting}
    values.update(overrides)
    if "organization" not in values:
        values["organization"] = make_organization()
    return Delegation.objects.create(**values)


def make_focal_point(delegation: Delegation, **user_overrides):
    user = make_user(**user_overrides)
    MeetingRole.objects.create(
        meeting=delegation.meeting, user=user, role=MeetingRole.Role.FOCAL_POINT, delegation=delegation
    )
    return user


def make_organizer(meeting: Meeting, role: str = MeetingRole.Role.MANAGER, **user_overrides):
    user = make_user(**user_overrides)
    MeetingRole.objects.create(meeting=meeting, user=user, role=role)
    return user


def make_invitation(meeting: Meeting, **overrides) -> Invitation:
    n = next(_sequence)
    values = {"meeting": meeting, "email": f"invited{n}@example.org", "given_name": f"Invited {n}"}
    values.update(overrides)
    if "honorific" in values:
        values["honorific"] = honorific(values["honorific"])
    invitation = Invitation(**values)
    invitation.set_token()
    invitation.save()
    return invitation


def make_question(meeting: Meeting, key: str, kind: str = "text", **version_overrides) -> CustomQuestion:
    """A question with one version (its current one)."""
    question = CustomQuestion.objects.create(meeting=meeting, key=key)
    values = {"question": question, "number": 1, "kind": kind, "label_en": key.replace("_", " ").capitalize()}
    values.update(version_overrides)
    question.current_version = CustomQuestionVersion.objects.create(**values)
    question.save(update_fields=["current_version"])
    return question


def new_question_version(question: CustomQuestion, **overrides) -> CustomQuestionVersion:
    current = question.current_version
    values = {
        "question": question, "number": current.number + 1, "kind": current.kind,
        "label_en": f"{current.label_en} (v{current.number + 1})", "is_sensitive": current.is_sensitive,
    }
    values.update(overrides)
    question.current_version = CustomQuestionVersion.objects.create(**values)
    question.save(update_fields=["current_version"])
    return question.current_version


def window(*, opened_ago=timedelta(days=1), closes_in=timedelta(days=10)) -> dict:
    """make_meeting overrides for a registration window around now."""
    now = timezone.now()
    return {"registration_opens_at": now - opened_ago, "registration_closes_at": now + closes_in}


def form_token() -> str:
    """A one-time form token, as the registration form issues one per form shown."""
    import secrets

    return secrets.token_urlsafe(16)
