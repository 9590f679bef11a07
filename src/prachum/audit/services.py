from django.db import connection

from .kinds import SYSTEM
from .models import AuditEvent


def record_audit(*, kind: str, actor=None, actor_label: str = "", meeting=None, registration=None,
                 obj=None, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Write one AuditEvent. Call it inside the transaction of the change it records."""
    assert connection.in_atomic_block, "record_audit must run inside the change's transaction"
    if registration is not None and meeting is None:
        meeting = registration.meeting
    if not actor_label:
        actor_label = actor.get_username() if actor is not None else SYSTEM
    return AuditEvent.objects.create(
        kind=kind, actor=actor, actor_label=actor_label, meeting=meeting, registration=registration,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=before or {}, after=after or {},
    )
