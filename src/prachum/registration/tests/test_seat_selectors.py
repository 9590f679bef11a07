"""Selectors: seats taken and left (one query), the waiting list's order, the manage link's registration."""

from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.registration.models import Registration
from prachum.registration.selectors import registration_by_manage_token, seats_left, seats_taken, waitlist
from prachum.registration.tests.factories import make_delegation, make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status


def test_seats_taken_counts_pending_and_approved_by_meeting_category_delegation_and_pool_in_one_query(
    django_assert_num_queries,
):
    meeting = make_meeting(format=Meeting.Format.HYBRID)
    a, b = make_category(meeting), make_category(meeting)
    d = make_delegation(meeting)
    make_registration(meeting, a, status=Status.PENDING, delegation=d)
    make_registration(meeting, a, status=Status.APPROVED, delegation=d, participation="online")
    make_registration(meeting, b, status=Status.APPROVED)
    for status in (Status.WAITLISTED, Status.REJECTED, Status.CANCELLED):
        make_registration(meeting, b, status=status, delegation=d)
    other = make_meeting()
    make_registration(other, make_category(other))
    with django_assert_num_queries(1):
        taken = seats_taken(meeting)
    assert taken == {
        "total": 3, "in_person": 2, "online": 1, "categories": {a.pk: 2, b.pk: 1}, "delegations": {d.pk: 2},
    }


def test_seats_taken_of_an_empty_meeting_is_all_zero():
    assert seats_taken(make_meeting()) == {"total": 0, "in_person": 0, "online": 0, "categories": {}, "delegations": {}}


def test_seats_left_is_none_without_a_capacity_and_never_negative():
    unlimited = make_meeting()
    assert seats_left(unlimited) is None
    meeting = make_meeting(capacity=2)
    category = make_category(meeting)
    make_registration(meeting, category)
    assert seats_left(meeting) == 1
    for _ in range(2):
        make_registration(meeting, category, status=Status.APPROVED)  # over capacity (an organizer forced one)
    assert seats_left(meeting) == 0


def test_seats_left_at_a_hybrid_meeting_adds_both_pools_and_is_none_when_one_is_unlimited():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=3, online_capacity=10)
    category = make_category(meeting)
    make_registration(meeting, category, participation="in_person")
    make_registration(meeting, category, participation="online")
    assert seats_left(meeting) == 2 + 9
    assert seats_left(make_meeting(format=Meeting.Format.HYBRID, capacity=3)) is None


def test_seats_left_at_an_online_meeting_counts_its_capacity():
    meeting = make_meeting(format=Meeting.Format.ONLINE, capacity=100, online_capacity=5)
    make_registration(meeting, make_category(meeting), participation="online")
    assert seats_left(meeting) == 99


def test_the_waiting_list_is_first_come_first_served():
    meeting = make_meeting()
    category = make_category(meeting)
    now = timezone.now()
    late = make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=now)
    early = make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=now - timedelta(hours=1))
    tie = make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=now)
    make_registration(meeting, category)
    assert list(waitlist(meeting)) == [early, late, tie]


def test_the_manage_token_finds_its_registration_and_nothing_else_does():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting))
    assert registration_by_manage_token(reg.manage_token) == reg
    assert registration_by_manage_token(reg.manage_token + "x") is None
    assert registration_by_manage_token("") is None
