"""Protocol: who chairs the meeting (the organizer sets a registration's role) and the order of a
delegation's members (its focal point or an organizer sets their ranks).

Both run under the meeting lock (services/locking.py), re-check who the actor is, and write an
AuditEvent per changed registration in the same transaction. The order they give is read by
prachum.registration.ordering.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from prachum.meetings.models import Delegation
from prachum.registration.errors import RegistrationError
from prachum.registration.models import ProtocolRole, Registration
from prachum.registration.services.locking import lock_meeting, lock_registration
from prachum.registration.services.notices import audit
from prachum.registration.services.rules import is_focal_point, is_organizer

ROLE_CHANGED = "registration.protocol_role_changed"
RANK_CHANGED = "registration.protocol_rank_changed"
MAX_RANK = 999

MESSAGES = {
    "not_organizer": _("Only an organizer of this meeting can say who chairs it."),
    "bad_role": _("Choose Chair, Co-Chair or no role."),
    "chair_taken": _("The meeting already has a chair: %(name)s. Take that role away first."),
    "role_not_active": _("Only a pending or approved registration can chair the meeting."),
    "not_allowed": _("Only the delegation's focal point or an organizer of the meeting can order its members."),
    "not_in_delegation": _("This person is not a member of the delegation."),
    "bad_rank": _("A rank is a whole number from 1 to %(max)d, or empty."),
}


def _error(code: str, **values) -> RegistrationError:
    message = MESSAGES[code]
    return RegistrationError(code, message % values if values else message)


@transaction.atomic(durable=True)
def set_protocol_role(*, registration_id: int, role: str, actor) -> Registration:
    """Make the person the meeting's chair ("chair"), a co-chair ("co_chair") or neither (""). One chair
    per meeting. Codes: not_organizer, bad_role, role_not_active, chair_taken."""
    registration = lock_registration(registration_id)
    meeting = registration.meeting
    if not is_organizer(actor, meeting):
        raise _error("not_organizer")
    role = role or ""
    if role and role not in ProtocolRole.values:
        raise _error("bad_role")
    if role == registration.protocol_role:
        return registration
    if role and registration.status not in Registration.SEAT_HOLDING:
        raise _error("role_not_active")
    if role == ProtocolRole.CHAIR:
        chair = (Registration.objects.filter(meeting=meeting, protocol_role=ProtocolRole.CHAIR,
                                             status__in=Registration.SEAT_HOLDING)
                 .exclude(pk=registration.pk).first())
        if chair is not None:
            raise _error("chair_taken", name=chair.full_name)
    before = registration.protocol_role
    registration.protocol_role = role
    registration.save(update_fields=["protocol_role", "updated_at"])
    audit(registration, ROLE_CHANGED, actor=actor, before={"protocol_role": before}, after={"protocol_role": role})
    return registration


def may_order_delegation(user, delegation: Delegation) -> bool:
    """The delegation's focal point (their own delegation only) or an organizer of its meeting."""
    return is_focal_point(user, delegation.meeting, delegation) or is_organizer(user, delegation.meeting)


@transaction.atomic(durable=True)
def set_protocol_ranks(*, delegation_id: int, ranks: dict[int, int | None], actor) -> list[Registration]:
    """Give members of a delegation their rank (1 first after the head; None: by category and name).
    `ranks` maps registration ids to ranks; the changed registrations are returned. All or nothing.
    Codes: not_allowed, not_in_delegation, bad_rank."""
    meeting_id = Delegation.objects.filter(pk=delegation_id).values_list("meeting_id", flat=True).get()
    meeting = lock_meeting(meeting_id)
    delegation = Delegation.objects.select_related("organization").get(pk=delegation_id)
    delegation.meeting = meeting
    if not may_order_delegation(actor, delegation):
        raise _error("not_allowed")
    for rank in ranks.values():
        if rank is not None and not (isinstance(rank, int) and 1 <= rank <= MAX_RANK):
            raise _error("bad_rank", max=MAX_RANK)
    members = {
        registration.pk: registration
        for registration in Registration.objects.select_for_update(no_key=True, of=("self",))
        .filter(pk__in=list(ranks), delegation_id=delegation.pk)
    }
    if set(ranks) - set(members):
        raise _error("not_in_delegation")
    changed = []
    for pk, rank in sorted(ranks.items()):
        registration = members[pk]
        if registration.protocol_rank == rank:
            continue
        before = registration.protocol_rank
        registration.meeting = meeting
        registration.protocol_rank = rank
        registration.save(update_fields=["protocol_rank", "updated_at"])
        audit(registration, RANK_CHANGED, actor=actor, before={"protocol_rank": before}, after={"protocol_rank": rank})
        changed.append(registration)
    return changed
