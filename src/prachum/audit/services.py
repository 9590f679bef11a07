from django.db import connection

from .kinds import SYSTEM
from .models import AuditEvent


def _event(*, kind: str, actor=None, actor_label: str = "", meeting=None, registration=None,
           obj=None, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    if registration is not None and meeting is None:
        meeting = registration.meeting
    if not actor_label:
        actor_label = actor.get_username() if actor is not None else SYSTEM
    return AuditEvent(
        kind=kind, actor=actor, actor_label=actor_label, meeting=meeting, registration=registration,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        before=before or {}, after=after or {},
    )


def record_audit(*, kind: str, actor=None, actor_label: str = "", meeting=None, registration=None,
                 obj=None, before: dict | None = None, after: dict | None = None) -> AuditEvent:
    """Write one AuditEvent. Call it inside the transaction of the change it records."""
    assert connection.in_atomic_block, "record_audit must run inside the change's transaction"
    event = _event(kind=kind, actor=actor, actor_label=actor_label, meeting=meeting, registration=registration,
                   obj=obj, before=before, after=after)
    event.save(force_insert=True)
    return event


def record_audits(events: list[dict]) -> list[AuditEvent]:
    """Write many AuditEvents at once, each dict the keyword arguments of one record_audit call: for a
    use case that changes thousands of rows in one transaction (an import), one INSERT per 1,000 events
    instead of one each. Call it inside the transaction of the change it records."""
    assert connection.in_atomic_block, "record_audits must run inside the change's transaction"
    return AuditEvent.objects.bulk_create([_event(**event) for event in events], batch_size=1000)
