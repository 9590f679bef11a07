"""cancel_registration: any live registration can be cancelled; its seat goes to the waiting list in order."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import cancel_registration
from prachum.registration.tests.factories import make_delegation, make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status


def waiting(meeting, category, minutes_ago, **kw):
    return make_registration(
        meeting, category, status=Status.WAITLISTED, waitlisted_at=timezone.now() - timedelta(minutes=minutes_ago), **kw
    )


def status(reg):
    reg.refresh_from_db()
    return reg.status


def kinds(reg):
    return sorted(Message.objects.filter(registration=reg).values_list("kind", flat=True))


@pytest.mark.parametrize("before", [Status.PENDING, Status.APPROVED, Status.WAITLISTED, Status.REJECTED])
def test_a_registration_in_any_live_state_can_be_cancelled(before):
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=before)
    cancelled = cancel_registration(registration_id=reg.pk, reason="Travel cancelled")
    assert cancelled.status == Status.CANCELLED and cancelled.cancelled_at is not None
    event = AuditEvent.objects.get(registration=reg, kind="registration.cancelled")
    assert event.before == {"status": before} and event.after["reason"] == "Travel cancelled"
    assert event.actor_label == "participant"
    assert kinds(reg) == ["registration.cancelled"]


def test_a_cancelled_registration_cannot_be_cancelled_again():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=Status.CANCELLED)
    with pytest.raises(RegistrationError) as caught:
        cancel_registration(registration_id=reg.pk)
    assert caught.value.code == "bad_transition"
    assert not AuditEvent.objects.exists() and not Message.objects.exists()


def test_an_organizer_cancelling_is_named_in_the_audit():
    meeting = make_meeting()
    organizer = make_user()
    reg = make_registration(meeting, make_category(meeting))
    cancel_registration(registration_id=reg.pk, actor=organizer)
    assert AuditEvent.objects.get(kind="registration.cancelled").actor == organizer


def test_an_unknown_registration_is_not_found():
    with pytest.raises(Registration.DoesNotExist):
        cancel_registration(registration_id=987654)


def test_a_freed_seat_goes_to_the_first_person_waiting():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting, needs_approval=False)
    holder = make_registration(meeting, category, status=Status.APPROVED)
    second = waiting(meeting, category, minutes_ago=5)
    first = waiting(meeting, category, minutes_ago=10)
    cancel_registration(registration_id=holder.pk)
    assert status(first) == Status.APPROVED and status(second) == Status.WAITLISTED
    assert kinds(first) == ["registration.promoted"] and kinds(second) == []
    event = AuditEvent.objects.get(registration=first)
    assert event.kind == "registration.promoted" and event.before == {"status": "waitlisted"}
    assert event.after == {"status": "approved"} and event.actor_label == "system"


def test_people_who_joined_the_list_at_the_same_moment_are_promoted_by_id():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    holder = make_registration(meeting, category)
    at = timezone.now()
    first = make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=at)
    second = make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=at)
    cancel_registration(registration_id=holder.pk)
    assert status(first) == Status.PENDING and status(second) == Status.WAITLISTED


def test_a_promoted_person_becomes_pending_when_their_category_needs_approval():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting, needs_approval=True)
    holder = make_registration(meeting, category)
    person = waiting(meeting, category, minutes_ago=1)
    cancel_registration(registration_id=holder.pk)
    person.refresh_from_db()
    assert person.status == Status.PENDING and person.decided_at is None


def test_cancelling_a_waitlisted_or_rejected_registration_promotes_no_one():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category)
    waiting_one = waiting(meeting, category, minutes_ago=1)
    rejected = make_registration(meeting, category, status=Status.REJECTED)
    cancel_registration(registration_id=rejected.pk)
    cancel_registration(registration_id=waiting_one.pk)
    assert Registration.objects.filter(status__in=Registration.SEAT_HOLDING).count() == 1
    assert not AuditEvent.objects.filter(kind="registration.promoted").exists()


def test_one_freed_seat_promotes_one_person():
    meeting = make_meeting(capacity=2)
    category = make_category(meeting)
    holder = make_registration(meeting, category)
    make_registration(meeting, category)
    people = [waiting(meeting, category, minutes_ago=10 - i) for i in range(3)]
    cancel_registration(registration_id=holder.pk)
    assert [status(p) for p in people] == [Status.PENDING, Status.WAITLISTED, Status.WAITLISTED]
    assert Registration.objects.filter(status__in=Registration.SEAT_HOLDING).count() == 2


def test_a_waiting_person_whose_category_is_still_full_keeps_their_place_and_the_next_who_fits_is_promoted():
    meeting = make_meeting(capacity=2)
    full = make_category(meeting, quota=1)
    open_ = make_category(meeting)
    make_registration(meeting, full)
    holder = make_registration(meeting, open_)
    blocked = waiting(meeting, full, minutes_ago=10)  # first in line, but their category has no seat
    fits = waiting(meeting, open_, minutes_ago=5)
    cancel_registration(registration_id=holder.pk)
    assert status(blocked) == Status.WAITLISTED and status(fits) == Status.PENDING
    assert Registration.objects.filter(category=full, status__in=Registration.SEAT_HOLDING).count() == 1


def test_a_freed_category_seat_goes_to_the_first_person_waiting_for_that_category():
    meeting = make_meeting()
    heads = make_category(meeting, quota=1)
    holder = make_registration(meeting, heads)
    other = waiting(meeting, make_category(meeting, quota=0), minutes_ago=10)
    head = waiting(meeting, heads, minutes_ago=5)
    cancel_registration(registration_id=holder.pk)
    assert status(head) == Status.PENDING and status(other) == Status.WAITLISTED


def test_a_full_delegation_keeps_its_people_waiting_when_a_seat_elsewhere_frees():
    meeting = make_meeting(capacity=2)
    category = make_category(meeting)
    delegation = make_delegation(meeting, quota=1)
    make_registration(meeting, category, delegation=delegation)
    holder = make_registration(meeting, category)
    member = waiting(meeting, category, minutes_ago=10, delegation=delegation)
    outsider = waiting(meeting, category, minutes_ago=5)
    cancel_registration(registration_id=holder.pk)
    assert status(member) == Status.WAITLISTED and status(outsider) == Status.PENDING


def test_at_a_hybrid_meeting_a_freed_online_seat_goes_to_someone_waiting_online():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=1, online_capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category, participation="in_person")
    online_holder = make_registration(meeting, category, participation="online")
    in_person = waiting(meeting, category, minutes_ago=10, participation="in_person")
    online = waiting(meeting, category, minutes_ago=5, participation="online")
    cancel_registration(registration_id=online_holder.pk)
    assert status(in_person) == Status.WAITLISTED and status(online) == Status.PENDING
