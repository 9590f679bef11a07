"""Every kind of AuditEvent, and how it reads on the organizer's pages (the audit log, a registration's
history, the overview's recent activity). A kind is "<area>.<what happened>"; a new kind is added here
with its label, or test_kinds fails and names it."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KIND_LABELS = {
    # A person's registration
    "registration.submitted": _("Registered"),
    "registration.approved": _("Approved"),
    "registration.rejected": _("Rejected"),
    "registration.waitlisted": _("Moved to the waiting list"),
    "registration.promoted": _("Given a seat from the waiting list"),
    "registration.cancelled": pgettext_lazy("audit", "Cancelled"),
    "registration.updated": _("Details changed"),
    "registration.sent_back_for_review": _("Sent back for review after a change"),
    "registration.category_changed": _("Category changed"),
    "registration.confirmation_resent": _("Confirmation sent again"),
    "registration.message_sent": _("Message sent"),
    "registration.endorsed": _("Endorsed by the focal point"),
    "registration.endorsement_declined": _("Endorsement declined by the focal point"),
    "registration.head_of_delegation_marked": _("Marked as Head of Delegation"),
    "registration.head_of_delegation_unmarked": _("No longer Head of Delegation"),
    "registration.withdrawn_by_focal_point": _("Withdrawn by the focal point"),
    "registration.protocol_role_changed": _("Role at the meeting changed"),
    "registration.protocol_rank_changed": _("Rank in the delegation changed"),
    "registration.exported": _("Registrations exported"),
    "invitation.created": _("Invited"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.reminded": _("Reminded of the invitation"),
    "invitation.revoked": _("Invitation withdrawn"),
    "delegation.submitted": _("Delegation submitted to the secretariat"),
    "delegation.resubmitted": _("Delegation submitted again after a change"),
    "message.resent": _("Email sent again from the outbox"),
    # The meeting and its setup
    "meeting.created": _("Meeting created"),
    "meeting.cloned": _("Meeting copied"),
    "meeting.loaded": _("Meeting loaded from a file"),
    "meeting.updated": _("Meeting details changed"),
    "meeting.published": _("Meeting published"),
    "meeting.registration_closed": _("Registration closed"),
    "meeting.cancelled": _("Meeting cancelled"),
    "meeting.times_changed": _("Session times changed"),
    "session.saved": _("Session saved"),
    "session.deleted": _("Session deleted"),
    "agenda_item.saved": _("Agenda item saved"),
    "agenda_item.deleted": _("Agenda item deleted"),
    "category.saved": _("Category saved"),
    "category.deleted": _("Category deleted"),
    "delegation.saved": _("Delegation saved"),
    "delegation.deleted": _("Delegation deleted"),
    "question.saved": _("Question saved"),
    "email_text.saved": _("Email text saved"),
    "role.given": _("Role given"),
    "role.removed": _("Role removed"),
    "role.invitation_resent": _("Account invitation sent again"),
    "meeting_role.granted": _("Role given"),
    "organizations.loaded": _("Organizations loaded from a file"),
    "honorific.added": _("Honorific added to the list"),
    # Badges and check-in
    "badges.printed": _("Badges printed"),
    "badges.design_saved": _("Badge design saved"),
    "badges.design_deleted": _("Badge design deleted"),
    "checkin.device_created": _("Check-in device added"),
    "checkin.device_revoked": _("Check-in device revoked"),
    "checkin.undone": _("Check-in undone"),
    # Online sessions
    "online.settings_changed": _("Online settings changed"),
    "online.settings_deleted": _("Online settings removed"),
    "online.reminder_rule_added": _("Reminder added"),
    "online.reminder_rule_deleted": _("Reminder removed"),
    # After the meeting
    "outcome.saved": _("Outcome saved"),
    "news.saved": _("News item saved"),
    "news.published": _("News item published"),
    "news.unpublished": _("News item withdrawn"),
    "document.uploaded": _("Document uploaded"),
    "document.deleted": _("Document deleted"),
    "document.visibility_changed": _("Document visibility changed"),
    "photo.added": _("Photo added"),
    "photo.deleted": _("Photo deleted"),
    # Security
    "access.denied": _("Access refused"),
    # Accounts and their site-wide rights (accounts.services): no meeting
    "account.invited": _("Organizer account invited"),
    "account.invitation_resent": _("Link to choose a password sent again"),
    "account.deactivated": _("Account deactivated"),
    "account.reactivated": _("Account reactivated"),
    "account.right_granted": _("Right granted"),
    "account.right_revoked": _("Right taken away"),
}


def kind_label(kind: str):
    """The kind as people read it; an unknown kind (one recorded by an older release) as its code."""
    return KIND_LABELS.get(kind, kind)


# What the fields of an event's before and after are called on the organizer's pages; any other field
# reads as the verbose name of the model's field, else as its key (audit/changes.py).
FIELD_LABELS = {
    "status": _("Status"),
    "reason": pgettext_lazy("audit", "Reason"),
    "category": _("Category"),
    "delegation": _("Delegation"),
    "participation": pgettext_lazy("audit", "Takes part"),
    "invitation": _("Invitation"),
    "email": _("Email"),
    "role": _("Role"),
    "protocol_role": _("Role at the meeting"),
    "protocol_rank": _("Rank in the delegation"),
    "code": _("Code"),
    "label_en": _("In English"),
    "label_lo": _("In Lao"),
    "user": pgettext_lazy("audit", "Account"),
    "file": _("File"),
    "language": _("Language"),
    "session": _("Session"),
    "organization": _("Organization"),
    "visibility": pgettext_lazy("audit", "Who may see it"),
    "changes": pgettext_lazy("audit", "What changed"),
    "account_created": pgettext_lazy("audit", "New account"),
    "may_create_meetings": _("May create meetings"),
    "administrator": _("Site administrator"),
    "is_active": pgettext_lazy("account", "Active"),
    "background": pgettext_lazy("audit", "Background"),
    "band_position": pgettext_lazy("audit", "Colour band"),
    "beyond_seats": pgettext_lazy("audit", "Beyond the seats"),
    "by_nomination": pgettext_lazy("audit", "By nomination"),
    "bytes": pgettext_lazy("audit", "Size (bytes)"),
    "calendar_sequence": pgettext_lazy("audit", "Calendar version"),
    "category_code": pgettext_lazy("audit", "Category code"),
    "client_id": pgettext_lazy("audit", "Number on the device"),
    "codes": pgettext_lazy("audit", "Codes"),
    "columns": pgettext_lazy("audit", "Columns"),
    "count": pgettext_lazy("audit", "Number"),
    "created": pgettext_lazy("audit", "Created"),
    "days_later": pgettext_lazy("audit", "Days later"),
    "delegations": pgettext_lazy("audit", "Delegations"),
    "emails": pgettext_lazy("audit", "Emails"),
    "format": pgettext_lazy("audit", "Format"),  # a meeting's, or an export's file
    "height": pgettext_lazy("audit", "Height"),
    "import": pgettext_lazy("audit", "Import"),
    "key": pgettext_lazy("audit", "Key"),
    "layout": pgettext_lazy("audit", "Layout"),
    "members": pgettext_lazy("audit", "Members"),
    "message": pgettext_lazy("audit", "Message"),
    "minutes_before": pgettext_lazy("audit", "Minutes before"),
    "name": pgettext_lazy("audit", "Name"),
    "path": pgettext_lazy("audit", "Page"),
    "replaced_by": pgettext_lazy("audit", "Replaced by"),
    "rows": pgettext_lazy("audit", "Rows"),
    "sensitive": pgettext_lazy("audit", "Sensitive columns"),
    "single": pgettext_lazy("audit", "One badge"),
    "size": pgettext_lazy("audit", "Size"),
    "source": pgettext_lazy("audit", "Copied from"),
    "subject": pgettext_lazy("audit", "Subject"),
    "submitted_at": pgettext_lazy("audit", "Submitted"),
    "type": pgettext_lazy("audit", "File type"),
    "updated": pgettext_lazy("audit", "Updated"),
    "version": pgettext_lazy("audit", "Version"),
    "wanted": pgettext_lazy("audit", "Asked for"),
    "width": pgettext_lazy("audit", "Width"),
}


# Who did it, where no account did: AuditEvent.actor_label as recorded, and as people read it.
PARTICIPANT = "participant"
SYSTEM = "system"
MEETING_FILE = "meeting file "  # + the file's name: `prachum load-meeting` (meetings/loading.py)
ACTOR_LABELS = {PARTICIPANT: _("the participant"), SYSTEM: _("the system")}


def actor_label(label: str):
    if label.startswith(MEETING_FILE):
        return _("the meeting file %(file)s") % {"file": label.removeprefix(MEETING_FILE)}
    return ACTOR_LABELS.get(label, label or "—")


# The counts of a loaded meeting file: "changes": {"sessions": {"created": 4, "updated": 1}, …}.
COUNTED_THINGS = {
    "meeting": pgettext_lazy("counted in a meeting file", "meeting"),
    "sessions": pgettext_lazy("counted in a meeting file", "sessions"),
    "agenda items": pgettext_lazy("counted in a meeting file", "agenda items"),
    "categories": pgettext_lazy("counted in a meeting file", "categories"),
    "delegations": pgettext_lazy("counted in a meeting file", "delegations"),
    "accounts": pgettext_lazy("counted in a meeting file", "accounts"),
    "roles": pgettext_lazy("counted in a meeting file", "roles"),
    "questions": pgettext_lazy("counted in a meeting file", "questions"),
    "question versions": pgettext_lazy("counted in a meeting file", "question versions"),
    "registrations": pgettext_lazy("counted in a meeting file", "registrations"),
    "answers": pgettext_lazy("counted in a meeting file", "answers"),
}
COUNT_ACTIONS = {
    "created": _("%(count)s created"),
    "updated": _("%(count)s updated"),
    "deleted": _("%(count)s deleted"),
    "unchanged": _("%(count)s unchanged"),
}


def _counts(value: dict) -> str:
    """"sessions: 4 created, 1 updated; categories: 5 created", in the active language."""
    return "; ".join(
        f"{COUNTED_THINGS.get(thing, thing)}: " + ", ".join(
            str(COUNT_ACTIONS[action]) % {"count": n} if action in COUNT_ACTIONS else f"{action} {n}"
            for action, n in actions.items()
        )
        for thing, actions in value.items()
    )


def value_label(kind: str, name: str, value):
    """A field's value as people read it: a status, a way of taking part or a role by its name, yes or no, the
    counts of a loaded file in words; any other value as it was recorded."""
    if isinstance(value, dict) and value and all(isinstance(v, dict) for v in value.values()):
        return _counts(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if name == "delegations" and value == "all":  # an export by someone who sees every registration
        return _("All delegations")
    if name == "status" and isinstance(value, str):
        # Imported here: audit is below the apps whose events it records.
        from prachum.meetings.models import MeetingStatus
        from prachum.notify.models import MessageStatus
        from prachum.registration.models import RegistrationStatus

        choices = (MeetingStatus if kind.startswith("meeting.")
                   else MessageStatus if kind.startswith("message.") else RegistrationStatus)
        return choices(value).label if value in choices.values else value
    if name in ("participation", "role") and isinstance(value, str):
        from prachum.meetings.models import Role
        from prachum.registration.models import Participation

        choices = Participation if name == "participation" else Role
        return choices(value).label if value in choices.values else value
    return value
