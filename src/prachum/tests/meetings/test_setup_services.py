"""meetings.setup: the writes of the organizer area's meeting setup, called as the views call them."""

from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from prachum.audit.models import AuditEvent
from prachum.meetings import setup
from prachum.meetings.models import EmailText, Meeting, MeetingRole, QuestionKind, Role
from prachum.meetings.tests.factories import make_category, make_meeting, make_organization, make_session, make_user
from prachum.notify.models import Message
from prachum.registration.models import Registration
from prachum.registration.services import meeting_cancellation
from prachum.registration.tests.factories import make_delegation, make_question, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    return make_user(email="owner@example.org")


@pytest.fixture
def meeting(owner):
    meeting = make_meeting(slug="adgsom-test")
    MeetingRole.objects.create(meeting=meeting, user=owner, role=Role.OWNER)
    return meeting


def test_creating_a_meeting_makes_a_draft_owned_by_its_creator(owner):
    base = make_meeting().starts_at
    meeting = setup.create_meeting(actor=owner, slug="new-one", title_lo="ກອງປະຊຸມ", title_en="", starts_at=base,
                                   ends_at=base + timedelta(hours=8), time_zone="Asia/Vientiane")
    assert meeting.status == Meeting.Status.DRAFT
    assert MeetingRole.objects.filter(meeting=meeting, user=owner, role=Role.OWNER).exists()
    assert AuditEvent.objects.filter(kind="meeting.created", meeting=meeting).exists()


def test_a_session_that_ends_before_it_starts_is_refused_by_the_model(meeting, owner):
    with pytest.raises(ValidationError):
        setup.save_session(meeting_id=meeting.pk, actor=owner, title_en="x", starts_at=meeting.ends_at,
                           ends_at=meeting.starts_at)
    assert not meeting.sessions.exists()


def test_changing_a_session_time_raises_the_calendar_sequence(meeting, owner):
    session = make_session(meeting)
    setup.save_session(meeting_id=meeting.pk, actor=owner, session_id=session.pk, title_en=session.title_en,
                       title_lo=session.title_lo, starts_at=session.starts_at + timedelta(hours=1),
                       ends_at=session.ends_at + timedelta(hours=1))
    meeting.refresh_from_db()
    assert meeting.calendar_sequence == 1


def test_a_category_quota_below_the_seats_taken_is_refused_and_a_raised_one_promotes(meeting, owner):
    category = make_category(meeting, quota=2, needs_approval=False)
    make_registration(meeting=meeting, category=category, status=Registration.Status.APPROVED)
    make_registration(meeting=meeting, category=category, status=Registration.Status.APPROVED)
    waiting = make_registration(meeting=meeting, category=category, status=Registration.Status.WAITLISTED)
    with pytest.raises(setup.SetupError) as refused:
        setup.save_category(meeting_id=meeting.pk, actor=owner, category_id=category.pk, quota=1)
    assert (refused.value.code, refused.value.field, refused.value.params["taken"]) == ("quota_below_use", "quota", 2)
    setup.save_category(meeting_id=meeting.pk, actor=owner, category_id=category.pk, quota=3)
    waiting.refresh_from_db()
    assert waiting.status == Registration.Status.APPROVED


def test_a_delegation_quota_below_its_seats_is_refused(meeting, owner):
    delegation = make_delegation(meeting)
    make_registration(meeting=meeting, delegation=delegation, status=Registration.Status.PENDING)
    with pytest.raises(setup.SetupError) as refused:
        setup.save_delegation(meeting_id=meeting.pk, actor=owner, delegation_id=delegation.pk, quota=0)
    assert refused.value.code == "quota_below_use"


def test_a_focal_point_who_has_an_account_keeps_it_and_is_told_to_log_in(meeting, owner):
    existing = make_user(email="Focal.VN@example.org")
    delegation = setup.save_delegation(
        meeting_id=meeting.pk, actor=owner, organization=make_organization(code="VN-t"), quota=6,
        focal_points=[{"email": "focal.vn@example.org", "language": "lo"}],
    )
    assert get_user_model().objects.filter(email__iexact="focal.vn@example.org").count() == 1
    assert MeetingRole.objects.get(meeting=meeting, role=Role.FOCAL_POINT).user == existing
    assert list(delegation.focal_points) == [existing]
    message = Message.objects.get(kind="account.invitation")
    assert "/accounts/login/" in message.body_text and "set-password" not in message.body_text
    existing.refresh_from_db()
    assert existing.check_password("a long test password 42")


def test_the_same_focal_point_twice_is_refused(meeting, owner):
    delegation = make_delegation(meeting)
    person = {"email": "fp@example.org", "language": "en"}
    setup.save_delegation(meeting_id=meeting.pk, actor=owner, delegation_id=delegation.pk, focal_points=[person])
    with pytest.raises(setup.SetupError) as refused:
        setup.save_delegation(meeting_id=meeting.pk, actor=owner, delegation_id=delegation.pk, focal_points=[person])
    assert (refused.value.code, refused.value.field) == ("focal_point_taken", "focal_points")


def test_a_new_account_cannot_log_in_until_its_owner_sets_a_password(meeting, owner):
    role = setup.give_role(meeting_id=meeting.pk, actor=owner, role=Role.REVIEWER, email="Rev@Example.org", language="en")
    assert role.user.email == "rev@example.org" and not role.user.has_usable_password()
    message = Message.objects.get(kind="account.invitation", to_email="rev@example.org")
    assert "/en/accounts/set-password/" in message.body_text


def test_only_owners_give_the_owner_role_and_the_last_owner_stays(meeting, owner):
    manager = make_user()
    MeetingRole.objects.create(meeting=meeting, user=manager, role=Role.MANAGER)
    with pytest.raises(setup.SetupError) as refused:
        setup.give_role(meeting_id=meeting.pk, actor=manager, role=Role.OWNER, email="x@example.org")
    assert refused.value.code == "owner_only"
    only_owner = MeetingRole.objects.get(meeting=meeting, role=Role.OWNER)
    with pytest.raises(setup.SetupError) as refused:
        setup.remove_role(meeting_id=meeting.pk, actor=owner, role_id=only_owner.pk)
    assert refused.value.code == "last_owner"


def test_editing_a_question_makes_a_new_version_and_an_unchanged_save_does_not(meeting, owner):
    content = {"kind": QuestionKind.TEXT, "label_lo": "ອາຫານ", "label_en": "Diet", "help_lo": "", "help_en": "",
               "choices": [], "is_required": False, "is_sensitive": False, "show_if_value": "", "needs_reapproval": False}
    question = setup.save_question(meeting_id=meeting.pk, actor=owner, key="diet", **content)
    first = question.current_version
    setup.save_question(meeting_id=meeting.pk, actor=owner, question_id=question.pk, **content)
    question.refresh_from_db()
    assert question.current_version == first
    setup.save_question(meeting_id=meeting.pk, actor=owner, question_id=question.pk, **{**content, "label_en": "Dietary needs"})
    question.refresh_from_db()
    assert question.current_version.number == 2 and question.versions.count() == 2


def test_cloning_shifts_sessions_and_copies_everything_but_people(meeting, owner):
    make_session(meeting)
    category = make_category(meeting, quota=5)
    delegation = make_delegation(meeting, quota=4)
    setup.give_role(meeting_id=meeting.pk, actor=owner, role=Role.FOCAL_POINT, email="fp@example.org",
                    delegation_id=delegation.pk)
    question = make_question(meeting, "diet", QuestionKind.TEXT, label_en="Diet")
    question.current_version.categories.set([category])
    make_registration(meeting=meeting, category=category)
    EmailText.objects.create(meeting=meeting, kind="registration.confirmed", body_en="See you, {given_name}!")
    starts_on = meeting.starts_at.date() + timedelta(days=365)

    copy = setup.clone_meeting(source_id=meeting.pk, actor=owner, slug="adgsom-next", starts_on=starts_on)

    assert copy.status == Meeting.Status.DRAFT
    assert (copy.starts_at - meeting.starts_at).days == 365
    assert copy.sessions.get().starts_at - meeting.sessions.get().starts_at == timedelta(days=365)
    assert copy.categories.get().quota == 5
    assert copy.delegations.get().quota == 4
    assert list(copy.roles.values_list("role", flat=True)) == [Role.OWNER]
    assert not copy.registrations.exists()
    copied = copy.questions.get().current_version
    assert copied.label_en == "Diet" and list(copied.categories.all()) == [copy.categories.get()]
    assert copy.email_texts.get().body_en == "See you, {given_name}!"


def test_cloning_to_a_used_slug_is_refused(meeting, owner):
    make_meeting(slug="taken")
    with pytest.raises(setup.SetupError) as refused:
        setup.clone_meeting(source_id=meeting.pk, actor=owner, slug="taken", starts_on=date(2030, 1, 1))
    assert refused.value.field == "slug"


def test_publishing_needs_a_category_and_a_privacy_notice(owner):
    meeting = make_meeting(status=Meeting.Status.DRAFT)
    with pytest.raises(setup.SetupError) as refused:
        setup.publish_meeting(meeting_id=meeting.pk, actor=owner)
    assert refused.value.code == "incomplete"
    make_category(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(privacy_notice_en="We keep your data for a year.")
    assert setup.publish_meeting(meeting_id=meeting.pk, actor=owner).status == Meeting.Status.PUBLISHED
    assert setup.close_registration(meeting_id=meeting.pk, actor=owner).status == Meeting.Status.CLOSED


def test_cancelling_the_meeting_cancels_and_tells_everyone_in_their_language(meeting, owner, mail_server, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.PRACHUM_DELIVERY = "inline"
    category = make_category(meeting)
    approved = make_registration(meeting=meeting, category=category, status=Registration.Status.APPROVED, language="en")
    waiting = make_registration(meeting=meeting, category=category, status=Registration.Status.WAITLISTED)
    rejected = make_registration(meeting=meeting, category=category, status=Registration.Status.REJECTED)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled, job = meeting_cancellation.cancel_meeting(meeting_id=meeting.pk, actor=owner)
    assert job is None and cancelled.status == Meeting.Status.CANCELLED
    for registration, status in ((approved, "cancelled"), (waiting, "cancelled"), (rejected, "rejected")):
        registration.refresh_from_db()
        assert registration.status == status
    received = mail_server.wait_for(2)
    assert sorted(m["To"] for m in received) == sorted([approved.email, waiting.email])
    text = next(m for m in received if m["To"] == approved.email).get_body(("plain",)).get_content()
    assert f"{meeting.title_en} has been cancelled. Your registration is cancelled with it" in text


def test_cancelling_many_registrations_runs_as_a_job(meeting, owner, settings, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    settings.PRACHUM_DELIVERY = "inline"
    monkeypatch.setattr(meeting_cancellation, "CANCEL_INLINE_UP_TO", 1)
    monkeypatch.setattr(meeting_cancellation, "CANCEL_BATCH", 2)
    category = make_category(meeting)
    people = [make_registration(meeting=meeting, category=category) for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=True):
        _meeting, job = meeting_cancellation.cancel_meeting(meeting_id=meeting.pk, actor=owner)
    job.refresh_from_db()
    assert job.status == "done"
    assert all(Registration.objects.get(pk=p.pk).status == "cancelled" for p in people)
    assert Message.objects.filter(kind="registration.cancelled").count() == 3


def test_cancelling_the_meeting_cancels_each_registration_through_cancel_registration(meeting, owner):
    """The normal path: each registration's own AuditEvent and email, its transition checked, and nobody
    given a seat from the waiting list of a meeting that will not take place."""
    category = make_category(meeting)
    approved = make_registration(meeting=meeting, category=category, status=Registration.Status.APPROVED)
    pending = make_registration(meeting=meeting, category=category, status=Registration.Status.PENDING)
    waiting = make_registration(meeting=meeting, category=category, status=Registration.Status.WAITLISTED)
    cancelled_before = make_registration(meeting=meeting, category=category, status=Registration.Status.CANCELLED)

    meeting_cancellation.cancel_meeting(meeting_id=meeting.pk, actor=owner)

    for registration in (approved, pending, waiting):
        registration.refresh_from_db()
        assert registration.status == Registration.Status.CANCELLED and registration.cancelled_at is not None
        (event,) = AuditEvent.objects.filter(registration=registration)
        assert event.kind == "registration.cancelled" and event.actor == owner
        assert event.after == {"status": "cancelled", "reason": "meeting.cancelled"}
        assert Message.objects.filter(registration=registration, kind="registration.cancelled").count() == 1
    assert not AuditEvent.objects.filter(registration=cancelled_before).exists()
    assert not AuditEvent.objects.filter(meeting=meeting, kind="registration.promoted").exists()
    assert not Message.objects.filter(kind="registration.promoted").exists()
    assert AuditEvent.objects.filter(meeting=meeting, kind="meeting.cancelled").count() == 1


def test_an_organizers_email_text_replaces_the_opening_paragraph_only(meeting, owner):
    from prachum.notify.emails import render_registration_email

    setup.save_email_text(meeting_id=meeting.pk, actor=owner, kind="registration.confirmed",
                          subject_en="Welcome to {meeting}", body_en="Dear friend <b>{given_name}</b>, see you soon.")
    registration = make_registration(meeting=meeting, category=make_category(meeting), given_name="Keo",
                                     status=Registration.Status.APPROVED, language="en")
    email = render_registration_email(registration=registration, kind="registration.confirmed")
    assert email.subject == f"Welcome to {meeting.title_en}"
    assert "Dear friend <b>Keo</b>, see you soon." in email.text
    assert "&lt;b&gt;Keo&lt;/b&gt;" in email.html and "<b>Keo</b>" not in email.html
    assert "is confirmed" not in email.text  # the standard paragraph is gone…
    assert "/en/r/" in email.text  # …the private link stays
    lao = render_registration_email(registration=registration, kind="registration.confirmed", language="lo")
    assert "Dear friend" not in lao.text  # …in English only: Lao keeps the standard text
