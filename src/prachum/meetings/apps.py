from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "meeting.created": _("Meeting created"),
    "meeting.cloned": _("Meeting copied"),
    "meeting.updated": _("Meeting details changed"),
    "meeting.published": _("Meeting published"),
    "meeting.registration_closed": _("Registration closed"),
    "meeting.cancelled": _("Meeting cancelled"),
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
    "meeting_role.granted": _("Role given"),  # by `prachum demo`
    "access.denied": _("Access refused"),  # by meetings.permissions, and the check-in API
}


class MeetingsConfig(AppConfig):
    name = "prachum.meetings"
    verbose_name = _("Meetings")

    def ready(self):
        from prachum.accounts.two_factor import register_organizer_roles
        from prachum.audit.changes import register_reading
        from prachum.meetings.permissions import holds_organizer_role
        from prachum.audit.kinds import register_kinds
        from prachum.meetings.models import Category, Delegation, Meeting, MeetingStatus, Role, Session

        register_kinds(AUDIT_KINDS, status=MeetingStatus, values={"role": Role})
        register_organizer_roles(holds_organizer_role)
        register_reading(
            kind_models={"meeting": Meeting, "session": Session, "category": Category, "delegation": Delegation},
            # A delegation is named by its organization as on the meeting's first day.
            named_from=[Delegation.objects.select_related("organization", "meeting")],
        )

        from prachum.jobs.services import register_result_reader
        from prachum.meetings.permissions import result_reader

        # A job's result (an export, badges) is downloaded only while its maker still holds a role that reads it.
        register_result_reader(result_reader)
