"""Site-wide rights, apart from the per-meeting roles of meetings.permissions.

A site administrator invites and deactivates organizer accounts and grants "may create meetings";
both are Django permissions (accounts.administer_site, meetings.add_meeting), so a superuser has them."""

ADMINISTER_SITE = "accounts.administer_site"
CREATE_MEETINGS = "meetings.add_meeting"


def is_site_administrator(user) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(ADMINISTER_SITE)


def may_create_meetings(user) -> bool:
    return bool(getattr(user, "is_active", False)) and user.has_perm(CREATE_MEETINGS)


# The action codes a refusal (PermissionDenied) carries for these rights: the 403 page says, by them, what is
# missing and who grants it (web.views.permission_denied).
CREATE_MEETINGS_ACTION = "create_meeting"
ADMINISTER_SITE_ACTION = "administer_site"
