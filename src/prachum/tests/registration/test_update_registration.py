"""update_registration: the person edits their registration through the manage link; moving seats is checked."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Answer, Registration
from prachum.registration.services import (
    approve_registration,
    cancel_registration,
    submit_registration,
    update_registration,
)
from prachum.registration.tests.factories import (
    form_token,
    make_delegation,
    make_question,
    make_registration,
    new_question_version,
    person,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def refused(code, **kw):
    kw.setdefault("person", {})
    with pytest.raises(RegistrationError) as caught:
        update_registration(**kw)
    assert caught.value.code == code


def fresh(reg):
    reg.refresh_from_db()
    return reg


def waiting(meeting, category, **kw):
    return make_registration(meeting, category, status=Status.WAITLISTED,
                             waitlisted_at=timezone.now() - timedelta(hours=1), **kw)


# The person's data


def test_the_person_corrects_their_data_and_the_audit_keeps_before_and_after():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), position="Director", given_name="Keo")
    update_registration(registration_id=reg.pk, person={"position": "Director General", "given_name": "Keo"})
    assert fresh(reg).position == "Director General"
    event = AuditEvent.objects.get(registration=reg)
    assert event.kind == "registration.updated" and event.actor_label == "participant"
    assert event.before == {"position": "Director"} and event.after == {"position": "Director General"}


def test_an_edit_that_changes_nothing_writes_no_audit():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), position="Director")
    update_registration(registration_id=reg.pk, person={"position": "Director"}, answers={})
    assert not AuditEvent.objects.exists()


def test_changing_to_an_email_registered_by_someone_else_is_refused():
    meeting = make_meeting()
    category = make_category(meeting)
    make_registration(meeting, category, email="taken@example.org")
    reg = make_registration(meeting, category, email="mine@example.org")
    refused("duplicate_email", registration_id=reg.pk, person={"email": "TAKEN@example.org"})
    assert fresh(reg).email == "mine@example.org"


def test_changing_the_email_to_a_free_one_is_allowed():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), email="old@example.org")
    update_registration(registration_id=reg.pk, person={"email": "new@example.org"})
    assert fresh(reg).email == "new@example.org"


@pytest.mark.parametrize("status", [Status.CANCELLED, Status.REJECTED])
def test_a_cancelled_or_rejected_registration_cannot_be_edited(status):
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting), status=status)
    refused("not_editable", registration_id=reg.pk, person={"position": "X"})


def test_after_the_meeting_has_ended_nothing_can_be_edited():
    meeting = make_meeting(starts_at=timezone.now() - timedelta(days=3))
    reg = make_registration(meeting, make_category(meeting))
    refused("not_editable", registration_id=reg.pk, person={"position": "X"})


def test_a_cancelled_meeting_takes_no_edits():
    meeting = make_meeting(status=Meeting.Status.CANCELLED)
    reg = make_registration(meeting, make_category(meeting))
    refused("not_editable", registration_id=reg.pk, person={"position": "X"})


# Moving seats


def test_moving_to_a_full_category_is_refused_and_nothing_changes():
    meeting = make_meeting()
    here, full = make_category(meeting), make_category(meeting, quota=1)
    make_registration(meeting, full)
    reg = make_registration(meeting, here, position="Director")
    refused("full", registration_id=reg.pk, person={"position": "Minister"}, category=full)
    reg = fresh(reg)
    assert reg.category == here and reg.position == "Director"


def test_moving_category_frees_the_old_seat_for_the_first_person_waiting_for_it():
    meeting = make_meeting()
    here, there = make_category(meeting, quota=1), make_category(meeting, quota=5)
    reg = make_registration(meeting, here)
    next_in_line = waiting(meeting, here)
    update_registration(registration_id=reg.pk, person={}, category=there)
    assert fresh(reg).category == there and fresh(next_in_line).status == Status.PENDING
    event = AuditEvent.objects.get(registration=reg)
    assert event.before == {"category": here.pk} and event.after == {"category": there.pk}


def test_a_seat_holder_moving_within_a_full_meeting_keeps_its_own_seat():
    meeting = make_meeting(capacity=1)
    here, there = make_category(meeting), make_category(meeting)
    reg = make_registration(meeting, here)
    update_registration(registration_id=reg.pk, person={}, category=there)
    assert fresh(reg).category == there and fresh(reg).status == Status.PENDING


def test_a_category_closed_to_self_registration_or_of_another_meeting_is_refused():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting))
    refused("category_not_open", registration_id=reg.pk, category=make_category(meeting, allows_self_registration=False))
    refused("category_not_open", registration_id=reg.pk, category=make_category(make_meeting()))


def test_an_approved_registration_cannot_move_itself_into_a_category_that_needs_approval():
    meeting = make_meeting()
    reg = make_registration(meeting, make_category(meeting, needs_approval=False), status=Status.APPROVED)
    refused("needs_review", registration_id=reg.pk, category=make_category(meeting, needs_approval=True))
    other_open = make_category(meeting, needs_approval=False)
    assert update_registration(registration_id=reg.pk, person={}, category=other_open).category == other_open


def test_a_waiting_person_moving_to_a_category_with_room_gets_a_seat():
    meeting = make_meeting()
    full, roomy = make_category(meeting, quota=0), make_category(meeting)
    reg = waiting(meeting, full)
    update_registration(registration_id=reg.pk, person={}, category=roomy)
    assert fresh(reg).status == Status.PENDING


def test_moving_to_a_full_delegation_is_refused_and_to_a_foreign_one_is_invalid():
    meeting = make_meeting()
    category = make_category(meeting)
    full = make_delegation(meeting, quota=1)
    make_registration(meeting, category, delegation=full)
    reg = make_registration(meeting, category)
    refused("full", registration_id=reg.pk, delegation=full)
    refused("delegation_invalid", registration_id=reg.pk, delegation=make_delegation(make_meeting()))
    other = make_delegation(meeting)
    assert update_registration(registration_id=reg.pk, person={}, delegation=other).delegation == other


def test_leaving_a_delegation_for_free_text_only_where_the_meeting_allows_it():
    strict = make_meeting()
    reg = make_registration(strict, make_category(strict), delegation=make_delegation(strict))
    refused("organization_not_allowed", registration_id=reg.pk, delegation=None, organization_name="Lao Telecom")
    free = make_meeting(allows_free_text_organization=True)
    reg = make_registration(free, make_category(free), delegation=make_delegation(free))
    updated = update_registration(registration_id=reg.pk, person={}, delegation=None, organization_name="Lao Telecom")
    assert updated.delegation is None and fresh(reg).organization_name == "Lao Telecom"


def test_at_a_hybrid_meeting_switching_to_a_full_online_pool_is_refused_and_to_a_free_one_frees_a_seat():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=1, online_capacity=1)
    category = make_category(meeting)
    make_registration(meeting, category, participation="online")
    reg = make_registration(meeting, category, participation="in_person")
    refused("full", registration_id=reg.pk, participation="online")
    refused("participation_not_offered", registration_id=reg.pk, participation="on_the_moon")

    meeting2 = make_meeting(format=Meeting.Format.HYBRID, capacity=1, online_capacity=2)
    category2 = make_category(meeting2)
    mover = make_registration(meeting2, category2, participation="in_person")
    in_person_waiting = waiting(meeting2, category2, participation="in_person")
    update_registration(registration_id=mover.pk, person={}, participation="online")
    assert fresh(mover).participation == "online" and fresh(in_person_waiting).status == Status.PENDING


# Answers


def _submitted(meeting, answers):
    category = make_category(meeting)
    return submit_registration(meeting=meeting, category=category, person=person(), answers=answers,
                               client_token=form_token()).registration


def test_a_changed_answer_is_stored_against_the_question_s_current_version_and_others_are_kept():
    meeting = make_meeting()
    diet = make_question(meeting, "diet")
    make_question(meeting, "shirt")
    reg = _submitted(meeting, {"diet": "none", "shirt": "M"})
    v2 = new_question_version(diet)
    update_registration(registration_id=reg.pk, person={}, answers={"diet": "vegetarian", "shirt": "M"})
    answers = {a.question.key: a for a in Answer.objects.filter(registration=reg).select_related("question")}
    assert answers["diet"].value == "vegetarian" and answers["diet"].question_version == v2
    assert answers["shirt"].value == "M"
    assert AuditEvent.objects.get(kind="registration.updated").after == {"answers": ["diet"]}


def test_an_emptied_answer_is_removed():
    meeting = make_meeting()
    make_question(meeting, "comments")
    reg = _submitted(meeting, {"comments": "Arriving late"})
    update_registration(registration_id=reg.pk, person={}, answers={"comments": ""})
    assert not Answer.objects.filter(registration=reg).exists()


def test_a_sensitive_answer_changes_without_its_value_reaching_the_audit():
    meeting = make_meeting()
    make_question(meeting, "passport", is_sensitive=True)
    reg = _submitted(meeting, {"passport": "P1111111"})
    update_registration(registration_id=reg.pk, person={}, answers={"passport": "P2222222"})
    assert Answer.objects.get(registration=reg).sensitive_value == "P2222222"
    event = AuditEvent.objects.get(kind="registration.updated")
    assert "P2222222" not in str(event.after) and "P1111111" not in str(event.before)


def test_a_file_answer_is_kept_when_the_form_gives_it_back_and_removed_when_cleared(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting()
    make_question(meeting, "photo", kind="photo")
    picture = io.BytesIO()
    Image.new("RGB", (8, 8)).save(picture, "JPEG")
    reg = _submitted(meeting, {"photo": SimpleUploadedFile("me.jpg", picture.getvalue(), content_type="image/jpeg")})
    stored = Answer.objects.get(registration=reg)
    update_registration(registration_id=reg.pk, person={}, answers={"photo": stored.file})
    assert Answer.objects.get(registration=reg).pk == stored.pk
    update_registration(registration_id=reg.pk, person={}, answers={"photo": False})
    assert not Answer.objects.filter(registration=reg).exists()


# The edit deadline (Meeting.edits_close_at; empty: the meeting's start)


def test_an_edit_after_the_meeting_s_edit_deadline_is_refused_and_nothing_changes():
    meeting = make_meeting(edits_close_at=timezone.now() - timedelta(minutes=1))
    reg = make_registration(meeting, make_category(meeting), position="Director")
    refused("edits_closed", registration_id=reg.pk, person={"position": "Minister"})
    assert fresh(reg).position == "Director"
    assert not AuditEvent.objects.exists()


def test_an_edit_before_the_meeting_s_edit_deadline_is_saved():
    meeting = make_meeting(edits_close_at=timezone.now() + timedelta(minutes=5))
    reg = make_registration(meeting, make_category(meeting), position="Director")
    update_registration(registration_id=reg.pk, person={"position": "Minister"})
    assert fresh(reg).position == "Minister"


def test_without_an_edit_deadline_edits_close_when_the_meeting_starts():
    meeting = make_meeting(starts_at=timezone.now() - timedelta(hours=1))  # running for 7 more hours
    reg = make_registration(meeting, make_category(meeting))
    refused("edits_closed", registration_id=reg.pk, person={"position": "X"})


def test_cancelling_stays_possible_after_the_edit_deadline_and_frees_the_seat():
    meeting = make_meeting(edits_close_at=timezone.now() - timedelta(days=1), capacity=1)
    category = make_category(meeting, needs_approval=False)
    reg = make_registration(meeting, category, status=Status.APPROVED)
    other = waiting(meeting, category)
    cancel_registration(registration_id=reg.pk)
    assert fresh(reg).status == Status.CANCELLED
    assert fresh(other).status == Status.APPROVED


# Changes that need re-approval (Meeting.reapproval_fields, CustomQuestionVersion.needs_reapproval)

REVIEWED = ["given_name", "family_name", "position"]


def approved(meeting, category=None, **kw):
    category = category or make_category(meeting, needs_approval=True)
    return make_registration(meeting, category, status=Status.APPROVED, decided_by=make_user(), **kw)


def test_an_approved_registration_whose_reviewed_field_changes_goes_back_to_pending_and_keeps_its_seat():
    meeting = make_meeting(reapproval_fields=REVIEWED, capacity=1)
    category = make_category(meeting, needs_approval=True)
    reg = approved(meeting, category, position="Director")
    update_registration(registration_id=reg.pk, person={"position": "Minister"})
    reg = fresh(reg)
    assert reg.status == Status.PENDING and reg.decided_at is None and reg.decided_by is None
    event = AuditEvent.objects.get(registration=reg, kind="registration.sent_back_for_review")
    assert event.actor_label == "participant"
    assert event.before == {"status": "approved", "position": "Director"}
    assert event.after == {"status": "pending", "position": "Minister"}
    assert Message.objects.filter(registration=reg, kind="registration.changed_pending").count() == 1
    # Pending holds the seat: the meeting is still full.
    newcomer = submit_registration(meeting=meeting, category=category, person=person(), client_token=form_token())
    assert newcomer.registration.status == Status.WAITLISTED


def test_a_reviewed_field_given_again_unchanged_keeps_the_registration_approved():
    meeting = make_meeting(reapproval_fields=REVIEWED)
    reg = approved(meeting, given_name="Keo", family_name="Phomma", position="Director")
    update_registration(registration_id=reg.pk, person={"given_name": "Keo", "family_name": "Phomma", "position": "Director"})
    assert fresh(reg).status == Status.APPROVED
    assert not AuditEvent.objects.filter(kind="registration.sent_back_for_review").exists()
    assert not Message.objects.filter(kind="registration.changed_pending").exists()


def test_a_change_of_a_field_the_meeting_does_not_review_keeps_the_registration_approved():
    meeting = make_meeting(reapproval_fields=REVIEWED)
    reg = approved(meeting, phone="+8562055512345")
    update_registration(registration_id=reg.pk, person={"phone": "+8562055599999"})
    assert fresh(reg).status == Status.APPROVED
    assert AuditEvent.objects.get(registration=reg).kind == "registration.updated"


def test_a_reviewed_change_in_a_category_without_approval_keeps_the_registration_approved():
    meeting = make_meeting(reapproval_fields=REVIEWED)
    reg = approved(meeting, make_category(meeting, needs_approval=False), position="Director")
    update_registration(registration_id=reg.pk, person={"position": "Minister"})
    assert fresh(reg).status == Status.APPROVED


@pytest.mark.parametrize("status", [Status.PENDING, Status.WAITLISTED])
def test_a_reviewed_change_of_a_registration_not_yet_approved_keeps_its_status(status):
    meeting = make_meeting(reapproval_fields=REVIEWED)
    reg = waiting(meeting, make_category(meeting)) if status == Status.WAITLISTED else make_registration(
        meeting, make_category(meeting))
    update_registration(registration_id=reg.pk, person={"position": "Minister"})
    assert fresh(reg).status == status
    assert not AuditEvent.objects.filter(kind="registration.sent_back_for_review").exists()


def test_changing_the_delegation_sends_it_back_where_the_meeting_reviews_the_organization():
    meeting = make_meeting(reapproval_fields=["organization"])
    first, second = make_delegation(meeting), make_delegation(meeting)
    reg = approved(meeting, delegation=first)
    update_registration(registration_id=reg.pk, person={}, delegation=second)
    assert fresh(reg).status == Status.PENDING
    event = AuditEvent.objects.get(kind="registration.sent_back_for_review")
    assert event.before["delegation"] == first.pk and event.after["delegation"] == second.pk


def test_a_changed_answer_to_a_question_that_needs_reapproval_sends_the_registration_back():
    meeting = make_meeting()
    make_question(meeting, "passport_no", needs_reapproval=True)
    make_question(meeting, "diet")
    category = make_category(meeting, needs_approval=True)
    reg = approved(meeting, category)
    update_registration(registration_id=reg.pk, person={}, answers={"passport_no": "P1", "diet": "none"})
    assert fresh(reg).status == Status.PENDING
    event = AuditEvent.objects.get(kind="registration.sent_back_for_review")
    assert event.after == {"status": "pending", "answers": ["diet", "passport_no"]}


def test_the_same_answer_again_or_a_change_of_an_unreviewed_question_keeps_it_approved():
    meeting = make_meeting()
    make_question(meeting, "passport_no", needs_reapproval=True)
    make_question(meeting, "diet")
    category = make_category(meeting, needs_approval=True)
    reg = submit_registration(meeting=meeting, category=category, person=person(), client_token=form_token(),
                              answers={"passport_no": "P1", "diet": "none"}).registration
    approve_registration(registration_id=reg.pk)
    update_registration(registration_id=reg.pk, person={}, answers={"passport_no": "P1", "diet": "vegetarian"})
    assert fresh(reg).status == Status.APPROVED
    assert not AuditEvent.objects.filter(kind="registration.sent_back_for_review").exists()
