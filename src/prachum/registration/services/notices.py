"""What every registration change leaves behind in its own transaction: an AuditEvent and, where the
person must be told, a Message (the outbox row; prachum.notify sends it after commit)."""

from prachum.audit import kinds as audit_kinds
from prachum.audit.services import record_audit
from prachum.core.outbox import queue_message
from prachum.registration.models import Registration

# Message kinds, by the status a registration arrives at when it is submitted.
SUBMITTED_MESSAGE = {
    Registration.Status.PENDING: "registration.received",
    Registration.Status.APPROVED: "registration.confirmed",
    Registration.Status.WAITLISTED: "registration.waitlisted",
}

# actor_label of changes made through the private manage link or the public form (no account).
PARTICIPANT = audit_kinds.PARTICIPANT


def tell(registration: Registration, kind: str, *, rendered=None):
    """Queue the email `kind` to the registered person, in the current transaction
    (`rendered`: the email already rendered for this registration and kind)."""
    return queue_message(registration=registration, kind=kind, rendered=rendered)


def audit(registration: Registration, kind: str, *, actor=None, actor_label: str = "", before=None, after=None):
    return record_audit(
        kind=kind, actor=actor, actor_label=actor_label, meeting=registration.meeting, registration=registration,
        obj=registration, before=before, after=after,
    )
