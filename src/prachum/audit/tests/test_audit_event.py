import pytest
from django.db import transaction

from prachum.audit.models import AuditEvent
from prachum.audit.services import record_audit

pytestmark = pytest.mark.django_db


def test_audit_events_cannot_be_edited_or_deleted():
    with transaction.atomic():
        event = record_audit(kind="meeting.published", after={"status": "published"})
    assert event.actor_label == "system"
    event.kind = "meeting.cancelled"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(kind="x")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get().kind == "meeting.published"


@pytest.mark.django_db(transaction=True)
def test_an_audit_event_is_written_inside_the_change_s_transaction():
    with pytest.raises(AssertionError):
        record_audit(kind="meeting.published")
