"""One door into the audit trail: only prachum.audit.services writes an AuditEvent (record_audit, and
record_audits for many at once), so that who is named as the actor, and that the row is written inside the
change's transaction, are decided in one place. This reads the source of every module of the project (not
tests, not migrations) and names any other that writes one."""

import pytest
from django.db import transaction

from prachum.audit.models import AuditEvent
from prachum.audit.services import record_audit, record_audits
from prachum.meetings.tests.factories import make_meeting, make_user
from prachum.testing.one_door import ROOT, model_writes, writers

DOOR = ROOT / "audit" / "services.py"


def audit_event_writes(source: str, filename: str = "<source>") -> list[int]:
    return model_writes(source, "AuditEvent", filename)


def test_the_scanner_sees_every_way_of_writing_an_audit_event():
    source = (
        "from prachum.audit import models\n"
        "from prachum.audit.models import AuditEvent\n"
        "AuditEvent(kind='x').save()\n"
        "AuditEvent.objects.create(kind='x')\n"
        "models.AuditEvent.objects.bulk_create([])\n"
        "AuditEvent._default_manager.get_or_create(kind='x')\n"
        "AuditEventLabel(kind='not an audit row')\n"
        "AuditEvent.objects.filter(kind='x').count()\n"
    )
    assert audit_event_writes(source) == [3, 4, 5, 6]


def test_only_audit_services_writes_an_audit_event():
    offenders = writers("AuditEvent", door=DOOR)
    assert not offenders, (
        "only prachum.audit.services (record_audit, record_audits) may write an AuditEvent; these write one "
        "themselves: " + ", ".join(offenders)
    )


def test_the_door_itself_writes_audit_events():
    # The door is where the writing happens; if it moved, this test must move with it.
    assert audit_event_writes(DOOR.read_text(encoding="utf-8"))


@pytest.mark.django_db
def test_the_bulk_form_writes_each_event_as_record_audit_writes_it():
    meeting, user = make_meeting(), make_user()
    calls = [
        dict(kind="meeting.published", actor=user, meeting=meeting, obj=meeting, after={"status": "published"}),
        dict(kind="meeting.updated", meeting=meeting, before={"title_en": "Old"}),
        dict(kind="meeting.updated", actor=user, actor_label="the desk", meeting=meeting),
    ]
    fields = ["kind", "actor_id", "actor_label", "meeting_id", "registration_id", "object_type", "object_id",
              "before", "after"]
    with transaction.atomic():
        one_by_one = [record_audit(**call) for call in calls]
        at_once = record_audits(calls)
    assert all(event.pk for event in at_once)
    assert [[getattr(e, f) for f in fields] for e in at_once] == [[getattr(e, f) for f in fields] for e in one_by_one]
    assert [e.actor_label for e in at_once] == [user.get_username(), "system", "the desk"]
    assert AuditEvent.objects.count() == 6


@pytest.mark.django_db(transaction=True)
def test_the_bulk_form_too_is_written_inside_the_change_s_transaction():
    with pytest.raises(AssertionError):
        record_audits([dict(kind="meeting.published")])
    assert not AuditEvent.objects.exists()
