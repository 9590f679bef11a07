"""Who may register where: the checks shared by submitting, importing and editing a registration.

`check_admission` decides whether a registration may be made: submit_registration (one person),
register_in_bulk (a file) and the import's dry run all ask it, so that a rule is written once. Each check
raises RegistrationError with a stable code, and returns the row it checked read fresh from the
database (the caller holds the meeting lock, so quotas read here stay true until commit).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from prachum.core.identity import email_key
from prachum.meetings.models import Category, Delegation, Meeting, MeetingRole
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Invitation, Participation, Registration

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


def resolve_category(meeting: Meeting, category: Category, *, self_registration: bool,
                     lookups: "Lookups | None" = None) -> Category:
    """The category, fresh; it must be the meeting's, and open to self-registration when `self_registration`."""
    fresh = (lookups or Lookups(meeting)).category(category.pk)
    if fresh is None or (self_registration and not fresh.allows_self_registration):
        raise RegistrationError("category_not_open")
    return fresh


def resolve_organization(meeting: Meeting, delegation: Delegation | None, organization_name: str,
                         lookups: "Lookups | None" = None):
    """(delegation fresh or None, organization_name): a delegation of this meeting, or free text where
    the meeting allows it. With a delegation the free text is dropped: the delegation names the organization."""
    if delegation is not None:
        fresh = (lookups or Lookups(meeting)).delegation(delegation.pk)
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


# --- May this registration be made? ---------------------------------------------------------------


class Lookups:
    """What the checks read of a meeting, one query per question: for one submit. `registered`: the
    email keys (prachum.core.identity.email_key) of the emails known to hold an active registration at the
    meeting, as the caller read them."""

    def __init__(self, meeting: Meeting, *, registered: Iterable[str] = ()):
        self.meeting = meeting
        self.registered = frozenset(registered)

    def category(self, pk: int) -> Category | None:
        return Category.objects.filter(pk=pk, meeting_id=self.meeting.pk).order_by().first()

    def delegation(self, pk: int) -> Delegation | None:
        return Delegation.objects.filter(pk=pk, meeting_id=self.meeting.pk).order_by().first()

    def is_focal_point(self, user, delegation: Delegation | None) -> bool:
        return is_focal_point(user, self.meeting, delegation)


class BatchLookups(Lookups):
    """The same answers for a file of rows, read once (four queries for any number of rows): the
    meeting's categories and delegations, the delegations `nominated_by` is focal point of, and which of
    `emails` are registered already."""

    def __init__(self, meeting: Meeting, *, nominated_by=None, emails: Iterable[str] = ()):
        keys = list({email_key(email) for email in emails if email})
        registered = (
            Registration.objects.filter(meeting=meeting, status__in=Registration.ACTIVE, email_key__in=keys)
            .values_list("email_key", flat=True)
        ) if keys else ()
        super().__init__(meeting, registered=registered)
        self._categories = {c.pk: c for c in Category.objects.filter(meeting=meeting)}
        self._delegations = {d.pk: d for d in Delegation.objects.filter(meeting=meeting)}
        self._focal_for = set(
            MeetingRole.objects.filter(meeting=meeting, user=nominated_by, role=MeetingRole.Role.FOCAL_POINT)
            .values_list("delegation_id", flat=True)
        ) if nominated_by is not None else set()
        self._nominated_by = nominated_by

    def category(self, pk: int) -> Category | None:
        return self._categories.get(pk)

    def delegation(self, pk: int) -> Delegation | None:
        return self._delegations.get(pk)

    def is_focal_point(self, user, delegation: Delegation | None) -> bool:
        if user is None or user != self._nominated_by:
            return super().is_focal_point(user, delegation)
        return delegation is not None and delegation.pk in self._focal_for


@dataclass(frozen=True)
class Admission:
    """What check_admission allows: the category and delegation as the database holds them now, and
    the values the registration gets."""

    category: Category
    delegation: Delegation | None
    organization_name: str
    participation: str


def check_not_registered(email: str, registered: Iterable[str]) -> None:
    """One active registration per email and meeting, however the address is spelt (`registered`: email keys)."""
    if email and email_key(email) in registered:
        raise RegistrationError("duplicate_email")


def check_invitation(meeting: Meeting, invitation: Invitation, now: datetime) -> None:
    """The invitation (read fresh) is this meeting's, unused, unrevoked and unexpired."""
    if (invitation.meeting_id != meeting.pk or invitation.used_at or invitation.revoked_at
            or (invitation.expires_at and invitation.expires_at <= now)):
        raise RegistrationError("invitation_required")


def check_meeting_admits(meeting: Meeting, now: datetime, *, invitation: Invitation | None = None,
                         nominated_by=None) -> None:
    """The meeting takes registrations now, and its mode the way this one comes: with a usable
    invitation (invitation-only meetings: nothing else, not even a focal point's nomination), nominated
    by a focal point (nomination meetings: nothing else, not even an invitation), or by the person
    themselves (open meetings, where an invitation or a nomination is welcome too)."""
    check_open(meeting, now)
    if invitation is not None:
        check_invitation(meeting, invitation, now)
    mode = meeting.registration_mode
    if mode == Meeting.RegistrationMode.INVITATION and invitation is None:
        raise RegistrationError("invitation_required")
    if mode == Meeting.RegistrationMode.NOMINATION and nominated_by is None:
        raise RegistrationError("nomination_only")


def check_person_admits(meeting: Meeting, *, category: Category, delegation: Delegation | None = None,
                        organization_name: str = "", participation: str | None = None,
                        invitation: Invitation | None = None, nominated_by=None, lookups: Lookups) -> Admission:
    """The rules of one person's registration that do not depend on the meeting's state alone: the way
    of taking part is offered, the delegation is the meeting's (an invitation's, if none is chosen) or free
    text is allowed, a nominating focal point is that delegation's, and the category is the meeting's and
    open to self-registration unless the person is nominated or invited to it."""
    participation = resolve_participation(meeting, participation)
    if delegation is None and invitation is not None and invitation.delegation_id:
        delegation = invitation.delegation
    delegation, organization_name = resolve_organization(meeting, delegation, organization_name, lookups)
    if nominated_by is not None and not lookups.is_focal_point(nominated_by, delegation):
        raise RegistrationError("not_focal_point")
    invited_to_category = invitation is not None and invitation.category_id == category.pk
    category = resolve_category(meeting, category, self_registration=nominated_by is None and not invited_to_category,
                                lookups=lookups)
    return Admission(category, delegation, organization_name, participation)


def check_admission(meeting: Meeting, *, now: datetime, email: str, category: Category,
                    delegation: Delegation | None = None, organization_name: str = "",
                    participation: str | None = None, invitation: Invitation | None = None, nominated_by=None,
                    lookups: Lookups | None = None) -> Admission:
    """Whether this registration may be made at `meeting` now, and with what (Admission); else
    RegistrationError, whose message says why in the language active when it is shown.

    In this order: the email is not registered here already (duplicate_email: first, so that a person
    who registered before is told so and offered their link even once registration has closed), the
    meeting takes it (check_meeting_admits: not_open, closed, invitation_required, nomination_only), and
    the person's choices (check_person_admits: participation_not_offered, delegation_invalid,
    organization_not_allowed, not_focal_point, category_not_open). `invitation`: read fresh by the
    caller. Seats are not decided here: whether one is free is counted under the meeting lock
    (seats.fits), and a registration that finds none waits."""
    lookups = lookups or Lookups(meeting)
    check_not_registered(email, lookups.registered)
    check_meeting_admits(meeting, now, invitation=invitation, nominated_by=nominated_by)
    return check_person_admits(
        meeting, category=category, delegation=delegation, organization_name=organization_name,
        participation=participation, invitation=invitation, nominated_by=nominated_by, lookups=lookups,
    )
