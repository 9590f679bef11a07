"""Submitting a registration: the seat-taking core of the public form, invitations and nominations."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from prachum.core.identity import email_key
from prachum.core.outbox import render_registration_email
from prachum.core.transactions import use_case
from prachum.meetings.models import Category, Delegation, Meeting
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Invitation, Registration
from prachum.registration.services.answers import save_answers
from prachum.registration.services.events import registration_event
from prachum.registration.services.locking import lock_meeting
from prachum.registration.services.notices import PARTICIPANT, SUBMITTED_MESSAGE, audit, tell
from prachum.registration.services.rules import (
    Lookups,
    check_admission,
    check_invitation,
    check_not_registered,
    check_open,
)
from prachum.registration.selectors import earlier_submits, quotas_and_seats_taken
from prachum.registration.services.seats import fits, likely_has_room, remember_seats_taken, status_with_a_seat

Status = Registration.Status

# The person's own data, as the form cleans it (email normalised, phone E.164, names trimmed and NFC).
PERSON_FIELDS = (
    "honorific", "given_name", "family_name", "family_name_first", "name_lo", "gender", "position", "position_lo",
    "email", "phone",
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
    return {key: value if value is not None or key == "honorific" else "" for key, value in person.items()}


def _earlier_submit(meeting_id: int, client_token: str, email: str) -> tuple[SubmitResult | None, set[str]]:
    """What an earlier submit says, in one query: (the registration this same form made, answered
    again with created=False, or None; the email keys of the other active registrations
    with this email, for rules.check_not_registered).

    A form token is issued once per form shown. The same token with another email is someone else
    using a form already sent (the back button on a shared computer): refused ("form_reused"), so that
    their confirmation page never shows another person's private link."""
    rows = earlier_submits(meeting_id, client_token=client_token, email=email)
    for row in rows:
        if row.client_token == client_token:
            if row.email_key != email_key(email):
                raise RegistrationError("form_reused")
            return SubmitResult(row, False, row.manage_token), set()
    return None, {row.email_key for row in rows}


def _fresh_invitation(invitation: Invitation, *, lock: bool) -> Invitation:
    """The invitation read again (locked with `lock`); rules.check_invitation judges it."""
    rows = Invitation.objects.select_for_update(no_key=True) if lock else Invitation.objects
    fresh = rows.filter(pk=invitation.pk).order_by().first()
    if fresh is None:
        raise RegistrationError("invitation_required")
    return fresh


@use_case
def submit_registration(
    *,
    meeting: Meeting,
    category: Category,
    person: dict,
    answers: dict | None = None,
    asked_questions: dict | None = None,
    delegation: Delegation | None = None,
    organization_name: str = "",
    participation: str | None = None,
    language: str = "lo",
    client_token: str,
    invitation: Invitation | None = None,
    nominated_by=None,
    consented: bool = False,
    actor=None,
    actor_label: str = "",
) -> SubmitResult:
    """Register one person at a meeting: a seat if one is free, else the waiting list.

    The form has validated and normalised `person` (PERSON_FIELDS) and `answers` (question key →
    value, or an UploadedFile for file and photo questions); `asked_questions`: the questions as the form
    showed them (save_answers' `asked`). `client_token` is the form's one-time token: submitting it
    again returns the first registration (created=False).
    `consented`: the person agreed to the privacy notice now. `nominated_by`: the focal point of
    `delegation` who registers this person. `actor`: the logged-in user submitting, if any;
    `actor_label`: how the audit trail names it, where not by its username (an API token).

    Refusals (RegistrationError.code): form_reused, and rules.check_admission's: duplicate_email,
    not_open, closed, invitation_required, nomination_only, participation_not_offered,
    delegation_invalid, organization_not_allowed, not_focal_point, category_not_open.
    """
    if not client_token:
        raise ValueError("submit_registration needs the form's client_token")
    values = person_values(person)
    registration = Registration(
        meeting_id=meeting.pk, language=language, client_token=client_token, nominated_by=nominated_by, **values
    )
    # Field checks only (lengths, choices): the form did the rest; the database's constraints guard uniqueness.
    registration.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)

    # Idempotency first, before queuing on the lock (on PostgreSQL).
    done, registered = _earlier_submit(meeting.pk, client_token, values["email"])
    if done:
        return done

    # Seat-taking queues on the meeting lock, so as much as possible happens before it: the checks,
    # the INSERT, the answers and rendering the email run in parallel with other submissions, and the
    # lock covers only the recount, the last writes and the commit. Deciding the status before the
    # lock is a guess; the recount under the lock makes it true (see _take_seat).
    now = timezone.now()
    if invitation is not None:
        # Checked now without a lock, and again under the meeting lock, where it is marked used.
        invitation = _fresh_invitation(invitation, lock=False)
    admitted = check_admission(
        meeting, now=now, email=values["email"], category=category, delegation=delegation,
        organization_name=organization_name, participation=participation, invitation=invitation,
        nominated_by=nominated_by, lookups=Lookups(meeting, registered=registered),
    )

    registration.meeting, registration.category = meeting, admitted.category
    registration.delegation, registration.organization_name = admitted.delegation, admitted.organization_name
    registration.participation = admitted.participation
    registration.invitation = invitation
    registration.consent_at = now if consented else None
    guess = _set_status(registration, _status_guess(meeting, registration), now)
    token = registration.set_manage_token()
    try:
        with transaction.atomic():
            registration.save(force_insert=True)
    except IntegrityError:
        # The same form or the same email committed since the look-up above: by a double click, or by
        # another submit of the same email. Answer as that registration says.
        done, registered = _earlier_submit(meeting.pk, client_token, values["email"])
        if done:
            return done
        check_not_registered(values["email"], registered)
        if invitation is not None:  # one registration per invitation: someone else used it meanwhile
            raise RegistrationError("invitation_required") from None
        raise
    save_answers(registration, answers, asked=asked_questions)
    email = render_registration_email(registration=registration, kind=SUBMITTED_MESSAGE[guess])
    record = dict(actor=actor, actor_label=actor_label, nominated_by=nominated_by, email=email, guess=guess)

    if invitation is None:
        # The common case, with the meeting lock held as briefly as can be: what the submission leaves
        # behind (audit event, message) is written for the guessed status before the lock, so that under
        # it only the lock, one recount and the commit remain. A wrong guess (rare: close to a limit)
        # rolls those writes back with the lock and goes the long way below.
        before_lock = transaction.savepoint()
        _leave_record(registration, guess, invitation=None, **record)
        if _take_seat(registration, now) == guess:
            return SubmitResult(registration, True, token)
        transaction.savepoint_rollback(before_lock)
        _set_status(registration, guess, now)  # as the database holds it again

    status = _take_seat(registration, now)
    if invitation is not None:
        # Locked after the meeting's row (services/locking.py: one lock order), so ten people using one
        # invitation at once queue on the meeting and only the first finds it unused.
        invitation = _fresh_invitation(invitation, lock=True)
        check_invitation(registration.meeting, invitation, now)
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
    _leave_record(registration, status, invitation=invitation, **record)
    return SubmitResult(registration, True, token)


def _leave_record(registration: Registration, status: str, *, invitation, actor, actor_label, nominated_by, email,
                  guess) -> None:
    """The audit event and the message of a submission that gets `status` (`email`: rendered for `guess`)."""
    audit(
        registration, "registration.submitted", actor=actor or nominated_by,
        actor_label=actor_label if (actor or nominated_by) else PARTICIPANT,
        after={
            "status": status, "category": registration.category_id, "delegation": registration.delegation_id,
            "participation": registration.participation, "invitation": invitation.pk if invitation else None,
        },
    )
    tell(registration, SUBMITTED_MESSAGE[status], rendered=email if status == guess else None)
    registration_event("registration.created", registration)


def _status_guess(meeting: Meeting, registration: Registration) -> str:
    if likely_has_room(meeting, category=registration.category, delegation=registration.delegation,
                       participation=registration.participation):
        return status_with_a_seat(registration.category)
    return Status.WAITLISTED


def _set_status(registration: Registration, status: str, now) -> str:
    registration.status = status
    registration.decided_at = now if status == Status.APPROVED else None
    registration.waitlisted_at = now if status == Status.WAITLISTED else None
    return status


def _take_seat(registration: Registration, now) -> str:
    """Under the meeting lock, count again what the inserted registration competes with, and correct
    its status where the guess made before the lock no longer holds. Returns the status.

    The count sees every seat-taker that committed before this lock was granted, and none that has
    not: those wait behind this lock and count again after this commit. The quotas are read again
    too, in the same statement: an organizer may have changed one since the registration was checked."""
    meeting = lock_meeting(registration.meeting_id)
    check_open(meeting, now)
    registration.meeting = meeting
    category, delegation = registration.category, registration.delegation
    taken = quotas_and_seats_taken(
        meeting, category_id=category.pk, delegation_id=delegation.pk if delegation else None,
        participation=registration.participation, exclude_pk=registration.pk,
    )
    category.quota = taken["category_quota"]
    if delegation is not None:
        delegation.quota = taken["delegation_quota"]
    remember_seats_taken(meeting, category=category, delegation=delegation,
                         participation=registration.participation, taken=taken)
    guess = registration.status
    room = fits(meeting, category=category, delegation=delegation, participation=registration.participation,
                taken_meeting=taken["meeting"], taken_category=taken["category"], taken_delegation=taken["delegation"])
    status = status_with_a_seat(category) if room else Status.WAITLISTED
    if status != guess:
        _set_status(registration, status, now)
        registration.save(update_fields=["status", "decided_at", "waitlisted_at"])
    return status


__all__ = ["PERSON_FIELDS", "SubmitResult", "submit_registration"]
