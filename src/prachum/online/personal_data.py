"""A person's online joins, for their export and their erasure (registration.personal_data)."""

from prachum.online.models import Join
from prachum.registration.personal_data import PersonalData


def export_joins(registration, *, sees_sensitive: bool) -> list[dict]:
    return [
        {"session": str(j.session.title), "joined": j.joined_at.isoformat(), "source": j.source,
         "browser": j.user_agent}
        for j in Join.objects.filter(registration=registration).select_related("session").order_by("joined_at")
    ]


def erase_joins(*, meeting_id: int, registration_ids: list[int], emails: list[str]) -> int:
    """The joins stay (attendance counts); the browser that joined goes."""
    return Join.objects.filter(registration_id__in=registration_ids).exclude(user_agent="").update(user_agent="")


PART = PersonalData(key="joins", export=export_joins, erase=erase_joins)
