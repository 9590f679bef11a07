"""Why a registration use case refused: a stable `code` for code and tests, a whole sentence for people.

Views show `error.message` (lazy: it is rendered in the language active when shown) and may act on
`error.code` (e.g. offer "send me my link again" on `duplicate_email`). Tests assert codes, not texts.
"""

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "duplicate_email": _(
        "This email address is already registered for this meeting. We can send you the link to your registration again."
    ),
    "not_open": _("Registration for this meeting is not open yet."),
    "closed": _("Registration for this meeting is closed."),
    "category_not_open": _("You cannot register yourself in this category."),
    "invitation_required": _(
        "Registration for this meeting is by personal invitation, and this invitation is not valid or has already been used."
    ),
    "nomination_only": _("Registration for this meeting is by nomination of the delegations' focal points only."),
    "not_focal_point": _("Only a focal point of this delegation can nominate its members."),
    "delegation_invalid": _("This delegation does not take part in this meeting."),
    "organization_not_allowed": _("Please choose one of the delegations of this meeting."),
    "participation_not_offered": _("This meeting cannot be attended in the way you chose."),
    "bad_transition": _("This registration cannot be changed in this way in its current state."),
    "full": _("There is no free seat for this registration."),
    "force_not_allowed": _("Only an organizer of this meeting can approve a registration beyond the seats available."),
    "not_editable": _("This registration can no longer be changed."),
    "edits_closed": _("The time for changing registrations to this meeting is over."),
    "needs_review": _("This change needs the organizers' review. Please write to them to ask for it."),
    "form_reused": _("This form has already been sent. Please open the registration page again to register someone else."),
}


class RegistrationError(Exception):
    """A use case of registration refused; `code` is one of MESSAGES' keys."""

    def __init__(self, code: str, message=None):
        if message is None:
            message = MESSAGES[code]
        super().__init__(code)
        self.code = code
        self.message = message

    def __str__(self):
        return f"{self.code}: {self.message}"

    def __repr__(self):
        return f"RegistrationError({self.code!r})"
