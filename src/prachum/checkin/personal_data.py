"""A person's check-ins, for their export (registration.personal_data). They hold nothing that names the
person beyond the registration, which erasure anonymises: they stay as they are, and attendance counts hold."""

from prachum.checkin.models import CheckIn
from prachum.registration.personal_data import PersonalData


def export_check_ins(registration, *, sees_sensitive: bool) -> list[dict]:
    return [
        {"session": str(c.session.title) if c.session_id else None, "checked_in": c.checked_in_at.isoformat(),
         "undone": c.undone_at.isoformat() if c.undone_at else None, "conflict": c.is_conflict}
        for c in CheckIn.objects.filter(registration=registration).select_related("session").order_by("checked_in_at")
    ]


PART = PersonalData(key="check_ins", export=export_check_ins)
