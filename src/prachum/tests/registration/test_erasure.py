"""Erasure of one person (erase_registration) and of a meeting's people when its retention period ends
(erase_meeting_personal_data, run on the engine's tick), with the owners warned 30 days before."""

import json
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.audit.services import record_audit
from prachum.checkin.models import CheckIn
from prachum.jobs import engine
from prachum.jobs.models import Job
from prachum.jobs.services import attach_result
from prachum.meetings.models import Meeting, MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting, make_session
from prachum.notify.models import Message
from prachum.online.models import Join
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Answer, Registration
from prachum.registration.services.erasure import (
    erase_meeting_personal_data, erase_registration, retention_plan, run_retention,
)
from prachum.registration.tests.factories import (
    make_invitation, make_organizer, make_question, make_registration,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _person_with_everything(meeting, category=None):
    """A registration with a plain, a sensitive and a file answer, an invitation, an email sent, a check-in,
    an online join and an audit event holding their email."""
    invitation = make_invitation(meeting, email="somphone@example.la", given_name="Somphone")
    registration = make_registration(meeting, category, given_name="Somphone", family_name="Vongsa",
                                     name_lo="ສົມພອນ ວົງສາ", email="somphone@example.la", phone="+8562055512345",
                                     position="Director", position_lo="ຫົວໜ້າພະແນກ", invitation=invitation,
                                     status=Registration.Status.APPROVED)
    plain = make_question(meeting, "diet", label_en="Diet")
    secret = make_question(meeting, "passport", label_en="Passport number", is_sensitive=True)
    upload = make_question(meeting, "photo", kind="file", label_en="Photo")
    Answer.objects.create(registration=registration, question=plain, question_version=plain.current_version,
                          value="vegetarian")
    Answer.objects.create(registration=registration, question=secret, question_version=secret.current_version,
                          sensitive_value="P1234567")
    file_answer = Answer(registration=registration, question=upload, question_version=upload.current_version)
    file_answer.file.save("somphone.jpg", ContentFile(b"\xff\xd8 photo"), save=True)
    session = make_session(meeting)
    Message.objects.create(meeting=meeting, registration=registration, kind="registration.confirmed",
                           to_email=registration.email, subject="Dear Somphone Vongsa", body_text="Hello Somphone",
                           status=Message.Status.SENT, sent_at=timezone.now())
    Message.objects.create(meeting=meeting, kind="invitation", to_email="somphone@example.la",
                           subject="Invitation for Somphone", body_text="Hello Somphone", status=Message.Status.QUEUED)
    CheckIn.objects.create(registration=registration, session=session, client_id="00000000-0000-4000-8000-000000000001",
                           checked_in_at=timezone.now())
    Join.objects.create(registration=registration, session=session, joined_at=timezone.now(),
                        user_agent="Mozilla/5.0 (Somphone's phone)")
    with transaction.atomic():
        record_audit(kind="registration.updated", registration=registration, obj=registration,
                     before={"email": "old@example.la", "status": "pending"},
                     after={"email": registration.email, "given_name": "Somphone", "status": "approved"})
    return registration, file_answer.file.path


def _no_trace_of_somphone(meeting):
    rows = [
        list(Registration.objects.filter(meeting=meeting).values()),
        list(Answer.objects.filter(registration__meeting=meeting).values("value", "file")),
        [a.sensitive_value for a in Answer.objects.filter(registration__meeting=meeting)],
        list(meeting.invitations.values()),
        list(Message.objects.filter(meeting=meeting).values()),
        list(Join.objects.filter(registration__meeting=meeting).values()),
        list(AuditEvent.objects.filter(meeting=meeting).values("before", "after", "actor_label")),
    ]
    text = json.dumps(rows, default=str, ensure_ascii=False)
    for trace in ("Somphone", "somphone", "Vongsa", "ສົມພອນ", "8562055512345", "Director", "ຫົວໜ້າ", "P1234567",
                  "vegetarian", "old@example.la", "Mozilla"):
        assert trace not in text, trace


def test_an_owner_erases_a_person_in_place_and_the_counts_and_history_stay(media, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER, username="owner@example.org")
    registration, photo = _person_with_everything(meeting)
    other = make_registration(meeting, registration.category, given_name="Kept", phone="", position="Officer")

    with django_capture_on_commit_callbacks(execute=True):
        report = erase_registration(registration_id=registration.pk, actor=owner)

    registration.refresh_from_db()
    assert registration.erased_at is not None
    assert (registration.full_name, registration.email) == (f"#{registration.pk}", f"erased-{registration.pk}@erased.invalid")
    assert registration.status == "approved" and registration.category_id == other.category_id
    assert (report.people, report.answers, report.files, report.invitations) == (1, 3, 1, 1)
    assert report.other["messages"] == 2 and report.other["joins"] == 1
    assert not (media / "answers").exists() or not any(p.is_file() for p in (media / "answers").rglob("*"))
    assert not __import__("os").path.exists(photo)
    # The rows stay: the check-in, the join and the emails still count; the unsent email is never sent.
    assert CheckIn.objects.filter(registration=registration).count() == 1
    assert Message.objects.filter(meeting=meeting, status=Message.Status.QUEUED).count() == 0
    assert Message.objects.filter(meeting=meeting).count() == 2
    # The history keeps its events, without the personal values; the erasure names the registration only.
    updated = AuditEvent.objects.get(registration=registration, kind="registration.updated")
    assert (updated.before, updated.after) == ({"status": "pending"}, {"status": "approved"})
    erased = AuditEvent.objects.get(kind="registration.erased")
    assert (erased.registration_id, erased.actor_label) == (registration.pk, "owner@example.org")
    assert erased.after["people"] == 1
    _no_trace_of_somphone(meeting)
    # The others are untouched; the old private link no longer opens anything.
    other.refresh_from_db()
    assert other.given_name == "Kept" and other.erased_at is None


def test_only_an_owner_may_erase_and_only_once(media):
    meeting = make_meeting()
    manager = make_organizer(meeting, role=MeetingRole.Role.MANAGER)
    owner = make_organizer(meeting, role=MeetingRole.Role.OWNER)
    registration = make_registration(meeting)
    with pytest.raises(RegistrationError) as refused:
        erase_registration(registration_id=registration.pk, actor=manager)
    assert refused.value.code == "not_owner"
    erase_registration(registration_id=registration.pk, actor=owner)
    with pytest.raises(RegistrationError) as again:
        erase_registration(registration_id=registration.pk, actor=owner)
    assert again.value.code == "already_erased"


def test_the_tick_erases_a_meeting_whose_retention_ended_with_its_job_results(media, settings, tmp_path,
                                                                               django_capture_on_commit_callbacks):
    settings.DATA_DIR = tmp_path
    now = timezone.now()
    old = make_meeting(starts_at=now - timedelta(days=400, hours=3), ends_at=now - timedelta(days=400),
                       retention_days=365)
    recent = make_meeting(starts_at=now - timedelta(days=3, hours=3), ends_at=now - timedelta(days=3))
    people = [_person_with_everything(old)[0], make_registration(old)]
    kept = make_registration(recent, given_name="Recent")
    job = Job.objects.create(kind="exchange.export", function="x", meeting=old, status="done", finished_at=now)
    attach_result(job, "participants.xlsx", "application/vnd.ms-excel", b"Somphone Vongsa P1234567")
    result_path = Job.objects.get(pk=job.pk).result_file.path

    with django_capture_on_commit_callbacks(execute=True):
        results = engine.tick()

    erased = results["retention"]["erased"]
    assert list(erased) == [old.slug]
    assert erased[old.slug]["people"] == 2 and erased[old.slug]["job_results"] == 1
    old.refresh_from_db()
    assert old.personal_data_erased_at is not None
    assert all(r.erased_at for r in Registration.objects.filter(pk__in=[p.pk for p in people]))
    assert Registration.objects.filter(meeting=old).count() == 2  # the counts hold
    job.refresh_from_db()
    assert not job.result_file and job.result_expired_at is not None
    assert not __import__("os").path.exists(result_path)
    event = AuditEvent.objects.get(kind="meeting.personal_data_erased", meeting=old)
    assert event.after["people"] == 2 and event.actor_label == "system"
    _no_trace_of_somphone(old)
    kept.refresh_from_db()
    assert kept.given_name == "Recent" and kept.erased_at is None
    # The next tick has nothing more to do.
    assert engine.tick()["retention"]["erased"] == {}


def test_the_owners_are_warned_once_30_days_before_in_their_language(media):
    now = timezone.now()
    meeting = make_meeting(title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM meeting",
                           starts_at=now - timedelta(days=345, hours=2), ends_at=now - timedelta(days=345),
                           retention_days=365)
    make_organizer(meeting, role=MeetingRole.Role.OWNER, email="lao.owner@example.la", language="lo")
    make_organizer(meeting, role=MeetingRole.Role.OWNER, email="english.owner@example.org", language="en")
    make_organizer(meeting, role=MeetingRole.Role.MANAGER, email="manager@example.org")

    assert run_retention()["warned"] == 2
    assert run_retention()["warned"] == 0  # once
    messages = {m.to_email: m for m in Message.objects.filter(kind="meeting.retention_warning")}
    assert set(messages) == {"lao.owner@example.la", "english.owner@example.org"}
    english, lao = messages["english.owner@example.org"], messages["lao.owner@example.la"]
    assert english.subject.startswith("Personal data of “ADGSOM meeting” will be erased on ")
    assert "20 days after" not in english.body_text and "365 days after the meeting" in english.body_text
    assert lao.language == "lo" and "ກອງປະຊຸມ ADGSOM" in lao.subject
    meeting.refresh_from_db()
    assert meeting.retention_warned_at is not None and meeting.personal_data_erased_at is None
    # The period is lengthened by a year: they are told again 30 days before the new date, not before.
    Meeting.objects.filter(pk=meeting.pk).update(retention_days=730)
    assert run_retention()["warned"] == 0
    assert run_retention(now=now + timedelta(days=370))["warned"] == 2


def test_the_dry_run_says_what_would_go_and_changes_nothing(media):
    now = timezone.now()
    old = make_meeting(slug="old-meeting", title_en="Old meeting", starts_at=now - timedelta(days=40, hours=2),
                       ends_at=now - timedelta(days=40), retention_days=30)
    make_registration(old)
    make_registration(old)
    make_invitation(old)
    out = StringIO()
    call_command("retention", "--dry-run", "--language", "en", stdout=out)
    assert out.getvalue().splitlines() == [
        "Dry run: nothing is changed.",
        f"Would anonymise old-meeting (Old meeting), due since {_day(old)}: 2 people, 1 invitation, 0 answers, "
        "0 uploaded files, 0 exported files.",
    ]
    assert Registration.objects.filter(meeting=old, erased_at__isnull=True).count() == 2
    lao = StringIO()
    call_command("retention", "--dry-run", "--language", "lo", stdout=lao)
    # In the operator's language: the meeting's Lao title and the date as Lao writes it (the sentences are
    # Lao once the catalog has them).
    assert old.title_lo in lao.getvalue() and "ວັນທີ" in lao.getvalue()

    call_command("retention", "--language", "en", stdout=StringIO())
    assert Registration.objects.filter(meeting=old, erased_at__isnull=True).count() == 0


def _day(meeting):
    from django.utils import formats, translation

    from prachum.registration.services.erasure import local_date

    with translation.override("en"):
        return formats.date_format(local_date(meeting, meeting.personal_data_erased_after), "DATE_FORMAT")


def test_retention_plan_counts_what_the_erasure_does(media, django_capture_on_commit_callbacks):
    meeting = make_meeting()
    _person_with_everything(meeting)
    plan = retention_plan(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        done = erase_meeting_personal_data(meeting_id=meeting.pk)
    assert (plan.people, plan.invitations, plan.answers, plan.files) == (done.people, done.invitations, done.answers,
                                                                          done.files) == (1, 1, 3, 1)
    assert retention_plan(meeting).people == 0


def test_the_2020_symposium_s_33_people_are_anonymised_by_a_retention_run(media, django_capture_on_commit_callbacks):
    from prachum.demo.services import load_demo_meetings
    from prachum.directory.services import load_organizations

    load_organizations()
    symposium, adgsom = load_demo_meetings(today=date(2026, 11, 25))
    assert symposium.registrations.count() == 33
    with django_capture_on_commit_callbacks(execute=True):
        result = run_retention()
    assert result["erased"][symposium.slug]["people"] == 33
    assert adgsom.slug not in result["erased"]
    assert not symposium.registrations.filter(erased_at__isnull=True).exists()
    assert not symposium.registrations.exclude(email__endswith="@erased.invalid").exists()
    assert not symposium.registrations.exclude(name_lo="").exists()
    assert not Registration.objects.filter(meeting=symposium, family_name="Chithoulokh").exists()
    # The numbers stay: 33 registrations, by status and delegation as before.
    assert symposium.registrations.filter(delegation__organization__code="JP").exists()
    assert adgsom.registrations.filter(erased_at__isnull=True).count() == adgsom.registrations.count()

    # The demo (or an organizer's old copy of the file) loaded again brings nobody back and stops at nothing.
    symposium, adgsom = load_demo_meetings(today=date(2026, 11, 25))
    assert symposium.load_skipped_people == 33 and "registrations" not in symposium.load_changes
    assert symposium.registrations.count() == 33
    assert not symposium.registrations.filter(erased_at__isnull=True).exists()
    assert not Registration.objects.filter(meeting=symposium, family_name="Chithoulokh").exists()


def test_the_overview_and_setup_pages_say_when_the_data_goes_and_warn_within_30_days(client):
    now = timezone.now()
    later = make_meeting(starts_at=now - timedelta(days=10, hours=2), ends_at=now - timedelta(days=10))
    soon = make_meeting(starts_at=now - timedelta(days=350, hours=2), ends_at=now - timedelta(days=350))
    owner = make_organizer(later, role=MeetingRole.Role.OWNER)
    MeetingRole.objects.create(meeting=soon, user=owner, role=MeetingRole.Role.OWNER)
    client.force_login(owner)
    for page in (f"/en/manage/{later.slug}/", f"/en/manage/{later.slug}/setup/"):
        html = client.get(page).content.decode()
        assert 'data-retention="later"' in html and "Personal data will be erased on" in html, page
    for page in (f"/en/manage/{soon.slug}/", f"/en/manage/{soon.slug}/setup/"):
        html = client.get(page).content.decode()
        assert 'data-retention="soon"' in html and "in 15 days" in html, page
    assert "ວັນທີ" in client.get(f"/lo/manage/{soon.slug}/").content.decode()
