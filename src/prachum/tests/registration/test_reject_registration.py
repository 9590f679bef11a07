"""reject_registration: pending or waitlisted registrations can be rejected; a rejection frees a seat."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import reject_registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.mark.parametrize("before", [Status.PENDING, Status.WAITLISTED])
def test_a_pending_or_waitlisted_registration_is_rejected_with_its_reason(before):
    meeting = make_meeting()
    reviewer = make_user()
    reg = make_registration(meeting, make_category(meeting), status=before)
    rejected = reject_registration(registration_id=reg.pk, actor=reviewer, reason="Not a member of the delegation.")
    rejected.refresh_from_db()
    assert rejected.status == Status.REJECTED and rejected.decided_by == reviewer and rejected.decided_at
    assert rejected.decision_reason == "Not a member of the delegation."
    event = AuditEvent.objects.get(registration=reg)
    assert event.kind == "registration.rejected" and event.actor == reviewer and event.before == {"status": before}
    assert Message.objects.get(registration=reg).kind == "registration.rejected"


@pytest.mark.parametrize("before", [Status.APPROVED, Status.REJECTED, Status.CANCELLED])
def test_an_approved_rejected_or_cancelled_registration_cannot_be_rejected(before):
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=before)
    with pytest.raises(RegistrationError) as caught:
        reject_registration(registration_id=reg.pk)
    assert caught.value.code == "bad_transition"
    reg.refresh_from_db()
    assert reg.status == before and not Message.objects.exists()


def test_rejecting_a_pending_registration_promotes_the_first_person_waiting():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting, needs_approval=False)
    pending = make_registration(meeting, category, status=Status.PENDING)
    later = make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=timezone.now())
    first = make_registration(meeting, category, status=Status.WAITLISTED,
                              waitlisted_at=timezone.now() - timedelta(hours=1))
    reject_registration(registration_id=pending.pk)
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.status == Status.APPROVED and later.status == Status.WAITLISTED
    assert Message.objects.get(registration=first).kind == "registration.promoted"


def test_rejecting_a_waitlisted_registration_frees_no_seat():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category)
    rejected = make_registration(meeting, category, status=Status.WAITLISTED)
    other = make_registration(meeting, category, status=Status.WAITLISTED)
    reject_registration(registration_id=rejected.pk)
    other.refresh_from_db()
    assert other.status == Status.WAITLISTED
