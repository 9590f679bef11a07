"""submit_registration: who gets a seat, who waits, who is refused, and what is written with it."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from prachum.audit.models import AuditEvent
from prachum.meetings.models import Meeting
from prachum.meetings.tests.factories import make_category, make_meeting, make_user
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Answer, Participation, Registration
from prachum.registration.selectors import registration_by_manage_token
from prachum.registration.services import submit_registration
from prachum.registration.services.seats import likely_has_room
from prachum.registration.tests.factories import (
    form_token,
    make_delegation,
    make_focal_point,
    make_invitation,
    make_question,
    make_registration,
    person,
    window,
)

pytestmark = pytest.mark.django_db

Status = Registration.Status


def submit(meeting, category, **kw):
    kw.setdefault("person", person())
    kw.setdefault("client_token", form_token())
    return submit_registration(meeting=meeting, category=category, **kw)


def refused(code, meeting, category, **kw):
    with pytest.raises(RegistrationError) as caught:
        submit(meeting, category, **kw)
    assert caught.value.code == code
    return caught.value


# Status on arrival


def test_a_category_that_needs_approval_makes_a_pending_registration():
    meeting = make_meeting()
    result = submit(meeting, make_category(meeting, needs_approval=True))
    assert result.created and result.registration.status == Status.PENDING
    assert result.registration.decided_at is None


def test_a_category_without_approval_confirms_at_once():
    meeting = make_meeting()
    result = submit(meeting, make_category(meeting, needs_approval=False))
    assert result.registration.status == Status.APPROVED and result.registration.decided_at is not None


def test_the_registration_keeps_the_person_s_data_and_language():
    meeting = make_meeting()
    data = person(given_name="Văn Hùng", family_name="Nguyễn", family_name_first=True, email="hung@example.vn")
    reg = submit(meeting, make_category(meeting), person=data, language="en", consented=True).registration
    reg.refresh_from_db()
    assert reg.full_name == "Nguyễn Văn Hùng" and reg.email == "hung@example.vn" and reg.language == "en"
    assert reg.phone == "+8562055512345" and reg.consent_at is not None
    assert reg.participation == Registration.Participation.IN_PERSON


def test_the_manage_token_opens_the_registration_and_only_its_hash_is_stored():
    meeting = make_meeting()
    result = submit(meeting, make_category(meeting))
    assert registration_by_manage_token(result.manage_token) == result.registration
    assert result.manage_token not in str(Registration.objects.filter(pk=result.registration.pk).values().get())


# Seats


def test_when_the_meeting_is_full_the_person_is_waitlisted_and_told_so():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting, needs_approval=False)
    first = submit(meeting, category).registration
    second = submit(meeting, category).registration
    assert first.status == Status.APPROVED
    assert second.status == Status.WAITLISTED and second.waitlisted_at is not None
    assert Message.objects.get(registration=second).kind == "registration.waitlisted"


def test_pending_registrations_hold_seats_and_rejected_or_cancelled_ones_do_not():
    meeting = make_meeting(capacity=3)
    category = make_category(meeting)
    make_registration(meeting, category, status=Status.PENDING)
    make_registration(meeting, category, status=Status.REJECTED)
    make_registration(meeting, category, status=Status.CANCELLED)
    make_registration(meeting, category, status=Status.WAITLISTED)
    assert submit(meeting, category).registration.status == Status.PENDING
    assert submit(meeting, category).registration.status == Status.PENDING
    assert submit(meeting, category).registration.status == Status.WAITLISTED


def test_a_full_category_waitlists_even_when_the_meeting_has_room():
    meeting = make_meeting(capacity=100)
    full = make_category(meeting, quota=1)
    other = make_category(meeting)
    make_registration(meeting, full, status=Status.APPROVED)
    assert submit(meeting, full).registration.status == Status.WAITLISTED
    assert submit(meeting, other).registration.status == Status.PENDING


def test_a_full_delegation_waitlists_its_next_member_only():
    meeting = make_meeting()
    category = make_category(meeting)
    full, other = make_delegation(meeting, quota=2), make_delegation(meeting, quota=2)
    make_registration(meeting, category, delegation=full)
    make_registration(meeting, category, delegation=full, status=Status.APPROVED)
    assert submit(meeting, category, delegation=full).registration.status == Status.WAITLISTED
    assert submit(meeting, category, delegation=other).registration.status == Status.PENDING
    assert submit(meeting, category).registration.status == Status.PENDING  # no delegation, no delegation quota


def test_a_guess_of_room_made_from_recent_counts_is_corrected_under_the_lock(settings):
    """Before the meeting lock the status is guessed from the counts this process read last (no count
    of its own while far from the limit); the recount under the lock decides. When the seats went
    meanwhile, the audit event and the email are those of the waiting list, once each."""
    settings.PRACHUM_PROCESS_CACHE_SECONDS = 60  # the counts are kept (the tests turn the caches off)
    meeting = make_meeting(capacity=300)
    category = make_category(meeting, needs_approval=False)
    first = submit(meeting, category).registration  # counts 0 taken: remembered for the next guess
    assert first.status == Status.APPROVED
    for _ in range(299):  # the other seats go through another way (an import, another process)
        make_registration(meeting, category, status=Status.APPROVED)

    assert likely_has_room(meeting, category=category, delegation=None, participation=Participation.IN_PERSON)

    late = submit(meeting, category).registration

    assert late.status == Status.WAITLISTED
    assert Registration.objects.get(pk=late.pk).status == Status.WAITLISTED
    events = AuditEvent.objects.filter(registration=late, kind="registration.submitted")
    assert [event.after["status"] for event in events] == [Status.WAITLISTED]
    messages = Message.objects.filter(registration=late)
    assert [message.kind for message in messages] == ["registration.waitlisted"]
    assert "ບັນຊີລໍຖ້າ" in messages[0].body_text  # the waiting list's email (the person's language: Lao)


def test_a_quota_of_zero_sends_everyone_to_the_waiting_list():
    meeting = make_meeting()
    assert submit(meeting, make_category(meeting, quota=0)).registration.status == Status.WAITLISTED


def test_at_a_hybrid_meeting_capacity_counts_in_person_and_online_capacity_counts_online():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=1, online_capacity=2)
    category = make_category(meeting, needs_approval=False)
    assert submit(meeting, category, participation="in_person").registration.status == Status.APPROVED
    assert submit(meeting, category, participation="in_person").registration.status == Status.WAITLISTED
    assert submit(meeting, category, participation="online").registration.status == Status.APPROVED
    assert submit(meeting, category, participation="online").registration.status == Status.APPROVED
    assert submit(meeting, category, participation="online").registration.status == Status.WAITLISTED


def test_at_a_hybrid_meeting_a_category_quota_counts_both_ways_of_taking_part():
    meeting = make_meeting(format=Meeting.Format.HYBRID, capacity=10, online_capacity=10)
    category = make_category(meeting, quota=2)
    submit(meeting, category, participation="in_person")
    submit(meeting, category, participation="online")
    assert submit(meeting, category, participation="online").registration.status == Status.WAITLISTED


def test_an_online_meeting_counts_its_capacity_for_online_participants():
    meeting = make_meeting(format=Meeting.Format.ONLINE, capacity=1)
    category = make_category(meeting)
    first = submit(meeting, category).registration
    assert first.participation == "online" and first.status == Status.PENDING
    assert submit(meeting, category).registration.status == Status.WAITLISTED


def test_a_way_of_taking_part_the_meeting_does_not_offer_is_refused():
    in_person = make_meeting(format=Meeting.Format.IN_PERSON)
    refused("participation_not_offered", in_person, make_category(in_person), participation="online")
    online = make_meeting(format=Meeting.Format.ONLINE)
    refused("participation_not_offered", online, make_category(online), participation="in_person")


# Window and meeting status


def test_before_the_window_opens_registration_is_not_open():
    meeting = make_meeting(**window(opened_ago=-timedelta(hours=1)))
    refused("not_open", meeting, make_category(meeting))


def test_after_the_window_closes_registration_is_closed():
    meeting = make_meeting(registration_opens_at=timezone.now() - timedelta(days=2),
                           registration_closes_at=timezone.now() - timedelta(seconds=1))
    refused("closed", meeting, make_category(meeting))


def test_inside_the_window_registration_is_open():
    meeting = make_meeting(**window())
    assert submit(meeting, make_category(meeting)).created


def test_a_draft_meeting_is_not_open_yet():
    meeting = make_meeting(status=Meeting.Status.DRAFT)
    refused("not_open", meeting, make_category(meeting))


@pytest.mark.parametrize("status", [Meeting.Status.CLOSED, Meeting.Status.CANCELLED])
def test_a_closed_or_cancelled_meeting_takes_no_registration(status):
    meeting = make_meeting(status=status)
    refused("closed", meeting, make_category(meeting))


def test_a_meeting_that_has_ended_takes_no_registration():
    meeting = make_meeting(starts_at=timezone.now() - timedelta(days=2))
    refused("closed", meeting, make_category(meeting))


# Category, delegation, organization


def test_a_category_of_another_meeting_is_refused():
    meeting, other = make_meeting(), make_meeting()
    refused("category_not_open", meeting, make_category(other))


def test_a_category_closed_to_self_registration_is_refused():
    meeting = make_meeting()
    refused("category_not_open", meeting, make_category(meeting, allows_self_registration=False))


def test_a_delegation_of_another_meeting_is_refused():
    meeting, other = make_meeting(), make_meeting()
    refused("delegation_invalid", meeting, make_category(meeting), delegation=make_delegation(other))


def test_free_text_organization_only_where_the_meeting_allows_it():
    strict = make_meeting(allows_free_text_organization=False)
    refused("organization_not_allowed", strict, make_category(strict), organization_name="Lao Telecom")
    free = make_meeting(allows_free_text_organization=True)
    reg = submit(free, make_category(free), organization_name="  Lao Telecom ").registration
    assert reg.organization_name == "Lao Telecom" and reg.delegation is None


def test_a_delegation_replaces_free_text():
    meeting = make_meeting(allows_free_text_organization=True)
    delegation = make_delegation(meeting)
    reg = submit(meeting, make_category(meeting), delegation=delegation, organization_name="Other").registration
    assert reg.delegation == delegation and reg.organization_name == ""


# Registration modes


def test_invitation_mode_needs_an_invitation():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.INVITATION)
    refused("invitation_required", meeting, make_category(meeting))


def test_a_valid_invitation_registers_and_is_used_up():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.INVITATION)
    category = make_category(meeting)
    invitation = make_invitation(meeting)
    reg = submit(meeting, category, invitation=invitation).registration
    invitation.refresh_from_db()
    assert reg.invitation == invitation and invitation.used_at is not None
    refused("invitation_required", meeting, category, invitation=invitation)


@pytest.mark.parametrize("state", ["revoked", "expired", "other_meeting"])
def test_a_revoked_expired_or_foreign_invitation_is_refused(state):
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.INVITATION)
    now = timezone.now()
    invitation = {
        "revoked": lambda: make_invitation(meeting, revoked_at=now),
        "expired": lambda: make_invitation(meeting, expires_at=now - timedelta(minutes=1)),
        "other_meeting": lambda: make_invitation(make_meeting()),
    }[state]()
    refused("invitation_required", meeting, make_category(meeting), invitation=invitation)
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_an_invitation_to_a_closed_category_opens_it_and_brings_its_delegation():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.INVITATION)
    heads = make_category(meeting, allows_self_registration=False)
    delegation = make_delegation(meeting)
    invitation = make_invitation(meeting, category=heads, delegation=delegation)
    reg = submit(meeting, heads, invitation=invitation).registration
    assert reg.category == heads and reg.delegation == delegation
    refused("category_not_open", meeting, heads, invitation=make_invitation(meeting))


def test_nomination_mode_refuses_self_registration():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.NOMINATION)
    refused("nomination_only", meeting, make_category(meeting), delegation=make_delegation(meeting))


def test_a_focal_point_nominates_members_of_their_delegation_even_in_closed_categories():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.NOMINATION)
    delegation = make_delegation(meeting)
    focal_point = make_focal_point(delegation)
    category = make_category(meeting, allows_self_registration=False)
    reg = submit(meeting, category, delegation=delegation, nominated_by=focal_point, actor=focal_point).registration
    assert reg.nominated_by == focal_point
    assert AuditEvent.objects.get(registration=reg).actor == focal_point


def test_only_a_focal_point_of_that_delegation_may_nominate():
    meeting = make_meeting(registration_mode=Meeting.RegistrationMode.NOMINATION)
    category = make_category(meeting)
    ours, theirs = make_delegation(meeting), make_delegation(meeting)
    refused("not_focal_point", meeting, category, delegation=ours, nominated_by=make_focal_point(theirs))
    refused("not_focal_point", meeting, category, delegation=ours, nominated_by=make_user())
    refused("not_focal_point", meeting, category, nominated_by=make_focal_point(ours))  # no delegation named


# Duplicates and idempotency


def test_the_same_email_cannot_register_twice_whatever_its_case():
    meeting = make_meeting()
    category = make_category(meeting)
    submit(meeting, category, person=person(email="noy@example.org"))
    error = refused("duplicate_email", meeting, category, person=person(email="NOY@example.org"))
    with translation.override("en"):  # the message is lazy: in the language of the page that shows it
        assert "link" in str(error.message)


def test_a_waitlisted_email_counts_as_registered():
    meeting = make_meeting()
    category = make_category(meeting)
    make_registration(meeting, category, email="noy@example.org", status=Status.WAITLISTED)
    refused("duplicate_email", meeting, category, person=person(email="noy@example.org"))


def test_after_a_cancellation_the_same_email_may_register_again():
    meeting = make_meeting()
    category = make_category(meeting)
    make_registration(meeting, category, email="noy@example.org", status=Status.CANCELLED)
    assert submit(meeting, category, person=person(email="noy@example.org")).created


def test_submitting_the_same_form_twice_makes_one_registration():
    meeting = make_meeting()
    category = make_category(meeting)
    data, token = person(), form_token()
    first = submit(meeting, category, person=data, client_token=token)
    again = submit(meeting, category, person=data, client_token=token)
    assert first.created and not again.created
    assert again.registration == first.registration and again.manage_token == first.manage_token
    assert Registration.objects.count() == 1 and Message.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_a_repeated_submit_is_answered_even_after_registration_closed():
    meeting = make_meeting(capacity=1)
    category = make_category(meeting)
    data, token = person(), form_token()
    first = submit(meeting, category, person=data, client_token=token)
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.CLOSED)
    assert submit(meeting, category, person=data, client_token=token).registration == first.registration


def test_a_used_form_token_with_another_person_is_refused_and_shows_nothing_of_the_first():
    meeting = make_meeting()
    category = make_category(meeting)
    token = form_token()
    submit(meeting, category, client_token=token)
    refused("form_reused", meeting, category, client_token=token)
    assert Registration.objects.count() == 1


def test_a_client_token_is_required():
    meeting = make_meeting()
    with pytest.raises(ValueError):
        submit(meeting, make_category(meeting), client_token="")


# Answers


def test_answers_are_stored_against_the_question_s_current_version():
    meeting = make_meeting()
    diet = make_question(meeting, "diet", kind="choice")
    arrival = make_question(meeting, "arrival", kind="date")
    needs_visa = make_question(meeting, "needs_visa", kind="yes_no")
    answers = {"diet": "veg", "arrival": date(2026, 9, 9), "needs_visa": False}
    reg = submit(meeting, make_category(meeting), answers=answers).registration
    answers = {a.question.key: a for a in Answer.objects.filter(registration=reg).select_related("question")}
    assert answers["diet"].value == "veg" and answers["diet"].question_version == diet.current_version
    assert answers["arrival"].value == "2026-09-09" and answers["arrival"].question_version == arrival.current_version
    assert answers["needs_visa"].value is False and answers["needs_visa"].question_version == needs_visa.current_version


def test_empty_answers_are_not_stored():
    meeting = make_meeting()
    make_question(meeting, "comments", kind="long_text")
    reg = submit(meeting, make_category(meeting), answers={"comments": ""}).registration
    assert not Answer.objects.filter(registration=reg).exists()


def test_a_sensitive_answer_is_stored_encrypted_only():
    meeting = make_meeting()
    make_question(meeting, "passport", is_sensitive=True)
    reg = submit(meeting, make_category(meeting), answers={"passport": "P1234567"}).registration
    answer = Answer.objects.get(registration=reg)
    assert answer.value is None and answer.sensitive_value == "P1234567" and answer.answer == "P1234567"


def test_a_file_answer_is_saved_under_a_random_name(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    meeting = make_meeting()
    make_question(meeting, "photo", kind="photo")
    picture = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(picture, "PNG")
    upload = SimpleUploadedFile("Keo Phommachanh passport.PNG", picture.getvalue(), content_type="image/png")
    reg = submit(meeting, make_category(meeting), answers={"photo": upload}).registration
    answer = Answer.objects.get(registration=reg)
    assert answer.file.name.endswith(".png") and "Keo" not in answer.file.name
    with Image.open(answer.file) as kept:  # re-encoded (services/uploads.py), the same picture
        assert (kept.format, kept.size, kept.getpixel((0, 0))) == ("PNG", (8, 8), (200, 30, 30))


def test_an_answer_to_an_unknown_question_is_a_programming_error_and_saves_nothing():
    meeting = make_meeting()
    with pytest.raises(ValueError):
        submit(meeting, make_category(meeting), answers={"nope": "x"})
    assert not Registration.objects.exists()


# What is written with it


def test_an_audit_event_and_a_message_are_written_with_the_registration():
    meeting = make_meeting()
    reg = submit(meeting, make_category(meeting, needs_approval=True)).registration
    event = AuditEvent.objects.get(registration=reg)
    assert event.kind == "registration.submitted" and event.after["status"] == "pending"
    assert event.actor is None and event.actor_label == "participant" and event.meeting == meeting
    message = Message.objects.get(registration=reg)
    assert message.kind == "registration.received" and message.to_email == reg.email


def test_a_confirmed_registration_is_told_it_is_confirmed():
    meeting = make_meeting()
    reg = submit(meeting, make_category(meeting, needs_approval=False)).registration
    assert list(Message.objects.filter(registration=reg).values_list("kind", flat=True)) == ["registration.confirmed"]


def test_a_refusal_writes_nothing():
    meeting = make_meeting(status=Meeting.Status.CLOSED)
    refused("closed", meeting, make_category(meeting))
    assert not Registration.objects.exists() and not AuditEvent.objects.exists() and not Message.objects.exists()
