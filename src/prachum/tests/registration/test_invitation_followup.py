"""Following up invitations (services/invitation_followup.py): each invitation's state, withdrawing one,
sending one again, reminding those who have not registered; each repeated (a double click, a job run
twice) sends one email per person."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.jobs.services import run_job
from prachum.meetings.models import Meeting
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.invitations import invite_people
from prachum.registration.models import Invitation, Registration
from prachum.registration.selectors import invitation_state_counts, invitations_with_state
from prachum.registration.services import invitation_followup as followup
from prachum.registration.services import submit_registration
from prachum.registration.tests.factories import form_token, make_organizer, make_registration, person
from prachum.registration.tests.web import open_category, open_meeting

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://localhost:8000/(lo|en)/m/[\w-]+/register/\?invitation=([\w-]+)")


@pytest.fixture(autouse=True)
def _inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def meeting():
    meeting = open_meeting(slug="adgsom-invited", title_lo="ກອງປະຊຸມ ADGSOM", title_en="ADGSOM",
                           registration_mode="invitation", default_language="lo")
    open_category(meeting, code="delegate", name_en="Delegate", name_lo="ຜູ້ແທນ")
    return meeting


@pytest.fixture
def organizer(meeting):
    return make_organizer(meeting, email="secretariat@example.org")


def invite(meeting, organizer, *people):
    """Invite `people` (email, language) through the real service; the invitations by email."""
    rows = [{"email": email, "given_name": email.split("@")[0].title(), "language": language, "line": n + 2}
            for n, (email, language) in enumerate(people)]
    result = invite_people(meeting=meeting, rows=rows, actor=organizer)
    assert result.ok, result.errors
    return {i.email: i for i in result.invitations}


def state_of(invitation):
    return invitations_with_state(Meeting.objects.get(pk=invitation.meeting_id)).get(pk=invitation.pk).state


def register_with(invitation):
    return submit_registration(
        meeting=invitation.meeting, category=invitation.meeting.categories.get(), invitation=invitation,
        person=person(email=invitation.email), client_token=form_token(), consented=True,
    )


def test_each_invitation_reads_as_sent_opened_registered_expired_or_revoked(meeting, organizer):
    people = invite(meeting, organizer, *[(f"p{n}@example.org", "lo") for n in range(6)])
    sent, opened, registered, by_email, expired, revoked = (people[f"p{n}@example.org"] for n in range(6))
    followup.mark_invitation_opened(opened)
    followup.mark_invitation_opened(registered)
    register_with(registered)
    make_registration(meeting, meeting.categories.get(), email="P3@example.org")  # registered without the link
    Invitation.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    followup.revoke_invitation(invitation_id=revoked.pk, meeting_id=meeting.pk, actor=organizer)

    assert [state_of(i) for i in (sent, opened, registered, by_email, expired, revoked)] == [
        "sent", "opened", "registered", "registered", "expired", "revoked"]
    assert invitation_state_counts(invitations_with_state(meeting)) == {
        "sent": 1, "opened": 1, "registered": 2, "expired": 1, "revoked": 1}


def test_the_first_opening_is_kept(meeting, organizer):
    invitation = invite(meeting, organizer, ("keo@example.org", "lo"))["keo@example.org"]
    followup.mark_invitation_opened(invitation)
    first = Invitation.objects.get(pk=invitation.pk).opened_at
    followup.mark_invitation_opened(Invitation.objects.get(pk=invitation.pk))
    assert first is not None and Invitation.objects.get(pk=invitation.pk).opened_at == first


def test_when_registration_closes_every_open_invitation_has_expired(meeting, organizer):
    invitation = invite(meeting, organizer, ("keo@example.org", "lo"))["keo@example.org"]
    meeting.registration_closes_at = timezone.now() - timedelta(minutes=1)
    meeting.save()
    assert state_of(invitation) == "expired"
    with pytest.raises(RegistrationError) as refused:
        followup.remind_invitation(invitation_id=invitation.pk, meeting_id=meeting.pk, actor=organizer)
    assert refused.value.code == "expired"


def test_withdrawing_keeps_a_registration_made_and_is_audited_once(meeting, organizer):
    invitation = invite(meeting, organizer, ("keo@example.org", "lo"))["keo@example.org"]
    registration = register_with(invitation).registration
    for _ in range(2):
        followup.revoke_invitation(invitation_id=invitation.pk, meeting_id=meeting.pk, actor=organizer)
    assert AuditEvent.objects.filter(kind="invitation.revoked", object_id=str(invitation.pk)).count() == 1
    registration.refresh_from_db()
    assert registration.status == Registration.Status.APPROVED and registration.invitation_id == invitation.pk
    assert state_of(invitation) == "revoked"


def test_another_meetings_invitation_is_gone(meeting, organizer):
    other = open_meeting(slug="other", registration_mode="invitation")
    invitation = invite(meeting, organizer, ("keo@example.org", "lo"))["keo@example.org"]
    for action in (followup.revoke_invitation, followup.remind_invitation):
        with pytest.raises(RegistrationError) as refused:
            action(invitation_id=invitation.pk, meeting_id=other.pk, actor=organizer)
        assert refused.value.code == "gone"
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_sending_again_uses_the_chosen_language_and_a_double_click_sends_once(meeting, organizer):
    invitation = invite(meeting, organizer, ("taro@example.jp", "lo"))["taro@example.jp"]
    for _ in range(2):  # the same button twice
        followup.resend_invitation(invitation_id=invitation.pk, meeting_id=meeting.pk, actor=organizer,
                                   key="button-1", language="en")
    resent = Message.objects.filter(kind="invitation.sent", to_email="taro@example.jp").order_by("pk")
    assert resent.count() == 2  # the first invitation, and one again
    again = resent.last()
    assert again.language == "en" and "ADGSOM" in again.subject and "ກອງປະຊຸມ" not in again.subject
    language, token = LINK.search(again.body_text).groups()
    assert language == "en" and token == invitation.token  # the same link, in English
    assert AuditEvent.objects.filter(kind="invitation.resent").count() == 1
    # Without a choice: the invitation's own language.
    followup.resend_invitation(invitation_id=invitation.pk, meeting_id=meeting.pk, actor=organizer, key="button-2")
    assert Message.objects.filter(kind="invitation.sent", to_email="taro@example.jp").order_by("pk").last().language == "lo"


def test_no_one_registered_or_withdrawn_is_sent_anything_again(meeting, organizer):
    people = invite(meeting, organizer, ("a@example.org", "lo"), ("b@example.org", "lo"))
    register_with(people["a@example.org"])
    followup.revoke_invitation(invitation_id=people["b@example.org"].pk, meeting_id=meeting.pk, actor=organizer)
    codes = []
    for invitation in people.values():
        for send in (lambda pk: followup.resend_invitation(invitation_id=pk, meeting_id=meeting.pk, actor=organizer,
                                                           key="k"),
                     lambda pk: followup.remind_invitation(invitation_id=pk, meeting_id=meeting.pk, actor=organizer)):
            with pytest.raises(RegistrationError) as refused:
                send(invitation.pk)
            codes.append(refused.value.code)
    assert codes == ["registered", "registered", "revoked", "revoked"]
    assert not Message.objects.filter(kind="invitation.reminder").exists()


def test_a_reminder_job_run_twice_reminds_each_person_once_in_their_language(meeting, organizer,
                                                                          django_capture_on_commit_callbacks):
    people = invite(meeting, organizer, ("keo@example.org", "lo"), ("taro@example.jp", "en"), ("done@example.org", "lo"))
    register_with(people["done@example.org"])
    ids = followup.reminder_ids(meeting)
    assert set(ids) == {people["keo@example.org"].pk, people["taro@example.jp"].pk}

    with django_capture_on_commit_callbacks(execute=True):
        first = followup.start_invitation_job(meeting=meeting, actor=organizer, action="remind", invitation_ids=ids,
                                              key="round-1", page_language="en")
    assert followup.start_invitation_job(meeting=meeting, actor=organizer, action="remind", invitation_ids=ids,
                                         key="round-1", page_language="en") == first  # a double click
    first.refresh_from_db()
    assert first.status == "done" and first.summary["done"] == ids and first.summary["message"] == "2 done, 0 skipped."
    # Another press of the button, and the same job run again: no one is reminded twice.
    with django_capture_on_commit_callbacks(execute=True):
        second = followup.start_invitation_job(meeting=meeting, actor=organizer, action="remind",
                                               invitation_ids=ids + [people["done@example.org"].pk, 999999],
                                               key="round-2", page_language="en")
    second.refresh_from_db()
    assert second.summary["done"] == []
    assert {row["code"] for row in second.summary["skipped"]} == {"reminded_recently", "registered", "gone"}
    run_job(job_id=first.pk)

    reminders = Message.objects.filter(kind="invitation.reminder")
    assert sorted((m.to_email, m.language) for m in reminders) == [("keo@example.org", "lo"), ("taro@example.jp", "en")]
    lao = reminders.get(to_email="keo@example.org")
    assert "ກອງປະຊຸມ ADGSOM" in lao.subject and "/lo/m/adgsom-invited/register/?invitation=" in lao.body_text
    assert AuditEvent.objects.filter(kind="invitation.reminded").count() == 2
    # Half a day later a reminder goes again.
    Invitation.objects.update(reminded_at=timezone.now() - followup.REMIND_AGAIN_AFTER)
    followup.remind_invitation(invitation_id=people["keo@example.org"].pk, meeting_id=meeting.pk, actor=organizer)
    assert Message.objects.filter(kind="invitation.reminder", to_email="keo@example.org").count() == 2


def test_a_resend_job_run_twice_sends_each_ticked_invitation_once(meeting, organizer,
                                                                  django_capture_on_commit_callbacks):
    people = invite(meeting, organizer, ("a@example.org", "lo"), ("b@example.org", "en"))
    ids = [i.pk for i in people.values()]
    with django_capture_on_commit_callbacks(execute=True):
        job = followup.start_invitation_job(meeting=meeting, actor=organizer, action="resend", invitation_ids=ids,
                                            key="tick-1", language="en", page_language="lo")
    job.refresh_from_db()
    assert job.summary["done"] == ids
    from prachum.jobs.models import Job

    Job.objects.filter(pk=job.pk).update(status="queued")  # a worker handed the same job again
    run_job(job_id=job.pk)
    assert Message.objects.filter(kind="invitation.sent").count() == 4  # two invitations, each sent again once
    assert set(Message.objects.filter(kind="invitation.sent").order_by("-pk")[:2].values_list("language", flat=True)) == {"en"}


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_reminder_jobs_at_once_send_one_email_per_person(meeting, organizer):
    from prachum.jobs.models import Job
    from prachum.testing.races import race

    invite(meeting, organizer, *[(f"p{n}@example.org", "lo") for n in range(8)])
    ids = followup.reminder_ids(meeting)
    jobs = [Job.objects.create(kind="registration.invitations_remind", meeting=meeting, created_by=organizer,
                               function="prachum.registration.services.invitation_followup.invitation_job",
                               params={"meeting_id": meeting.pk, "actor_id": organizer.pk, "action": "remind",
                                       "ids": ids, "key": f"round-{n}"}) for n in range(2)]
    race([lambda job=job: run_job(job_id=job.pk) for job in jobs])
    reminders = Message.objects.filter(kind="invitation.reminder")
    assert sorted(reminders.values_list("to_email", flat=True)) == sorted(f"p{n}@example.org" for n in range(8))
    done = [set(Job.objects.get(pk=job.pk).summary["done"]) for job in jobs]
    assert done[0] | done[1] == set(ids) and not done[0] & done[1]
