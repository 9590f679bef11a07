"""Who may register where: the checks shared by submitting and editing a registration.

Each raises RegistrationError with a stable code, and returns the row it checked read fresh from the
database (the caller holds the meeting lock, so quotas read here stay true until commit).
"""

from datetime import datetime

from prachum.meetings.models import Category, Delegation, Meeting, MeetingRole
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Participation, Registration

PARTICIPATION_OFFERED = {
    Meeting.Format.IN_PERSON: (Participation.IN_PERSON,),
    Meeting.Format.ONLINE: (Participation.ONLINE,),
    Meeting.Format.HYBRID: (Participation.IN_PERSON, Participation.ONLINE),
}


def check_open(meeting: Meeting, now: datetime) -> None:
    """Registration is open: the meeting is published, inside its window, and has not ended."""
    if meeting.status == Meeting.Status.DRAFT:
        raise RegistrationError("not_open")
    if meeting.status != Meeting.Status.PUBLISHED:
        raise RegistrationError("closed")
    if meeting.registration_opens_at and now < meeting.registration_opens_at:
        raise RegistrationError("not_open")
    if meeting.registration_closes_at and now >= meeting.registration_closes_at:
        raise RegistrationError("closed")
    if now >= meeting.ends_at:
        raise RegistrationError("closed")


def check_editable(registration: Registration, now: datetime) -> None:
    """The person may change their registration: it is active, the meeting goes ahead, and its edit
    deadline (Meeting.edits_close: edits_close_at, or the meeting's start) has not passed.
    Cancelling has no deadline of its own: it stays possible until the meeting ends."""
    meeting = registration.meeting
    if registration.status not in Registration.ACTIVE:
        raise RegistrationError("not_editable")
    if meeting.status == Meeting.Status.CANCELLED or now >= meeting.ends_at:
        raise RegistrationError("not_editable")
    if now >= meeting.edits_close:
        raise RegistrationError("edits_closed")


def is_editable(registration: Registration, now: datetime) -> bool:
    try:
        check_editable(registration, now)
    except RegistrationError:
        return False
    return True


def resolve_participation(meeting: Meeting, participation: str | None) -> str:
    """How the person takes part; empty means the meeting's first way (in person at a hybrid meeting)."""
    offered = PARTICIPATION_OFFERED[Meeting.Format(meeting.format)]
    if not participation:
        return offered[0].value
    if participation not in offered:
        raise RegistrationError("participation_not_offered")
    return participation


def resolve_category(meeting: Meeting, category: Category, *, self_registration: bool) -> Category:
    """The category, fresh; it must be the meeting's, and open to self-registration when `self_registration`."""
    fresh = Category.objects.filter(pk=category.pk, meeting_id=meeting.pk).order_by().first()
    if fresh is None or (self_registration and not fresh.allows_self_registration):
        raise RegistrationError("category_not_open")
    return fresh


def resolve_organization(meeting: Meeting, delegation: Delegation | None, organization_name: str):
    """(delegation fresh or None, organization_name): a delegation of this meeting, or free text where
    the meeting allows it. With a delegation the free text is dropped: the delegation names the organization."""
    if delegation is not None:
        fresh = Delegation.objects.filter(pk=delegation.pk, meeting_id=meeting.pk).order_by().first()
        if fresh is None:
            raise RegistrationError("delegation_invalid")
        return fresh, ""
    organization_name = (organization_name or "").strip()
    if organization_name and not meeting.allows_free_text_organization:
        raise RegistrationError("organization_not_allowed")
    return None, organization_name


def is_focal_point(user, meeting: Meeting, delegation: Delegation | None) -> bool:
    if user is None or delegation is None:
        return False
    return MeetingRole.objects.filter(
        meeting=meeting, user=user, role=MeetingRole.Role.FOCAL_POINT, delegation=delegation
    ).exists()


def is_organizer(user, meeting: Meeting) -> bool:
    """An owner or manager of the meeting, or an administrator."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return MeetingRole.objects.filter(
        meeting=meeting, user=user, role__in=[MeetingRole.Role.OWNER, MeetingRole.Role.MANAGER]
    ).exists()
