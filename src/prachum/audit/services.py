from django.db import connection
from django.db.models import QuerySet

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


# Keys of an event's before/after whose values say nothing about who a person is: what erasure keeps so
# that the trail still reads ("Approved", "Category changed: Delegate → Observer"). Every other key is
# dropped from the events of an erased person (names, addresses, answers, free-text reasons…).
IMPERSONAL_KEYS = frozenset({
    "status", "category", "category_code", "delegation", "participation", "is_head_of_delegation",
    "protocol_role", "protocol_rank", "language", "members", "replaced_by", "forced", "count", "counts",
    "session", "sessions", "submitted_at", "decided_at", "endorsed_at", "cancelled_at", "waitlisted_at",
    # the counts an erasure or an export records
    "people", "invitations", "answers", "files", "job_results", "audit_events", "messages", "joins", "check_ins",
    "format",
})


def scrub_personal_details(events) -> int:
    """Drop the personal values from the before/after of `events` (a queryset of AuditEvents): the rows,
    their kinds, times and actors stay. The one change audit events allow, for erasure (a person's right
    and the meeting's retention period); call it inside the erasure's transaction. Returns how many
    events changed."""
    assert connection.in_atomic_block, "scrub_personal_details must run inside the erasure's transaction"
    changed = 0
    for pk, before, after in events.values_list("pk", "before", "after"):
        kept_before = {k: v for k, v in (before or {}).items() if k in IMPERSONAL_KEYS}
        kept_after = {k: v for k, v in (after or {}).items() if k in IMPERSONAL_KEYS}
        if kept_before != (before or {}) or kept_after != (after or {}):
            # Past AuditEventQuerySet.update, which refuses every other change.
            QuerySet.update(AuditEvent.objects.filter(pk=pk), before=kept_before, after=kept_after)
            changed += 1
    return changed
