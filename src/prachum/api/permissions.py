"""What a token may do: read (GET, HEAD, OPTIONS) or also write, at its meeting or at any meeting its owner has
a role at, with its owner's roles there (meetings.permissions.MeetingAccess)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from .models import ApiToken


class TokenScope(permissions.BasePermission):
    message = _("This token may only read.")

    def has_permission(self, request, view):
        token = request.auth
        if not isinstance(token, ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or token.can_write


def token_reaches(token: ApiToken, meeting) -> bool:
    return token.meeting_id is None or token.meeting_id == meeting.pk
