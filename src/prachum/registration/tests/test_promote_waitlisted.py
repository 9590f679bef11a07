"""promote_waitlisted: fill free seats from the waiting list (after an organizer raised a limit)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from prachum.meetings.models import Category, Meeting
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Registration
from prachum.registration.services import promote_waitlisted
from prachum.registration.services.seats import _promote_waitlisted
from prachum.registration.tests.factories import make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status


def line(meeting, category, n, **kw):
    start = timezone.now() - timedelta(hours=1)
    return [
        make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=start + timedelta(minutes=i), **kw)
        for i in range(n)
    ]


def test_raising_the_capacity_promotes_people_in_waiting_list_order():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category)
    people = line(meeting, category, 4)
    Meeting.objects.filter(pk=meeting.pk).update(capacity=3)
    promoted = promote_waitlisted(meeting_id=meeting.pk)
    assert [r.pk for r in promoted] == [people[0].pk, people[1].pk]
    assert Registration.objects.filter(status__in=Registration.SEAT_HOLDING).count() == 3


def test_raising_a_category_quota_promotes_only_that_category():
    meeting = make_meeting()
    a, b = make_category(meeting, quota=0), make_category(meeting, quota=0)
    in_a, in_b = line(meeting, a, 2), line(meeting, b, 2)
    Category.objects.filter(pk=a.pk).update(quota=1)
    promoted = promote_waitlisted(meeting_id=meeting.pk)
    assert promoted == [in_a[0]]
    assert {r.status for r in Registration.objects.filter(pk__in=[r.pk for r in in_b])} == {Status.WAITLISTED}


def test_with_no_free_seat_no_one_is_promoted():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category)
    line(meeting, category, 2)
    assert promote_waitlisted(meeting_id=meeting.pk) == []


def test_promotion_never_fills_a_pool_or_quota_beyond_its_limit():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=2, online_capacity=1)
    small = make_category(meeting, quota=1)
    big = make_category(meeting)
    line(meeting, small, 2, participation="in_person")
    line(meeting, big, 3, participation="online")
    line(meeting, big, 3, participation="in_person")
    promote_waitlisted(meeting_id=meeting.pk)
    held = Registration.objects.filter(status__in=Registration.SEAT_HOLDING)
    assert held.filter(participation="in_person").count() == 2
    assert held.filter(participation="online").count() == 1
    assert held.filter(category=small).count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_private_helper_refuses_to_run_outside_a_transaction():
    meeting = make_meeting()
    assert not connection.in_atomic_block
    with pytest.raises(RuntimeError):
        _promote_waitlisted(meeting)
