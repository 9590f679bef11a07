"""The domain events of registrations (prachum.core.events), emitted by the use cases in their transaction.

The payload names the registration by ids, codes and names, with its status before and after; it never
holds the private manage link or its token, nor any answer (sensitive or not): a receiver that needs more
asks the API with a token.
"""

from prachum.core import events
from prachum.registration.models import Registration


def registration_data(registration: Registration, *, before: str | None = None) -> dict:
    delegation = registration.delegation if registration.delegation_id else None
    category = registration.category if registration.category_id else None
    return {
        "registration": {
            "id": registration.pk,
            "meeting": registration.meeting.slug,
            "status": registration.status,
            "category": category.code if category else None,
            "delegation": delegation.organization.code if delegation else None,
            "organization_name": registration.organization_name,
            "given_name": registration.given_name,
            "family_name": registration.family_name,
            "name_lo": registration.name_lo,
            "full_name": registration.full_name,
            "email": registration.email,
            "is_head_of_delegation": registration.is_head_of_delegation,
            "participation": registration.participation,
        },
        "status_before": before,
        "status_after": registration.status,
    }


def registration_event(kind: str, registration: Registration, *, before: str | None = None) -> None:
    """Emit `kind` ("registration.created", "registration.status_changed", "registration.cancelled")."""
    events.emit(kind, meeting_id=registration.meeting_id, subject_id=registration.pk,
                data=lambda: registration_data(registration, before=before))


def delegation_submitted(delegation, members: list[Registration], *, resubmitted: bool) -> None:
    def data():
        return {
            "delegation": {"id": delegation.pk, "meeting": delegation.meeting.slug,
                           "organization": delegation.organization.code,
                           "organization_name": delegation.organization.name,
                           "submitted_at": delegation.submitted_at.isoformat()},
            "resubmitted": resubmitted,
            "members": [{"id": m.pk, "full_name": m.full_name, "status": m.status,
                         "is_head_of_delegation": m.is_head_of_delegation} for m in members],
        }
    events.emit("delegation.submitted", meeting_id=delegation.meeting_id, subject_id=f"delegation-{delegation.pk}",
                data=data)
