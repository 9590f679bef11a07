"""Who may do what at one meeting: the one place organizer, reviewer, check-in and focal-point views ask.

    from prachum.meetings.permissions import Capability, meeting_access_required

    @meeting_access_required(Capability.REVIEW)
    def approve(request, slug, access):   # access: MeetingAccess, access.meeting is loaded
        ...

A view decorated this way needs a login (anonymous users go to the login page) and one of the
capabilities at the meeting named by `slug`; without it the user gets a 403 page and the refusal is
audited. A superuser has every capability except being a focal point.
"""

import enum
import functools
from dataclasses import dataclass, field

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from prachum.meetings.models import Meeting, MeetingRole, Role


class Capability(enum.StrEnum):
    MANAGE = "manage"  # change the meeting's setup, roles, messages; everything a reviewer does
    REVIEW = "review"  # see every registration, approve, reject, export
    CHECK_IN = "check_in"  # the check-in desk: names and status only, no export
    FOCAL_POINT = "focal_point"  # one's own delegation(s) only
    SEE_REGISTRATIONS = "see_registrations"  # any of the above


_CAPABILITIES_OF_ROLE = {
    Role.OWNER: {Capability.MANAGE, Capability.REVIEW, Capability.CHECK_IN},
    Role.MANAGER: {Capability.MANAGE, Capability.REVIEW, Capability.CHECK_IN},
    Role.REVIEWER: {Capability.REVIEW},
    Role.CHECKIN: {Capability.CHECK_IN},
    Role.FOCAL_POINT: {Capability.FOCAL_POINT},
}


@dataclass
class MeetingAccess:
    """What `user` may do at `meeting`, read once per request (one query)."""

    meeting: Meeting
    user: object
    roles: set[str] = field(default_factory=set)
    delegation_ids: set[int] = field(default_factory=set)  # the delegations the user is focal point of
    capabilities: set[Capability] = field(default_factory=set)

    @classmethod
    def of(cls, user, meeting: Meeting) -> "MeetingAccess":
        access = cls(meeting=meeting, user=user)
        if not getattr(user, "is_authenticated", False):
            return access
        for role, delegation_id in MeetingRole.objects.filter(meeting=meeting, user=user).values_list(
            "role", "delegation_id"
        ):
            access.roles.add(role)
            access.capabilities |= _CAPABILITIES_OF_ROLE.get(role, set())
            if delegation_id:
                access.delegation_ids.add(delegation_id)
        if user.is_superuser:
            access.capabilities |= {Capability.MANAGE, Capability.REVIEW, Capability.CHECK_IN}
        if access.capabilities:
            access.capabilities.add(Capability.SEE_REGISTRATIONS)
        return access

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def can_manage(self) -> bool:
        return self.can(Capability.MANAGE)

    @property
    def can_review(self) -> bool:
        return self.can(Capability.REVIEW)

    @property
    def can_check_in(self) -> bool:
        return self.can(Capability.CHECK_IN)

    @property
    def can_export(self) -> bool:
        # Check-in staff see names and status at the desk but take no list home.
        return self.can(Capability.REVIEW) or self.can(Capability.FOCAL_POINT)

    @property
    def is_focal_point(self) -> bool:
        return self.can(Capability.FOCAL_POINT)

    @property
    def sees_all_registrations(self) -> bool:
        return self.can(Capability.REVIEW) or self.can(Capability.CHECK_IN)

    def may_see_registration(self, registration) -> bool:
        if registration.meeting_id != self.meeting.pk:
            return False
        if self.sees_all_registrations:
            return True
        return self.is_focal_point and registration.delegation_id in self.delegation_ids

    def deny(self, request, action: str, *, needed=(), **details):
        """Audit a refusal and raise MeetingAccessDenied (a 403 page in the user's language that says which
        of the capabilities `needed` was missing and who at this meeting gives roles)."""
        from django.db import transaction

        from prachum.audit.services import record_audit

        with transaction.atomic():
            record_audit(
                kind="access.denied",
                meeting=self.meeting,
                actor=self.user if getattr(self.user, "is_authenticated", False) else None,
                after={"wanted": action, "path": request.path, **details},
            )
        raise MeetingAccessDenied(action, meeting=self.meeting, needed=needed)


def result_reader(user, job) -> bool:
    """Whether `user` may still download the result of `job` (an export, badges, a report) of its meeting:
    while they hold a role that made it (manage, review, or focal point); jobs.services.may_read_result."""
    access = MeetingAccess.of(user, job.meeting)
    return access.can_review or access.can_manage or access.is_focal_point


class MeetingAccessDenied(PermissionDenied):
    """A refusal at one meeting: the action wanted, and the capabilities that would have allowed it (empty
    where the view's own rule refused, e.g. another delegation's registration)."""

    def __init__(self, action: str, *, meeting: Meeting, needed=()):
        super().__init__(action)
        self.action, self.meeting, self.needed = action, meeting, tuple(needed)


def meeting_access_required(*capabilities: Capability):
    """Decorate a view `view(request, slug, *args, access, **kwargs)`: login, the meeting, and any of `capabilities`."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, slug, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            meeting = get_object_or_404(Meeting, slug=slug)
            access = MeetingAccess.of(request.user, meeting)
            if not any(access.can(c) for c in capabilities):
                access.deny(request, view.__name__, needed=capabilities)
            return view(request, slug, *args, access=access, **kwargs)

        return wrapped

    return decorator


# The roles that see and change every registration of a meeting: their accounts must log in with a second
# factor when settings.PRACHUM_REQUIRE_2FA is "organizers" (accounts.two_factor, told at start-up).
ORGANIZER_ROLES = (Role.OWNER, Role.MANAGER, Role.REVIEWER)


def holds_organizer_role(user) -> bool:
    return MeetingRole.objects.filter(user=user, role__in=ORGANIZER_ROLES).exists()
