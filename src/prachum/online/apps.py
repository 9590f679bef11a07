from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
    "online.settings_changed": _("Online settings changed"),
    "online.settings_deleted": _("Online settings removed"),
    "online.reminder_rule_added": _("Reminder added"),
    "online.reminder_rule_deleted": _("Reminder removed"),
    "meeting.times_changed": _("Session times changed"),
}


class OnlineConfig(AppConfig):
    name = "prachum.online"
    verbose_name = _("Online attendance")

    def ready(self):
        from prachum.audit.kinds import register_kinds

        register_kinds(AUDIT_KINDS)

        from prachum.meetings import setup
        from prachum.online.services import meeting_times_changed

        # Moved meeting or session times raise the calendar SEQUENCE and tell the approved participants.
        setup.register_times_changed(meeting_times_changed)

        from prachum.notify.ics import register_calendar_details
        from prachum.online.services import calendar_details

        # The calendar file (notify, below online) says who joins online and carries their join links.
        register_calendar_details(calendar_details)

        from prachum.jobs import engine
        from prachum.online import reminders

        # Reminders before sessions and BigBlueButton's attendee lists, on the engine's tick (the outbox
        # sends their emails as its own queue).
        engine.register_periodic("online", lambda: reminders.run_scheduled(send_messages=False))

        from prachum.online import personal_data
        from prachum.registration.personal_data import register_personal_data

        # A person's export and erasure (registration, below) take in their online joins.
        register_personal_data(personal_data.PART)
