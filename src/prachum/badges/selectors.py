"""Who gets a badge, and in which order the badges come out of the printer."""

from django.utils.translation import gettext_lazy as _

from prachum.registration.models import Participation, Registration
from prachum.registration.ordering import in_protocol_order

NOT_APPROVED = _("Only an approved registration gets a badge. This one is: %(status)s.")
ONLINE = _("This person takes part online and gets no badge.")


def badge_order(queryset):
    """In protocol order (prachum.registration.ordering), as the List of Participants: the chair and
    co-chairs, then each delegation in protocol order with its head first, then by rank, category, name."""
    return in_protocol_order(queryset.select_related("category", "delegation__organization", "delegation__meeting", "honorific"))


def badge_registrations(meeting, *, statuses=(Registration.Status.APPROVED,), category_ids=(), delegation_ids=(),
                        registration_ids=(), not_printed: bool = False):
    """The in-person registrations of `meeting` in `statuses` (approved by default), optionally of some
    categories or delegations, or only those whose badge was never printed, in printing order. Online participants of a hybrid meeting never get a badge."""
    queryset = Registration.objects.filter(
        meeting=meeting, participation=Participation.IN_PERSON, status__in=list(statuses)
    )
    if category_ids:
        queryset = queryset.filter(category_id__in=list(category_ids))
    if delegation_ids:
        queryset = queryset.filter(delegation_id__in=list(delegation_ids))
    if registration_ids:
        queryset = queryset.filter(pk__in=list(registration_ids))
    if not_printed:
        queryset = queryset.exclude(badge_prints__isnull=False)
    return badge_order(queryset)


def why_no_badge(registration) -> str:
    """Empty when the registration gets a badge; else the reason, for the person at the desk."""
    if registration.participation != Participation.IN_PERSON:
        return str(ONLINE)
    if registration.status != Registration.Status.APPROVED:
        return str(NOT_APPROVED) % {"status": registration.get_status_display()}
    return ""
