"""Submitting a registration: the seat-taking core of the public form, invitations and nominations."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from prachum.meetings.models import Category, Delegation, Meeting
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Invitation, Registration
from prachum.registration.selectors import active_registration_by_email
from prachum.registration.services.answers import save_answers
from prachum.registration.services.locking import lock_meeting
from prachum.registration.services.notices import PARTICIPANT, SUBMITTED_MESSAGE, audit, tell
from prachum.registration.services.rules import (
    check_open,
    is_focal_point,
    resolve_category,
    resolve_organization,
    resolve_participation,
)
from prachum.registration.services.seats import has_room, status_with_a_seat

Status = Registration.Status

# The person's own data, as the form cleans it (email normalised, phone E.164, names trimmed and NFC).
PERSON_FIELDS = (
    "honorific", "given_name", "family_name", "family_name_first", "name_lo", "gender", "position", "email", "phone",
)

# Left out of full_clean: checking that a related row exists costs a query each, and the rows come from the database.
RELATIONS = [field.name for field in Registration._meta.fields if field.is_relation]


@dataclass(frozen=True)
class SubmitResult:
    registration: Registration
    created: bool  # False: a repeated submit of the same form found the first one's registration
    manage_token: str  # for the confirmation page's private link; the same in every email


def person_values(person: dict) -> dict:
    unknown = set(person) - set(PERSON_FIELDS)
    if unknown:
        raise ValueError(f"unknown person fields: {sorted(unknown)}")
    if not person.get("email"):
        raise ValueError("a registration needs an email")
    return {key: value if value is not None else "" for key, value in person.items()}


def _already_submitted(meeting_id: int, client_token: str, email: str) -> SubmitResult | None:
    """The registration an earlier submit of the same form made, or None.

    A form token is issued once per form shown. The same token with another email is someone else
    using a form already sent (the back button on a shared computer): refused, so that their
    confirmation page never shows another person's private link."""
    done = Registration.objects.filter(meeting_id=meeting_id, client_token=client_token).first()
    if done is None:
        return None
    if done.email.lower() != email.lower():
        raise RegistrationError("form_reused")
    return SubmitResult(done, False, done.manage_token)


def _same_email(meeting: Meeting, client_token: str, email: str) -> SubmitResult | None:
    """Refuse an email that already has an active registration here ("duplicate_email"), unless that
    registration is this very form's (a writer that does not take the meeting lock committed it between
    our look-ups): then it is the answer. None when the email is free."""
    existing = active_registration_by_email(meeting, email)
    if existing is None:
        return None
    if existing.client_token == client_token:
        return SubmitResult(existing, False, existing.manage_token)
    raise RegistrationError("duplicate_email")


def _valid_invitation(meeting: Meeting, invitation: Invitation | None, now) -> Invitation | None:
    """The invitation, locked and fresh, if it is this meeting's, unused, unrevoked and unexpired."""
    if invitation is None:
        return None
    fresh = Invitation.objects.select_for_update(no_key=True).filter(pk=invitation.pk, meeting_id=meeting.pk).first()
    if fresh is None or fresh.used_at or fresh.revoked_at or (fresh.expires_at and fresh.expires_at <= now):
        raise RegistrationError("invitation_required")
    return fresh


@transaction.atomic(durable=True)
def submit_registration(
    *,
    meeting: Meeting,
    category: Category,
    person: dict,
    answers: dict | None = None,
    delegation: Delegation | None = None,
    organization_name: str = "",
    participation: str | None = None,
    language: str = "lo",
    client_token: str,
    invitation: Invitation | None = None,
    nominated_by=None,
    consented: bool = False,
    actor=None,
) -> SubmitResult:
    """Register one person at a meeting: a seat if one is free, else the waiting list.

    The form has validated and normalised `person` (PERSON_FIELDS) and `answers` (question key →
    value, or an UploadedFile for file and photo questions). `client_token` is the form's one-time
    token: submitting it again returns the first registration (created=False).
    `consented`: the person agreed to the privacy notice now. `nominated_by`: the focal point of
    `delegation` who registers this person. `actor`: the logged-in user submitting, if any.

    Refusals (RegistrationError.code): form_reused, not_open, closed, participation_not_offered,
    delegation_invalid, organization_not_allowed, invitation_required, nomination_only,
    not_focal_point, category_not_open, duplicate_email.
    """
    if not client_token:
        raise ValueError("submit_registration needs the form's client_token")
    values = person_values(person)

    # Idempotency first: a retried or double-clicked submit is answered (on PostgreSQL) without waiting for the lock.
    if done := _already_submitted(meeting.pk, client_token, values["email"]):
        return done

    meeting = lock_meeting(meeting.pk)
    # Under the lock the first submit of a racing pair has committed (PostgreSQL reads committed rows in
    # every new statement; SQLite's IMMEDIATE transaction began after it), so look again.
    if done := _already_submitted(meeting.pk, client_token, values["email"]):
        return done

    now = timezone.now()
    check_open(meeting, now)
    participation = resolve_participation(meeting, participation)
    invitation = _valid_invitation(meeting, invitation, now)
    if delegation is None and invitation is not None and invitation.delegation_id:
        delegation = invitation.delegation
    delegation, organization_name = resolve_organization(meeting, delegation, organization_name)

    mode = meeting.registration_mode
    if nominated_by is not None and not is_focal_point(nominated_by, meeting, delegation):
        raise RegistrationError("not_focal_point")
    if mode == Meeting.RegistrationMode.INVITATION and invitation is None:
        raise RegistrationError("invitation_required")
    if mode == Meeting.RegistrationMode.NOMINATION and nominated_by is None:
        raise RegistrationError("nomination_only")
    invited_to_category = invitation is not None and invitation.category_id == category.pk
    category = resolve_category(
        meeting, category, self_registration=nominated_by is None and not invited_to_category
    )

    if done := _same_email(meeting, client_token, values["email"]):
        return done

    if has_room(meeting, category=category, delegation=delegation, participation=participation):
        status = status_with_a_seat(category)
    else:
        status = Status.WAITLISTED

    registration = Registration(
        meeting=meeting, category=category, delegation=delegation, organization_name=organization_name,
        participation=participation, language=language, client_token=client_token, invitation=invitation,
        nominated_by=nominated_by, status=status, consent_at=now if consented else None, **values,
    )
    if status == Status.APPROVED:
        registration.decided_at = now
    elif status == Status.WAITLISTED:
        registration.waitlisted_at = now
    token = registration.set_manage_token()
    # Field checks only (lengths, choices): the form did the rest, the constraints below do uniqueness.
    registration.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save(force_insert=True)
    except IntegrityError:
        # A writer that did not take the meeting lock won a race on a unique constraint.
        if done := _already_submitted(meeting.pk, client_token, values["email"]) or _same_email(
            meeting, client_token, values["email"]
        ):
            return done
        raise

    if invitation is not None:
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
    save_answers(registration, answers)
    audit(
        registration, "registration.submitted", actor=actor or nominated_by,
        actor_label="" if (actor or nominated_by) else PARTICIPANT,
        after={
            "status": status, "category": category.pk, "delegation": delegation.pk if delegation else None,
            "participation": participation, "invitation": invitation.pk if invitation else None,
        },
    )
    tell(registration, SUBMITTED_MESSAGE[status])
    return SubmitResult(registration, True, token)


__all__ = ["PERSON_FIELDS", "SubmitResult", "submit_registration"]
