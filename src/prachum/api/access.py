"""The meeting a request names, and what its token's owner may do there."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions

from prachum.meetings.models import Meeting, MeetingRole
from prachum.meetings.permissions import MeetingAccess

from .permissions import token_reaches


class OtherMeeting(exceptions.PermissionDenied):
    default_detail = _("This token is for another meeting.")
    default_code = "other_meeting"


class NoRole(exceptions.PermissionDenied):
    default_detail = _("The token's owner has no role at this meeting.")
    default_code = "no_role"


def meeting_access(request, slug: str) -> MeetingAccess:
    """The MeetingAccess of the token's owner at the meeting `slug`; 404 for no such meeting, 403 when the
    token does not reach it or its owner has no role there."""
    meeting = Meeting.objects.filter(slug=slug).first()
    if meeting is None:
        raise exceptions.NotFound(_("No meeting has this short name."))
    if not token_reaches(request.auth, meeting):
        raise OtherMeeting()
    access = MeetingAccess.of(request.user, meeting)
    if not access.capabilities:
        raise NoRole()
    return access


def reachable_meetings(request):
    """The meetings the token may name: its own, or every one its owner has a role at (all for a site admin)."""
    meetings = Meeting.objects.all()
    if not request.user.is_superuser:
        meetings = meetings.filter(pk__in=MeetingRole.objects.filter(user=request.user).values("meeting_id"))
    if request.auth.meeting_id is not None:
        meetings = meetings.filter(pk=request.auth.meeting_id)
    return meetings.order_by("-starts_at", "pk")
