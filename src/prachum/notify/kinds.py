"""Every kind of Message, as organizers read it in the outbox. A kind is "<area>.<what>", written by the
app that writes the message; one that is not listed here (written by a newer app) reads as its code."""

from django.utils.translation import pgettext_lazy

KIND_LABELS = {
    # To a registered person (notify.emails.KINDS), about their registration
    "registration.received": pgettext_lazy("message kind", "Registration received"),
    "registration.confirmed": pgettext_lazy("message kind", "Registration confirmed, with the e-ticket"),
    "registration.waitlisted": pgettext_lazy("message kind", "On the waiting list"),
    "registration.promoted": pgettext_lazy("message kind", "A seat from the waiting list"),
    "registration.rejected": pgettext_lazy("message kind", "Registration rejected"),
    "registration.cancelled": pgettext_lazy("message kind", "Registration cancelled"),
    "registration.link": pgettext_lazy("message kind", "Private link, on request"),
    "registration.changed_pending": pgettext_lazy("message kind", "A change to review again"),
    "registration.endorsed": pgettext_lazy("message kind", "Endorsed by the focal point"),
    "registration.organizer_message": pgettext_lazy("message kind", "Message from the organizers"),
    # Invitations and roles
    "invitation.sent": pgettext_lazy("message kind", "Invitation to register"),
    "invitation.reminder": pgettext_lazy("message kind", "Reminder of an invitation to register"),
    "account.invitation": pgettext_lazy("message kind", "Invitation to a role (focal point, colleague)"),
    "account.organizer_invitation": pgettext_lazy("message kind", "Invitation to an organizer account"),
    # To the secretariat
    "delegation.submitted": pgettext_lazy("message kind", "Delegation submitted by its focal point"),
    "webhook.disabled": pgettext_lazy("message kind", "Webhook disabled after repeated failures"),
    # Online sessions
    "online.reminder": pgettext_lazy("message kind", "Reminder of an online session"),
    "online.calendar_updated": pgettext_lazy("message kind", "Changed times, with the calendar file"),
}


def kind_label(kind: str):
    return KIND_LABELS.get(kind, kind)
