"""approve_registration: pending registrations keep their seat; waitlisted ones must find one unless forced."""

import pytest

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Meeting, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services import approve_registration
from prachum.registration.tests.factories import make_delegation, make_organizer, make_registration

pytestmark = pytest.mark.django_db

Status = Registration.Status


def refused(code, **kw):
    with pytest.raises(RegistrationError) as caught:
        approve_registration(**kw)
    assert caught.value.code == code


def test_a_pending_registration_is_approved_and_told_it_is_confirmed():
    meeting = make_meeting()
    reviewer = make_organizer(meeting, role=MeetingRole.Role.REVIEWER)
    reg = make_registration(meeting, make_category(meeting))
    approved = approve_registration(registration_id=reg.pk, actor=reviewer)
    approved.refresh_from_db()
    assert approved.status == Status.APPROVED and approved.decided_by == reviewer and approved.decided_at
    event = AuditEvent.objects.get(registration=reg)
    assert event.kind == "registration.approved" and event.before == {"status": "pending"}
    assert event.after == {"status": "approved", "beyond_seats": False}
    message = Message.objects.get(registration=reg)
    assert message.kind == "registration.confirmed" and message.to_email == reg.email


def test_approving_a_pending_registration_in_a_full_meeting_keeps_the_seat_it_holds():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting, quota=1)
    reg = make_registration(meeting, category)
    assert approve_registration(registration_id=reg.pk).status == Status.APPROVED


@pytest.mark.parametrize("before", [Status.APPROVED, Status.REJECTED, Status.CANCELLED])
def test_approving_an_approved_rejected_or_cancelled_registration_is_refused(before):
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=before)
    refused("bad_transition", registration_id=reg.pk)
    reg.refresh_from_db()
    assert reg.status == before


def test_a_waitlisted_registration_is_approved_when_a_seat_is_free():
    meeting = make_meeting(capacity=2)
    category = make_category(meeting)
    make_registration(meeting, category)
    reg = make_registration(meeting, category, status=Status.WAITLISTED)
    assert approve_registration(registration_id=reg.pk).status == Status.APPROVED


@pytest.mark.parametrize("limit", ["capacity", "category", "delegation", "online_capacity"])
def test_a_waitlisted_registration_is_not_approved_beyond_any_limit(limit):
    hybrid = limit == "online_capacity"
    meeting = make_meeting(
        capacity=1 if limit == "capacity" else None, online_capacity=1 if hybrid else None,
        format=Meeting.Format.HYBRID if hybrid else Meeting.Format.IN_PERSON,
    )
    category = make_category(meeting, quota=1 if limit == "category" else None)
    delegation = make_delegation(meeting, quota=1 if limit == "delegation" else None)
    participation = "online" if hybrid else "in_person"
    make_registration(meeting, category, delegation=delegation, status=Status.APPROVED, participation=participation)
    reg = make_registration(meeting, category, delegation=delegation, status=Status.WAITLISTED,
                            participation=participation)
    refused("full", registration_id=reg.pk, actor=make_organizer(meeting, role=MeetingRole.Role.REVIEWER))
    reg.refresh_from_db()
    assert reg.status == Status.WAITLISTED and not Message.objects.exists()


def test_an_organizer_may_approve_beyond_the_seats_by_forcing_it():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category, status=Status.APPROVED)
    reg = make_registration(meeting, category, status=Status.WAITLISTED)
    manager = make_organizer(meeting, role=MeetingRole.Role.MANAGER)
    assert approve_registration(registration_id=reg.pk, actor=manager, force=True).status == Status.APPROVED
    assert AuditEvent.objects.get(registration=reg).after == {"status": "approved", "beyond_seats": True}
    assert Registration.objects.filter(status__in=Registration.SEAT_HOLDING).count() == 2


def test_an_administrator_may_force_too():
    meeting = make_meeting(capacity=0)
    reg = make_registration(meeting, make_category(meeting), status=Status.WAITLISTED)
    admin = make_user(is_superuser=True)
    assert approve_registration(registration_id=reg.pk, actor=admin, force=True).status == Status.APPROVED


@pytest.mark.parametrize("who", ["nobody", "reviewer", "focal_point", "organizer_elsewhere"])
def test_only_an_owner_or_manager_of_this_meeting_may_force(who):
    meeting = make_meeting(capacity=0)
    category = make_category(meeting)
    delegation = make_delegation(meeting)
    reg = make_registration(meeting, category, delegation=delegation, status=Status.WAITLISTED)
    actor = {
        "nobody": lambda: None,
        "reviewer": lambda: make_organizer(meeting, role=MeetingRole.Role.REVIEWER),
        "focal_point": lambda: _focal_point(delegation),
        "organizer_elsewhere": lambda: make_organizer(make_meeting(), role=MeetingRole.Role.OWNER),
    }[who]()
    refused("force_not_allowed", registration_id=reg.pk, actor=actor, force=True)


def _focal_point(delegation):
    from prachum.registration.tests.factories import make_focal_point

    return make_focal_point(delegation)


def test_forcing_is_not_needed_and_not_recorded_when_a_seat_is_free():
    meeting = make_meeting(capacity=5)
    reg = make_registration(meeting, make_category(meeting), status=Status.WAITLISTED)
    approve_registration(registration_id=reg.pk, force=True)
    assert AuditEvent.objects.get(registration=reg).after["beyond_seats"] is False
