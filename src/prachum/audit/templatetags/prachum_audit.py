"""How audit events read on the organizer's pages: what happened, by whom, what changed."""

from django import template
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

register = template.Library()

# Kinds people read often; any other kind is shown as its dotted name, which stays clear enough.
KIND_LABELS = {
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
    "access.denied": _("Access refused"),
}

ACTOR_LABELS = {"participant": _("the participant"), "system": _("the system")}


@register.filter
def audit_kind(kind: str):
    return KIND_LABELS.get(kind, kind)


@register.filter
def audit_actor(label: str):
    return ACTOR_LABELS.get(label, label or "—")


@register.filter
def audit_changes(event) -> list[tuple[str, object, object]]:
    """(field, before or None, after) for every field the event names, before's order first."""
    before, after = event.before or {}, event.after or {}
    names = list(dict.fromkeys([*before, *after]))
    return [(name, before.get(name), after.get(name, "—")) for name in names]
