"""Decisions on a registration: approve, reject, move to the waiting list, cancel, promote.

Each is one transaction: lock the meeting, then the registration (services/locking.py), re-check the
transition against Registration.TRANSITIONS, change it, write the AuditEvent and queue the Message.
A change that frees a seat gives it to the waiting list in the same transaction.
"""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from prachum.core.transactions import use_case
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services.events import registration_event
from prachum.registration.services.locking import lock_meeting, lock_registration
from prachum.registration.services.notices import PARTICIPANT, audit, tell
from prachum.registration.services.rules import is_organizer
from prachum.registration.services.seats import _promote_waitlisted, has_room

Status = Registration.Status


NOT_ENDORSED = _("This registration waits for its delegation's focal point to endorse it; it can be approved after that.")
CHANGED = _("This registration was changed by someone else after you opened the page. Please look at it again.")


def _check_transition(registration: Registration, status: str, unchanged_since: datetime | None = None) -> None:
    # `unchanged_since`: the updated_at the deciding person saw (a list page, a bulk selection); checked
    # under the lock so that a decision is never taken on a row that changed meanwhile.
    if unchanged_since is not None and registration.updated_at != unchanged_since:
        raise RegistrationError("changed", CHANGED)
    if not registration.can_become(status):
        raise RegistrationError("bad_transition")


@use_case
def approve_registration(*, registration_id: int, actor=None, force: bool = False,
                         unchanged_since: datetime | None = None, actor_label: str = "") -> Registration:
    """Approve a pending or waitlisted registration.

    A pending registration holds its seat already. A waitlisted one takes a seat now, so it must fit the
    meeting's capacity and its category's and delegation's quotas (code "full"), unless an organizer of the
    meeting (owner, manager, administrator) approves it with `force=True` ("force_not_allowed" otherwise).
    A registration of a category that needs endorsement is approved only after its focal point endorsed it
    (code "not_endorsed"). `unchanged_since`, here and in the other transitions: the registration's
    updated_at as the deciding person saw it (code "changed" when it differs).
    Codes: bad_transition, full, force_not_allowed, not_endorsed, changed."""
    registration = lock_registration(registration_id)
    _check_transition(registration, Status.APPROVED, unchanged_since)
    if registration.category.needs_endorsement and registration.endorsed_at is None:
        raise RegistrationError("not_endorsed", NOT_ENDORSED)
    before = registration.status
    forced = False
    if before == Status.WAITLISTED and not has_room(
        registration.meeting, category=registration.category, delegation=registration.delegation,
        participation=registration.participation,
    ):
        if not force:
            raise RegistrationError("full")
        if not is_organizer(actor, registration.meeting):
            raise RegistrationError("force_not_allowed")
        forced = True
    registration.status = Status.APPROVED
    registration.decided_at, registration.decided_by = timezone.now(), actor
    registration.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit(registration, "registration.approved", actor=actor, actor_label=actor_label, before={"status": before},
          after={"status": registration.status, "beyond_seats": forced})
    tell(registration, "registration.confirmed")
    registration_event("registration.status_changed", registration, before=before)
    return registration


@use_case
def reject_registration(*, registration_id: int, actor=None, unchanged_since: datetime | None = None, reason: str = "",
                        actor_label: str = "") -> Registration:
    """Reject a pending or waitlisted registration; a freed seat goes to the waiting list. Code: bad_transition."""
    registration = lock_registration(registration_id)
    _check_transition(registration, Status.REJECTED, unchanged_since)
    before = registration.status
    registration.status = Status.REJECTED
    registration.decided_at, registration.decided_by, registration.decision_reason = timezone.now(), actor, reason
    registration.save(update_fields=["status", "decided_at", "decided_by", "decision_reason", "updated_at"])
    audit(registration, "registration.rejected", actor=actor, actor_label=actor_label, before={"status": before},
          after={"status": registration.status, "reason": reason})
    tell(registration, "registration.rejected")
    registration_event("registration.status_changed", registration, before=before)
    if before in Registration.SEAT_HOLDING:
        _promote_waitlisted(registration.meeting)
    return registration


@use_case
def waitlist_registration(*, registration_id: int, actor=None, unchanged_since: datetime | None = None) -> Registration:
    """Move a pending registration to the end of the waiting list. Its seat goes to the people already
    waiting who fit, never back to it in the same step. Code: bad_transition."""
    registration = lock_registration(registration_id)
    _check_transition(registration, Status.WAITLISTED, unchanged_since)
    before = registration.status
    registration.status, registration.waitlisted_at = Status.WAITLISTED, timezone.now()
    registration.save(update_fields=["status", "waitlisted_at", "updated_at"])
    audit(registration, "registration.waitlisted", actor=actor, before={"status": before},
          after={"status": registration.status})
    tell(registration, "registration.waitlisted")
    registration_event("registration.status_changed", registration, before=before)
    _promote_waitlisted(registration.meeting, exclude=[registration.pk])
    return registration


@use_case
def cancel_registration(*, registration_id: int, actor=None, unchanged_since: datetime | None = None, reason: str = "",
                        actor_label: str = "") -> Registration:
    """Cancel a registration in any state but cancelled; its seat goes to the waiting list.
    `actor` None means the person through their private manage link. Code: bad_transition."""
    registration = lock_registration(registration_id)
    _check_transition(registration, Status.CANCELLED, unchanged_since)
    before = registration.status
    registration.status, registration.cancelled_at = Status.CANCELLED, timezone.now()
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    audit(registration, "registration.cancelled", actor=actor, actor_label=actor_label if actor else PARTICIPANT,
          before={"status": before}, after={"status": registration.status, "reason": reason})
    tell(registration, "registration.cancelled")
    registration_event("registration.cancelled", registration, before=before)
    if before in Registration.SEAT_HOLDING:
        _promote_waitlisted(registration.meeting)
    return registration


@use_case
def promote_waitlisted(*, meeting_id: int, actor=None) -> list[Registration]:
    """Fill the meeting's free seats from its waiting list (e.g. after an organizer raised a quota);
    returns the registrations promoted."""
    meeting = lock_meeting(meeting_id)
    return _promote_waitlisted(meeting, actor=actor)
