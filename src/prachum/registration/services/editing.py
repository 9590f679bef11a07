"""Changes by the registered person through their private manage link, and resending that link."""

from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.selectors import active_registration_by_email
from prachum.registration.services.answers import replace_answers
from prachum.registration.services.locking import lock_registration
from prachum.registration.services.notices import PARTICIPANT, audit, tell
from prachum.registration.services.rules import resolve_category, resolve_organization, resolve_participation
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


def _check_editable(registration: Registration, now) -> None:
    meeting = registration.meeting
    if registration.status not in Registration.ACTIVE:
        raise RegistrationError("not_editable")
    if meeting.status == Meeting.Status.CANCELLED or now >= meeting.ends_at:
        raise RegistrationError("not_editable")


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
) -> Registration:
    """Apply the person's edit of their registration; returns it.

    `person` holds the changed PERSON_FIELDS (absent ones are kept); `answers` as for
    services.answers.replace_answers. Category, delegation, organization name and participation are
    kept unless passed. Moving to another category, delegation or way of taking part is a new seat
    request: a seat holder must fit there ("full"; the registration stays as it was), a waiting person
    keeps their place on the list; seats it leaves go to the waiting list. An approved registration
    cannot move itself into a category that needs approval ("needs_review").
    `actor` None means the person through their manage link.
    Codes: not_editable, duplicate_email, category_not_open, needs_review, delegation_invalid,
    organization_not_allowed, participation_not_offered, full.
    """
    registration = lock_registration(registration_id)
    meeting = registration.meeting
    now = timezone.now()
    _check_editable(registration, now)

    values = person_values({"email": registration.email, **person})
    before, after = {}, {}
    for field, value in values.items():
        if getattr(registration, field) != value:
            before[field], after[field] = getattr(registration, field), value
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
        audit(registration, "registration.updated", actor=actor, actor_label="" if actor else PARTICIPANT,
              before=before, after=after)
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
    recent = Message.objects.filter(
        registration=registration, kind="registration.link", created_at__gte=timezone.now() - LINK_RESEND_INTERVAL
    )
    if recent.exists():
        return False
    tell(registration, "registration.link")
    return True
