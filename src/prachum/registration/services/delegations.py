"""A delegation as its focal point manages it: the Head of Delegation, and submitting the list.

Both run under the meeting lock (services/locking.py), re-check that the actor is the delegation's
focal point, and write an AuditEvent in the same transaction. Submitting also writes a Message to each
owner and manager of the meeting. A delegation may be changed and submitted again after submission;
`submitted_at` then says when the secretariat last got it.
"""

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from prachum.audit.services import record_audit
from prachum.core.outbox import RenderedEmail, queue_message
from prachum.meetings.models import Delegation, MeetingRole
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services.events import delegation_submitted
from prachum.registration.services.locking import lock_meeting, lock_registration
from prachum.registration.services.notices import audit
from prachum.registration.services.rules import is_focal_point
from prachum.registration.services.transitions import cancel_registration

MESSAGES = {
    "head_not_active": _("Only a pending or approved member can be the Head of Delegation."),
    "delegation_empty": _("Nominate at least one member before submitting the delegation."),
}
SUBMITTED_MESSAGE = "delegation.submitted"


def _error(code: str) -> RegistrationError:
    return RegistrationError(code, MESSAGES.get(code))


@transaction.atomic(durable=True)
def set_head_of_delegation(*, registration_id: int, actor, is_head: bool = True) -> Registration:
    """Mark (or unmark) a member as the Head of Delegation; the previous head is unmarked in the same
    transaction (the database allows one head per delegation). Codes: not_focal_point, head_not_active."""
    registration = lock_registration(registration_id)
    if not is_focal_point(actor, registration.meeting, registration.delegation):
        raise _error("not_focal_point")
    if is_head and registration.status not in Registration.SEAT_HOLDING:
        raise _error("head_not_active")
    previous = list(
        Registration.objects.select_for_update(no_key=True)
        .filter(delegation_id=registration.delegation_id, is_head_of_delegation=True)
        .exclude(pk=registration.pk)
    )
    if is_head:
        for old in previous:
            old.meeting = registration.meeting
            old.is_head_of_delegation = False
            old.save(update_fields=["is_head_of_delegation", "updated_at"])
            audit(old, "registration.head_of_delegation_unmarked", actor=actor, after={"replaced_by": registration.pk})
    if registration.is_head_of_delegation != is_head:
        registration.is_head_of_delegation = is_head
        registration.save(update_fields=["is_head_of_delegation", "updated_at"])
        audit(registration, "registration.head_of_delegation_marked" if is_head else "registration.head_of_delegation_unmarked",
              actor=actor, before={"previous": [old.pk for old in previous]} if is_head else None)
    return registration


@transaction.atomic(durable=True)
def withdraw_member(*, registration_id: int, actor, reason: str = "") -> Registration:
    """The focal point takes a member off the delegation (a change after submission, too): the registration
    is cancelled, the person told, the seat given to the waiting list. Codes: not_focal_point, bad_transition."""
    registration = lock_registration(registration_id)
    if not is_focal_point(actor, registration.meeting, registration.delegation):
        raise _error("not_focal_point")
    audit(registration, "registration.withdrawn_by_focal_point", actor=actor,
          before={"status": registration.status}, after={"reason": reason})
    return cancel_registration.in_transaction(registration_id=registration_id, actor=actor, reason=reason)


@transaction.atomic(durable=True)
def submit_delegation(*, delegation_id: int, actor) -> Delegation:
    """The focal point submits the delegation's list to the secretariat (again, after a change).
    Codes: not_focal_point, delegation_empty."""
    meeting_id = Delegation.objects.filter(pk=delegation_id).values_list("meeting_id", flat=True).get()
    meeting = lock_meeting(meeting_id)
    delegation = Delegation.objects.select_for_update(no_key=True).select_related("organization").get(pk=delegation_id)
    if not is_focal_point(actor, meeting, delegation):
        raise _error("not_focal_point")
    members = list(
        Registration.objects.filter(delegation=delegation, status__in=Registration.ACTIVE)
        .select_related("category").order_by("-is_head_of_delegation", "created_at")
    )
    if not members:
        raise _error("delegation_empty")
    before = delegation.submitted_at
    delegation.submitted_at = timezone.now()
    delegation.save(update_fields=["submitted_at"])
    record_audit(
        kind="delegation.submitted" if before is None else "delegation.resubmitted", actor=actor, meeting=meeting,
        obj=delegation, before={"submitted_at": before.isoformat() if before else None},
        after={"members": [m.pk for m in members]},
    )
    _tell_secretariat(meeting, delegation, members, actor)
    delegation_submitted(delegation, members, resubmitted=before is not None)
    return delegation


def _tell_secretariat(meeting, delegation, members, actor) -> list:
    # One outbox Message each, in their account's language (the meeting's where it has none).
    recipients = dict(sorted(
        (email, language if language in ("lo", "en") else (meeting.default_language or "lo"))
        for email, language in MeetingRole.objects.filter(
            meeting=meeting, role__in=[MeetingRole.Role.OWNER, MeetingRole.Role.MANAGER]
        ).values_list("user__email", "user__language") if email
    ))
    rendered = {}
    for language in sorted(set(recipients.values())):
        with translation.override(language):
            context = {
                "title": meeting.title, "organization": delegation.organization.name,
                "focal_point": actor.get_full_name() or actor.get_username(),
                "members": [
                    {"name": m.full_name, "category": m.category.name, "status": m.get_status_display(),
                     "is_head": m.is_head_of_delegation}
                    for m in members
                ],
                "review_url": settings.PRACHUM_BASE_URL + reverse("web:manage"),
            }
            templates = "registration/focal_point/emails/delegation_submitted"
            rendered[language] = RenderedEmail(
                subject=" ".join(render_to_string(f"{templates}.subject.txt", context).split()),
                text=render_to_string(f"{templates}.txt", context).strip() + "\n",
            )
    return [
        queue_message(kind=SUBMITTED_MESSAGE, to_email=email, language=language, meeting=meeting,
                      rendered=rendered[language])
        for email, language in recipients.items()
    ]
