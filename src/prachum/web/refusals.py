"""What a 403 page says: what was missing, and who can give it (web.views.permission_denied).

A refusal (PermissionDenied) carries the code of what was wanted: a site-wide right (accounts.roles), a
capability at one meeting (meetings.permissions.MeetingAccessDenied, with the capabilities that would have
allowed it), another delegation's data, or another person's job. web sits above every app, so it is the
one place that knows them all."""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from prachum.accounts.roles import ADMINISTER_SITE_ACTION, CREATE_MEETINGS_ACTION
from prachum.accounts.services import active_administrators
from prachum.meetings.models import MeetingRole, Role
from prachum.meetings.permissions import Capability, MeetingAccessDenied

# What each capability lets one do, and which roles give it.
CAPABILITY_TEXTS = {
    Capability.MANAGE: _("manage this meeting: the role of owner or manager"),
    Capability.REVIEW: _("review its registrations: the role of reviewer, manager or owner"),
    Capability.CHECK_IN: _("work at its check-in desk: the role of check-in staff, manager or owner"),
    Capability.FOCAL_POINT: _("act for a delegation: the role of focal point"),
    Capability.SEE_REGISTRATIONS: _("any role at this meeting"),
}

# Refusals that a view decides itself, after its decorator let the person in: what they would have needed.
ACTION_NEEDS = {
    "registration_decision": (Capability.REVIEW,),
    "bulk_message": (Capability.MANAGE,),
    "documents.upload": (Capability.MANAGE,),
    "exchange.export": (Capability.REVIEW, Capability.FOCAL_POINT),
}
OTHER_DELEGATION = {"registration_detail", "focal_point.delegation", "focal_point.registration", "exchange.import"}
JOB = {"job", "bulk_result"}


@dataclass
class Refusal:
    reason: str  # create_meetings, administer_site, meeting, delegation, job, other
    meeting: object = None
    needed: list = field(default_factory=list)  # what the capabilities let one do, in words
    grantors: list = field(default_factory=list)  # the accounts who can give it


def _people(users) -> list:
    return [{"name": user.get_full_name() or user.get_username(), "email": user.email} for user in users]


def _meeting_grantors(meeting) -> list:
    roles = (MeetingRole.objects.filter(meeting=meeting, role__in=[Role.OWNER, Role.MANAGER], user__is_active=True)
             .select_related("user").order_by("role", "user__first_name", "user__last_name", "user__username"))
    seen, users = set(), []
    for role in roles:
        if role.user_id not in seen:
            seen.add(role.user_id)
            users.append(role.user)
    return _people(users)


def refusal_of(request, exception) -> Refusal:
    action = exception.args[0] if exception is not None and exception.args else ""
    named = bool(getattr(request.user, "is_authenticated", False))  # names only for those who have logged in
    if action in (CREATE_MEETINGS_ACTION, ADMINISTER_SITE_ACTION):
        reason = "create_meetings" if action == CREATE_MEETINGS_ACTION else "administer_site"
        return Refusal(reason, grantors=_people(active_administrators()) if named else [])
    if isinstance(exception, MeetingAccessDenied):
        meeting = exception.meeting
        if action in JOB:
            return Refusal("job", meeting=meeting)
        if action in OTHER_DELEGATION:
            return Refusal("delegation", meeting=meeting)
        needed = exception.needed or ACTION_NEEDS.get(action, ())
        grantors = _meeting_grantors(meeting) if named else []
        reason = "meeting"
        if named and not grantors:
            reason, grantors = "meeting_without_managers", _people(active_administrators())
        return Refusal(reason, meeting=meeting, needed=[CAPABILITY_TEXTS[c] for c in needed if c in CAPABILITY_TEXTS],
                       grantors=grantors)
    if action in JOB:
        return Refusal("job")
    return Refusal("other", grantors=_people(active_administrators()) if named else [])
