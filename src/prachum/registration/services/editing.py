"""Changes by the registered person through their private manage link, and resending that link."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from prachum.core.outbox import messages_of
from prachum.meetings.models import CustomQuestion, Meeting
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.selectors import active_registration_by_email
from prachum.registration.services.answers import replace_answers
from prachum.registration.services.events import registration_event
from prachum.registration.services.locking import _require_transaction, lock_registration
from prachum.registration.services.notices import PARTICIPANT, audit, tell
from prachum.registration.services.rules import check_editable, resolve_category, resolve_organization, resolve_participation
from prachum.registration.services.seats import _promote_waitlisted, has_room
from prachum.registration.services.submission import RELATIONS, person_values

Status = Registration.Status


class _Unchanged:
    def __repr__(self):
        return "UNCHANGED"


UNCHANGED = _Unchanged()

# The same link is not sent twice within this time: the form is public, and someone else's address
# must not be usable to flood them.
LINK_RESEND_INTERVAL = timedelta(minutes=5)

# The audit's name of a change -> its name in Meeting.reapproval_fields (the rest are the same).
REAPPROVAL_KEYS = {"delegation": "organization", "organization_name": "organization", "position_lo": "position"}


def _recorded(value):
    """A value as the audit trail keeps it: an honorific by its code."""
    return getattr(value, "code", value)


def _needs_reapproval(registration: Registration, changed_fields: set, changed_answers: list[str]) -> bool:
    """An approved registration whose category needs approval had a field or an answer changed that
    the meeting marks "needs re-approval" (Meeting.reapproval_fields, CustomQuestionVersion.needs_reapproval)."""
    if registration.status != Status.APPROVED or not registration.category.needs_approval:
        return False
    meeting = registration.meeting
    if any(REAPPROVAL_KEYS.get(field, field) in meeting.reapproval_fields for field in changed_fields):
        return True
    return bool(changed_answers) and CustomQuestion.objects.filter(
        meeting_id=meeting.pk, key__in=changed_answers, current_version__needs_reapproval=True
    ).exists()


def _send_back_for_review(registration: Registration, before: dict, after: dict, *, actor, actor_label: str = "") -> None:
    """Approved -> pending after a change that needs review. The registration keeps its seat (a pending
    one holds it too); the earlier decision is cleared so that a reviewer decides again."""
    _require_transaction("_send_back_for_review")
    registration.status = Status.PENDING
    registration.decided_at = registration.decided_by = None
    registration.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit(registration, "registration.sent_back_for_review", actor=actor, actor_label=actor_label if actor else PARTICIPANT,
          before={"status": Status.APPROVED, **before}, after={"status": Status.PENDING, **after})
    tell(registration, "registration.changed_pending")
    registration_event("registration.status_changed", registration, before=Status.APPROVED.value)


@transaction.atomic(durable=True)
def update_registration(
    *,
    registration_id: int,
    person: dict,
    answers: dict | None = None,
    category=UNCHANGED,
    delegation=UNCHANGED,
    organization_name=UNCHANGED,
    participation=UNCHANGED,
    actor=None,
    actor_label: str = "",
) -> Registration:
    """Apply the person's edit of their registration; returns it.

    `person` holds the changed PERSON_FIELDS (absent ones are kept); `answers` as for
    services.answers.replace_answers. Category, delegation, organization name and participation are
    kept unless passed. The person may edit until the meeting's edit deadline (Meeting.edits_close:
    edits_close_at, or the meeting's start; code "edits_closed"). Moving to another category, delegation or way of taking part is a new seat
    request: a seat holder must fit there ("full"; the registration stays as it was), a waiting person
    keeps their place on the list; seats it leaves go to the waiting list. An approved registration
    cannot move itself into a category that needs approval ("needs_review"). An approved registration
    in a category that needs approval goes back to pending, keeping its seat, when the edit changes a
    field of Meeting.reapproval_fields or the answer to a question whose version needs_reapproval
    (audit "registration.sent_back_for_review", email "registration.changed_pending"); values that
    stay the same change nothing.
    `actor` None means the person through their manage link; `actor_label` names an API token as the actor.
    Codes: not_editable, edits_closed, duplicate_email, category_not_open, needs_review, delegation_invalid,
    organization_not_allowed, participation_not_offered, full.
    """
    registration = lock_registration(registration_id)
    meeting = registration.meeting
    now = timezone.now()
    check_editable(registration, now)

    values = person_values({"email": registration.email, **person})
    before, after = {}, {}
    for field, value in values.items():
        if getattr(registration, field) != value:
            before[field], after[field] = _recorded(getattr(registration, field)), _recorded(value)
            setattr(registration, field, value)
    if "email" in after and active_registration_by_email(meeting, registration.email) not in (None, registration):
        raise RegistrationError("duplicate_email")

    old_seat = (registration.category_id, registration.delegation_id, registration.participation)
    if category is not UNCHANGED and category.pk != registration.category_id:
        category = resolve_category(meeting, category, self_registration=True)
        if registration.status == Status.APPROVED and category.needs_approval:
            raise RegistrationError("needs_review")
        before["category"], after["category"] = registration.category_id, category.pk
        registration.category = category
    if delegation is not UNCHANGED or organization_name is not UNCHANGED:
        new_delegation = registration.delegation if delegation is UNCHANGED else delegation
        new_name = registration.organization_name if organization_name is UNCHANGED else organization_name
        new_delegation, new_name = resolve_organization(meeting, new_delegation, new_name)
        if (new_delegation and new_delegation.pk) != registration.delegation_id:
            before["delegation"], after["delegation"] = registration.delegation_id, new_delegation and new_delegation.pk
        if new_name != registration.organization_name:
            before["organization_name"], after["organization_name"] = registration.organization_name, new_name
        registration.delegation, registration.organization_name = new_delegation, new_name
    if participation is not UNCHANGED:
        participation = resolve_participation(meeting, participation)
        if participation != registration.participation:
            before["participation"], after["participation"] = registration.participation, participation
            registration.participation = participation

    moved = (registration.category_id, registration.delegation_id, registration.participation) != old_seat
    if moved and registration.status in Registration.SEAT_HOLDING and not has_room(
        meeting, category=registration.category, delegation=registration.delegation,
        participation=registration.participation, exclude_pk=registration.pk,
    ):
        raise RegistrationError("full")

    registration.full_clean(exclude=RELATIONS, validate_unique=False, validate_constraints=False)
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        if active_registration_by_email(meeting, registration.email) not in (None, registration):
            raise RegistrationError("duplicate_email") from None
        raise
    changed_answers = replace_answers(registration, answers)
    if changed_answers:
        after["answers"] = sorted(changed_answers)  # which questions, never the (maybe sensitive) values
    if before or after:
        audit(registration, "registration.updated", actor=actor, actor_label=actor_label if actor else PARTICIPANT,
              before=before, after=after)
    if _needs_reapproval(registration, set(after) - {"answers"}, changed_answers):
        reviewed = set(registration.meeting.reapproval_fields)
        _send_back_for_review(
            registration,
            {k: v for k, v in before.items() if REAPPROVAL_KEYS.get(k, k) in reviewed},
            {k: v for k, v in after.items() if REAPPROVAL_KEYS.get(k, k) in reviewed or k == "answers"},
            actor=actor, actor_label=actor_label,
        )
    if moved:
        _promote_waitlisted(meeting)
    return registration


@transaction.atomic(durable=True)
def resend_manage_link(*, meeting: Meeting, email: str) -> bool:
    """Send the private manage link again to `email` if it has an active registration at the meeting.

    The caller must answer the same way whatever the result ("if this address is registered, the link is
    on its way"), so that the form tells no one who is registered. Returns whether a message was queued,
    for tests: not when there is no registration, nor when the link went out less than
    LINK_RESEND_INTERVAL ago."""
    registration = active_registration_by_email(meeting, email)
    if registration is None:
        return False
    if messages_of(registration, kind="registration.link", since=timezone.now() - LINK_RESEND_INTERVAL):
        return False
    tell(registration, "registration.link")
    return True
