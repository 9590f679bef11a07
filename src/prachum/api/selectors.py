"""Reads for the API token pages."""

from django.db.models import F

from prachum.meetings.models import Meeting, MeetingRole, Role
from prachum.meetings.permissions import ORGANIZER_ROLES

from .models import ApiToken

# The roles whose holders may make API tokens: check-in staff have the check-in device tokens instead.
TOKEN_ROLES = (*ORGANIZER_ROLES, Role.FOCAL_POINT)


def may_make_tokens(user) -> bool:
    return user.is_superuser or MeetingRole.objects.filter(user=user, role__in=TOKEN_ROLES).exists()


def token_meetings(user):
    """The meetings a token of `user` may be narrowed to: those where they hold an organizer's or a focal
    point's role (every meeting for a site admin)."""
    meetings = Meeting.objects.all()
    if not user.is_superuser:
        meetings = meetings.filter(pk__in=MeetingRole.objects.filter(user=user, role__in=TOKEN_ROLES)
                                   .values("meeting_id"))
    return meetings.order_by("-starts_at", "pk")


def tokens_of(user):
    return ApiToken.objects.filter(owner=user).select_related("meeting").order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-pk")
