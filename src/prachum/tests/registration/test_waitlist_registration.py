"""waitlist_registration: an organizer moves a pending registration to the end of the waiting list."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import waitlist_registration
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status


def test_a_pending_registration_goes_to_the_waiting_list_and_is_told_so():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting))
    moved = waitlist_registration(registration_id=reg.pk)
    assert moved.status == Status.WAITLISTED and moved.waitlisted_at is not None
    assert AuditEvent.objects.get(registration=reg).kind == "registration.waitlisted"
    assert Message.objects.get(registration=reg).kind == "registration.waitlisted"


@pytest.mark.parametrize("before", [Status.APPROVED, Status.REJECTED, Status.WAITLISTED, Status.CANCELLED])
def test_only_a_pending_registration_can_be_moved_to_the_waiting_list(before):
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=before)
    with pytest.raises(RegistrationError) as caught:
        waitlist_registration(registration_id=reg.pk)
    assert caught.value.code == "bad_transition"


def test_its_seat_goes_to_the_person_waiting_before_it_not_back_to_it():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    reg = make_registration(meeting, category)
    earlier = make_registration(meeting, category, status=Status.WAITLISTED,
                                waitlisted_at=timezone.now() - timedelta(hours=1))
    waitlist_registration(registration_id=reg.pk)
    earlier.refresh_from_db()
    reg.refresh_from_db()
    assert earlier.status == Status.PENDING and reg.status == Status.WAITLISTED


def test_alone_on_the_list_it_stays_there():
    meeting = make_meeting(capacity=1)
    reg = make_registration(meeting, make_category(meeting))
    waitlist_registration(registration_id=reg.pk)
    reg.refresh_from_db()
    assert reg.status == Status.WAITLISTED
