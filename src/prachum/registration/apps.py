from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


# The audit kinds this app records, as the audit pages read them (audit.kinds.register_kinds).
AUDIT_KINDS = {
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
    "invitation.created": _("Invited"),
    "invitation.resent": _("Invitation sent again"),
    "invitation.reminded": _("Reminded of the invitation"),
    "invitation.revoked": _("Invitation withdrawn"),
    "delegation.submitted": _("Delegation submitted to the secretariat"),
    "delegation.resubmitted": _("Delegation submitted again after a change"),
    "registration.erased": _("Personal data erased"),
    "registration.data_exported": _("Personal data exported"),
    "meeting.personal_data_erased": _("Personal data of the meeting erased (retention period ended)"),
    "meeting.retention_warned": _("Owners told that personal data will be erased"),
}


class RegistrationConfig(AppConfig):
    name = "prachum.registration"
    verbose_name = _("Registrations")

    def ready(self):
        from prachum.audit.changes import register_reading
        from prachum.audit.kinds import register_kinds
        from prachum.meetings import setup
        from prachum.registration.models import Participation, Registration, RegistrationStatus
        from prachum.registration.selectors import seats_taken
        from prachum.registration.services.seats import _promote_waitlisted

        register_kinds(AUDIT_KINDS, status=RegistrationStatus, values={"participation": Participation})
        register_reading(kind_models={"registration": Registration},
                         id_models={"replaced_by": Registration, "members": Registration})
        # A meeting's capacities and quotas are checked against the seats held, and raising one gives the
        # freed seats to the waiting list.
        setup.register_seat_keeper(seats_taken=seats_taken, give_free_seats=_promote_waitlisted)

        from prachum.jobs import engine
        from prachum.registration.services.erasure import run_retention

        # The meetings' retention periods, on the engine's tick: owners warned 30 days before, then the
        # people's data anonymised.
        engine.register_periodic("retention", run_retention)
