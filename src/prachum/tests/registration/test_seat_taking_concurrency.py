"""Seat-taking under real concurrency: threads, each with its own database connection, released together
by a Barrier so that they really race. On PostgreSQL the meeting's row lock serializes them; on SQLite
the IMMEDIATE transactions do (settings). Nothing is overbooked, nothing is lost, nothing is doubled."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import (
    approve_registration,
    cancel_registration,
    promote_waitlisted,
    submit_registration,
)
from prachum.registration.tests.factories import (
    form_token,
    make_delegation,
    make_invitation,
    make_registration,
    person,
)
from prachum.testing.races import race as race_threads

pytestmark = pytest.mark.django_db(transaction=True)

Status = Registration.Status


@pytest.fixture(autouse=True)
def _deliver_in_the_committing_thread(settings):
    # Each thread delivers its own messages before it closes its connection: no pool thread outlives the test.
    settings.PRACHUM_DELIVERY = "inline"


def race(jobs):
    """The jobs at once; a refusal (RegistrationError) is an answer, any other exception fails the test."""
    return race_threads(jobs, allowed=(RegistrationError,))


def submitter(meeting, category, **kw):
    data, token = person(), form_token()
    return lambda: submit_registration(meeting=meeting, category=category, person=data, client_token=token, **kw)


def assert_seats(meeting, *, holding, waitlisted, **filters):
    rows = Registration.objects.filter(meeting=meeting, **filters)
    assert rows.filter(status__in=Registration.SEAT_HOLDING).count() == holding
    assert rows.filter(status=Status.WAITLISTED).count() == waitlisted


def test_fifty_people_racing_for_ten_remaining_seats():
    meeting = make_meeting(capacity=13)
    category = make_category(meeting, needs_approval=False)
    for _ in range(3):
        make_registration(meeting, category, status=Status.APPROVED)
    results = race([submitter(meeting, category) for _ in range(50)])
    assert all(r.created for r in results)
    assert Counter(r.registration.status for r in results) == {Status.APPROVED: 10, Status.WAITLISTED: 40}
    assert Registration.objects.filter(meeting=meeting).count() == 53
    assert_seats(meeting, holding=13, waitlisted=40)
    # Every registration has its audit event and its message, none twice.
    assert AuditEvent.objects.filter(kind="registration.submitted").count() == 50
    assert Message.objects.filter(kind="registration.confirmed").count() == 10
    assert Message.objects.filter(kind="registration.waitlisted").count() == 40


def test_fifty_people_racing_for_ten_places_in_a_category():
    meeting = make_meeting()
    quota = make_category(meeting, quota=10)
    results = race([submitter(meeting, quota) for _ in range(50)])
    assert Counter(r.registration.status for r in results) == {Status.PENDING: 10, Status.WAITLISTED: 40}
    assert_seats(meeting, holding=10, waitlisted=40, category=quota)


def test_fifty_people_racing_for_ten_places_in_a_delegation():
    meeting = make_meeting()
    category = make_category(meeting)
    delegation = make_delegation(meeting, quota=10)
    results = race([submitter(meeting, category, delegation=delegation) for _ in range(50)])
    assert Counter(r.registration.status for r in results) == {Status.PENDING: 10, Status.WAITLISTED: 40}
    assert_seats(meeting, holding=10, waitlisted=40, delegation=delegation)


def test_hybrid_pools_fill_independently_under_a_race():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=5, online_capacity=7)
    category = make_category(meeting)
    jobs = [submitter(meeting, category, participation="in_person") for _ in range(15)]
    jobs += [submitter(meeting, category, participation="online") for _ in range(15)]
    race(jobs)
    assert_seats(meeting, holding=5, waitlisted=10, participation="in_person")
    assert_seats(meeting, holding=7, waitlisted=8, participation="online")


def test_twenty_submits_of_one_form_make_one_registration():
    meeting = make_meeting()
    category = make_category(meeting)
    data, token = person(), form_token()
    results = race([
        lambda: submit_registration(meeting=meeting, category=category, person=data, client_token=token)
        for _ in range(20)
    ])
    assert Registration.objects.filter(meeting=meeting).count() == 1
    assert sum(r.created for r in results) == 1
    assert {r.registration.pk for r in results} == {Registration.objects.get().pk}
    assert {r.manage_token for r in results} == {Registration.objects.get().manage_token}
    assert Message.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_twenty_submits_of_one_email_with_different_forms_make_one_registration():
    meeting = make_meeting()
    category = make_category(meeting)
    data = person()
    results = race([
        lambda: submit_registration(meeting=meeting, category=category, person=data, client_token=form_token())
        for _ in range(20)
    ])
    assert Registration.objects.filter(meeting=meeting).count() == 1
    assert Counter(r.code if isinstance(r, RegistrationError) else "created" for r in results) == {
        "created": 1, "duplicate_email": 19,
    }


def test_a_repeated_submit_racing_a_writer_that_bypasses_the_lock_returns_the_winner():
    """The unique constraint on (meeting, client_token) is the last guard: a row written by code that does
    not take the meeting lock wins, and the service answers with it instead of failing. (On PostgreSQL the
    service's INSERT waits on the unique index and fails; on SQLite its IMMEDIATE BEGIN waits for the writer.)"""
    meeting = make_meeting()
    category = make_category(meeting)
    data, token = person(), form_token()
    inserted, release = threading.Event(), threading.Event()
    outside = {}

    def writer():
        try:
            with transaction.atomic():
                outside["registration"] = make_registration(meeting, category, client_token=token, **data)
                inserted.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    assert inserted.wait(timeout=30)
    timer = threading.Timer(1.0, release.set)  # commit while the service is waiting on the writer
    timer.start()
    try:
        result = submit_registration(meeting=meeting, category=category, person=data, client_token=token)
    finally:
        release.set()
        thread.join(timeout=30)
    assert not result.created and result.registration.pk == outside["registration"].pk
    assert Registration.objects.count() == 1 and not Message.objects.exists()


def test_cancellations_racing_promotions_and_newcomers_never_count_a_seat_twice():
    meeting = make_meeting(capacity=10)
    category = make_category(meeting, needs_approval=False)
    holders = [make_registration(meeting, category, status=Status.APPROVED) for _ in range(10)]
    start = timezone.now() - timedelta(hours=1)
    waiting = [
        make_registration(meeting, category, status=Status.WAITLISTED, waitlisted_at=start + timedelta(seconds=i))
        for i in range(20)
    ]
    jobs = [lambda reg=reg: cancel_registration(registration_id=reg.pk) for reg in holders[:6]]
    jobs += [lambda: promote_waitlisted(meeting_id=meeting.pk) for _ in range(6)]
    jobs += [submitter(meeting, category) for _ in range(6)]
    results = race(jobs)

    assert_seats(meeting, holding=10, waitlisted=20)
    promoted = Counter(AuditEvent.objects.filter(kind="registration.promoted").values_list("registration_id", flat=True))
    # Six seats freed, six people promoted, each once, and they are the first six in line.
    assert sorted(promoted) == sorted(reg.pk for reg in waiting[:6]) and set(promoted.values()) == {1}
    assert Message.objects.filter(kind="registration.promoted").count() == 6
    # A newcomer never takes a freed seat ahead of the waiting list: the seat is given away in its own transaction.
    assert {r.registration.status for r in results[12:]} == {Status.WAITLISTED}


def test_organizers_approving_waiting_people_at_once_fill_only_the_free_seats():
    meeting = make_meeting(capacity=5)
    category = make_category(meeting)
    for _ in range(2):
        make_registration(meeting, category, status=Status.APPROVED)
    waiting = [make_registration(meeting, category, status=Status.WAITLISTED) for _ in range(10)]
    results = race([lambda reg=reg: approve_registration(registration_id=reg.pk) for reg in waiting])
    outcomes = Counter(r.code if isinstance(r, RegistrationError) else r.status for r in results)
    assert outcomes == {Status.APPROVED: 3, "full": 7}
    assert_seats(meeting, holding=5, waitlisted=7)


def test_one_invitation_used_by_ten_people_at_once_registers_one():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.INVITATION)
    category = make_category(meeting)
    invitation = make_invitation(meeting)
    results = race([submitter(meeting, category, invitation=invitation) for _ in range(10)])
    outcomes = Counter(r.code if isinstance(r, RegistrationError) else "registered" for r in results)
    assert outcomes == {"registered": 1, "invitation_required": 9}
    invitation.refresh_from_db()
    assert invitation.used_at is not None and Registration.objects.get().invitation == invitation
