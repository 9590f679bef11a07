"""The focal point's step of the two-step review: endorse or decline, audited, locked, with emails;
nominating endorses; the Head of Delegation; submitting the delegation to the secretariat."""

import pytest

from prachum.audit.models import AuditEvent
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_organization
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services.delegations import set_head_of_delegation, submit_delegation, withdraw_member
from prachum.registration.services.endorsement import decline_registration, endorse_registration
from prachum.registration.services.nomination import nominate_delegate
from prachum.registration.tests.factories import (
    form_token,
    make_delegation,
    make_focal_point,
    make_organizer,
    make_registration,
    person,
)
from prachum.registration.tests.web import open_meeting

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def setup():
    meeting = open_meeting(registration_mode="nomination")
    vn = make_delegation(meeting, organization=make_organization(code="VN", name_en="Viet Nam"), quota=2)
    th = make_delegation(meeting, organization=make_organization(code="TH", name_en="Thailand"))
    delegate = make_category(meeting, code="delegate", needs_approval=True, needs_endorsement=True)
    return {
        "meeting": meeting, "vn": vn, "th": th, "delegate": delegate,
        "focal_vn": make_focal_point(vn), "focal_th": make_focal_point(th),
        "manager": make_organizer(meeting, email="secretariat@example.org"),
    }


def refused(code, function, **kwargs):
    with pytest.raises(RegistrationError) as caught:
        function(**kwargs)
    assert caught.value.code == code


def test_endorsing_keeps_the_registration_pending_and_tells_the_person(setup):
    registration = make_registration(setup["meeting"], setup["delegate"], delegation=setup["vn"], language="lo")
    endorse_registration(registration_id=registration.pk, actor=setup["focal_vn"])
    registration.refresh_from_db()
    assert registration.status == Status.PENDING
    assert registration.endorsed_by == setup["focal_vn"] and registration.endorsed_at
    assert AuditEvent.objects.filter(kind="registration.endorsed", registration=registration).count() == 1
    message = Message.objects.get(registration=registration, kind="registration.endorsed")
    assert message.language == "lo" and "/lo/r/" in message.body_text
    refused("not_endorsable", endorse_registration, registration_id=registration.pk, actor=setup["focal_vn"])


def test_another_delegations_focal_point_can_neither_endorse_nor_decline(setup):
    registration = make_registration(setup["meeting"], setup["delegate"], delegation=setup["vn"])
    refused("not_focal_point", endorse_registration, registration_id=registration.pk, actor=setup["focal_th"])
    refused("not_focal_point", decline_registration, registration_id=registration.pk, actor=setup["focal_th"])
    refused("not_focal_point", endorse_registration, registration_id=registration.pk, actor=setup["manager"])
    registration.refresh_from_db()
    assert registration.endorsed_at is None and registration.status == Status.PENDING


def test_declining_rejects_with_the_reason_and_frees_the_seat_for_the_waiting_list(setup):
    meeting, vn, delegate = setup["meeting"], setup["vn"], setup["delegate"]
    first = make_registration(meeting, delegate, delegation=vn)
    make_registration(meeting, delegate, delegation=vn)
    waiting = make_registration(meeting, delegate, delegation=vn, status=Status.WAITLISTED)
    decline_registration(registration_id=first.pk, actor=setup["focal_vn"], reason="Not in our delegation.")
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert first.status == Status.REJECTED and first.decision_reason == "Not in our delegation."
    assert waiting.status == Status.PENDING
    kinds = set(AuditEvent.objects.filter(registration=first).values_list("kind", flat=True))
    assert {"registration.endorsement_declined", "registration.rejected"} <= kinds
    assert Message.objects.filter(registration=first, kind="registration.rejected").exists()
    refused("not_endorsable", decline_registration, registration_id=first.pk, actor=setup["focal_vn"])


def test_a_nomination_is_endorsed_by_its_focal_point_and_respects_the_quota(setup):
    results = [
        nominate_delegate(meeting=setup["meeting"], delegation=setup["vn"], category=setup["delegate"],
                          person=person(), client_token=form_token(), focal_point=setup["focal_vn"])
        for _ in range(3)
    ]
    statuses = [r.registration.status for r in results]
    assert statuses == [Status.PENDING, Status.PENDING, Status.WAITLISTED]
    assert all(r.registration.endorsed_by == setup["focal_vn"] for r in results)
    refused("not_focal_point", nominate_delegate, meeting=setup["meeting"], delegation=setup["vn"],
            category=setup["delegate"], person=person(), client_token=form_token(), focal_point=setup["focal_th"])


def test_marking_a_new_head_unmarks_the_old_one(setup):
    meeting, vn, delegate = setup["meeting"], setup["vn"], setup["delegate"]
    old = make_registration(meeting, delegate, delegation=vn, is_head_of_delegation=True)
    new = make_registration(meeting, delegate, delegation=vn)
    set_head_of_delegation(registration_id=new.pk, actor=setup["focal_vn"])
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_head_of_delegation, new.is_head_of_delegation) == (False, True)
    assert AuditEvent.objects.filter(kind="registration.head_of_delegation_marked", registration=new).exists()
    assert AuditEvent.objects.filter(kind="registration.head_of_delegation_unmarked", registration=old).exists()
    refused("not_focal_point", set_head_of_delegation, registration_id=old.pk, actor=setup["focal_th"])
    rejected = make_registration(meeting, delegate, delegation=vn, status=Status.REJECTED)
    refused("head_not_active", set_head_of_delegation, registration_id=rejected.pk, actor=setup["focal_vn"])
    set_head_of_delegation(registration_id=new.pk, actor=setup["focal_vn"], is_head=False)
    assert not Registration.objects.filter(delegation=vn, is_head_of_delegation=True).exists()


def test_submitting_the_delegation_tells_the_secretariat_and_can_be_repeated(setup):
    meeting, vn = setup["meeting"], setup["vn"]
    refused("delegation_empty", submit_delegation, delegation_id=vn.pk, actor=setup["focal_vn"])
    make_registration(meeting, setup["delegate"], delegation=vn, given_name="Văn Hùng", family_name="Nguyễn")
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER, email="owner@example.org")
    submit_delegation(delegation_id=vn.pk, actor=setup["focal_vn"])
    vn.refresh_from_db()
    assert vn.submitted_at is not None
    messages = Message.objects.filter(kind="delegation.submitted").order_by("to_email")
    assert [m.to_email for m in messages] == [owner.email, "secretariat@example.org"]
    assert "Văn Hùng" in messages[0].body_text
    first = vn.submitted_at
    submit_delegation(delegation_id=vn.pk, actor=setup["focal_vn"])
    vn.refresh_from_db()
    assert vn.submitted_at > first
    assert list(AuditEvent.objects.filter(kind__startswith="delegation.").order_by("pk").values_list("kind", flat=True)) \
        == ["delegation.submitted", "delegation.resubmitted"]
    refused("not_focal_point", submit_delegation, delegation_id=vn.pk, actor=setup["focal_th"])


def test_withdrawing_an_approved_member_cancels_and_gives_the_seat_to_the_waiting_list(setup):
    meeting, vn, delegate = setup["meeting"], setup["vn"], setup["delegate"]
    member = make_registration(meeting, delegate, delegation=vn, status=Status.APPROVED)
    make_registration(meeting, delegate, delegation=vn)
    waiting = make_registration(meeting, delegate, delegation=vn, status=Status.WAITLISTED)
    refused("not_focal_point", withdraw_member, registration_id=member.pk, actor=setup["focal_th"])
    withdraw_member(registration_id=member.pk, actor=setup["focal_vn"], reason="Changed by the ministry.")
    member.refresh_from_db()
    waiting.refresh_from_db()
    assert member.status == Status.CANCELLED and waiting.status == Status.PENDING
    assert AuditEvent.objects.filter(kind="registration.withdrawn_by_focal_point", registration=member).exists()
    assert Message.objects.filter(registration=member, kind="registration.cancelled").exists()
    refused("bad_transition", withdraw_member, registration_id=member.pk, actor=setup["focal_vn"])
