"""Bulk actions on a selection of registrations: a job per action, one transaction per row, rows that changed
meanwhile skipped with their reason; and the same decisions on the detail page."""

import pytest
from django.urls import reverse
from django.utils import timezone

from prachum.audit.models import AuditEvent
from prachum.jobs.models import Job
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_category, make_meeting
from prachum.notify.models import Message
from prachum.registration.errors import RegistrationError
from prachum.registration.models import Registration
from prachum.registration.services.bulk import change_registration_category, resend_confirmation, start_bulk_action
from prachum.registration.services.transitions import approve_registration, cancel_registration
from prachum.registration.tests.factories import make_delegation, make_focal_point, make_organizer, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_english():
    """Pages in English unless a test asks for Lao: reverse() gives /en/ addresses."""
    from django.utils import translation

    with translation.override("en"):
        yield

Status = Registration.Status


@pytest.fixture(autouse=True)
def inline_jobs(settings):
    settings.PRACHUM_DELIVERY = "inline"


@pytest.fixture
def meeting():
    return make_meeting(slug="bulk-test")


@pytest.fixture
def category(meeting):
    return make_category(meeting, name_en="Delegate")


@pytest.fixture
def reviewer(meeting):
    return make_organizer(meeting, role=MeetingRole.Role.REVIEWER)


def row(registration):
    return f"{registration.pk}@{registration.updated_at.isoformat()}"


def bulk(client, meeting, rows, django_capture_on_commit_callbacks, **data):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("organizer:bulk", args=[meeting.slug]), {"row": rows, "scope": "selected", **data})
    return response


def test_bulk_approve_runs_as_a_job_and_approves_and_audits_each_row(client, meeting, category, reviewer,
                                                                    django_capture_on_commit_callbacks):
    registrations = [make_registration(meeting, category) for _ in range(3)]
    client.force_login(reviewer)

    response = bulk(client, meeting, [row(r) for r in registrations], django_capture_on_commit_callbacks, action="approve")

    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("organizer:bulk_result", args=[meeting.slug, job.pk])
    assert (job.status, job.done, job.total, job.created_by) == ("done", 3, 3, reviewer)
    assert set(Registration.objects.values_list("status", flat=True)) == {Status.APPROVED}
    assert AuditEvent.objects.filter(kind="registration.approved", actor=reviewer).count() == 3
    assert Message.objects.filter(kind="registration.confirmed").count() == 3
    assert job.summary["done"] == [r.pk for r in registrations] and job.summary["skipped"] == []


def test_a_row_cancelled_by_someone_else_after_the_page_was_shown_is_skipped_and_the_rest_done(
    client, meeting, category, reviewer, django_capture_on_commit_callbacks
):
    first, changed, third = (make_registration(meeting, category) for _ in range(3))
    seen = [row(first), row(changed), row(third)]  # what the list showed
    cancel_registration(registration_id=changed.pk)  # meanwhile, the person cancels through their link
    client.force_login(reviewer)

    bulk(client, meeting, seen, django_capture_on_commit_callbacks, action="approve")

    job = Job.objects.get()
    assert job.summary["done"] == [first.pk, third.pk]
    assert job.summary["skipped"] == [{"id": changed.pk, "code": "changed"}]
    changed.refresh_from_db()
    assert changed.status == Status.CANCELLED
    result = client.get(reverse("organizer:bulk_result", args=[meeting.slug, job.pk]))
    page = result.content.decode()
    assert "2 registrations done." in page and "1 registration skipped" in page
    # Who, and why: the name, the email and the status now, not only a count.
    skipped = page.split('class="skipped"')[1]
    assert changed.full_name in skipped and changed.email in skipped and "Cancelled" in skipped
    assert "changed by someone else after you opened the page" in skipped


def test_a_row_that_was_edited_but_kept_its_status_is_skipped_too(client, meeting, category, reviewer,
                                                                  django_capture_on_commit_callbacks):
    registration = make_registration(meeting, category)
    seen = row(registration)
    Registration.objects.filter(pk=registration.pk).update(position="Minister", updated_at=timezone.now())
    client.force_login(reviewer)

    bulk(client, meeting, [seen], django_capture_on_commit_callbacks, action="approve")

    assert Job.objects.get().summary["skipped"] == [{"id": registration.pk, "code": "changed"}]


def test_bulk_reject_needs_a_reason_and_sends_it(client, meeting, category, reviewer, django_capture_on_commit_callbacks):
    registration = make_registration(meeting, category, language="en")
    client.force_login(reviewer)

    refused = bulk(client, meeting, [row(registration)], django_capture_on_commit_callbacks, action="reject", reason="")
    assert refused.status_code == 302 and not Job.objects.exists()

    bulk(client, meeting, [row(registration)], django_capture_on_commit_callbacks, action="reject",
         reason="The delegation's quota is full.")

    registration.refresh_from_db()
    assert registration.status == Status.REJECTED and registration.decision_reason == "The delegation's quota is full."
    assert "The delegation's quota is full." in Message.objects.get(kind="registration.rejected").body_text


def test_bulk_change_of_category_audits_before_and_after(client, meeting, category, reviewer, django_capture_on_commit_callbacks):
    speakers = make_category(meeting, code="speaker", name_en="Speaker")
    registration = make_registration(meeting, category)
    already = make_registration(meeting, speakers)
    client.force_login(reviewer)

    bulk(client, meeting, [row(registration), row(already)], django_capture_on_commit_callbacks,
         action="change_category", new_category=speakers.pk)

    registration.refresh_from_db()
    assert registration.category == speakers
    event = AuditEvent.objects.get(kind="registration.category_changed")
    assert event.before["category"] == category.pk and event.after["category"] == speakers.pk and event.actor == reviewer
    assert Job.objects.get().summary["skipped"] == [{"id": already.pk, "code": "same_category"}]


def test_a_change_of_category_must_fit_its_quota():
    meeting = make_meeting()
    full = make_category(meeting, quota=1)
    make_registration(meeting, full)
    registration = make_registration(meeting, make_category(meeting))
    with pytest.raises(RegistrationError) as caught:
        change_registration_category(registration_id=registration.pk, category_id=full.pk, actor=None)
    assert caught.value.code == "full"


def test_bulk_waitlist_and_cancel(client, meeting, category, reviewer, django_capture_on_commit_callbacks):
    to_wait, to_cancel = make_registration(meeting, category), make_registration(meeting, category, status="approved")
    client.force_login(reviewer)

    # Cancel first: a seat freed later would go to the waiting list and promote the other one again.
    bulk(client, meeting, [row(to_cancel)], django_capture_on_commit_callbacks, action="cancel", reason="Asked by phone")
    bulk(client, meeting, [row(to_wait)], django_capture_on_commit_callbacks, action="waitlist")

    to_wait.refresh_from_db(), to_cancel.refresh_from_db()
    assert (to_wait.status, to_cancel.status) == (Status.WAITLISTED, Status.CANCELLED)
    assert AuditEvent.objects.get(kind="registration.cancelled").after["reason"] == "Asked by phone"


def test_resending_the_confirmation_queues_the_email_of_the_present_state(meeting, category, reviewer):
    approved = make_registration(meeting, category, status="approved")
    cancelled = make_registration(meeting, category, status="cancelled")

    resend_confirmation(registration_id=approved.pk, actor=reviewer)

    assert Message.objects.get(registration=approved).kind == "registration.confirmed"
    assert AuditEvent.objects.get(kind="registration.confirmation_resent").actor == reviewer
    with pytest.raises(RegistrationError) as caught:
        resend_confirmation(registration_id=cancelled.pk, actor=reviewer)
    assert caught.value.code == "not_active"


def test_bulk_applies_to_every_registration_matching_the_filter(client, meeting, category, reviewer,
                                                                 django_capture_on_commit_callbacks):
    pending = [make_registration(meeting, category) for _ in range(4)]
    make_registration(meeting, category, status="approved")
    # The secretariat lowered the capacity: the seats the waiting list frees are still too many for it.
    type(meeting).objects.filter(pk=meeting.pk).update(capacity=1)
    client.force_login(reviewer)

    bulk(client, meeting, [], django_capture_on_commit_callbacks, action="waitlist", scope="matching", status="pending")

    assert Job.objects.get().total == 4
    assert set(Registration.objects.filter(pk__in=[r.pk for r in pending]).values_list("status", flat=True)) == {Status.WAITLISTED}


def test_rows_of_another_meeting_are_skipped(client, meeting, category, reviewer, django_capture_on_commit_callbacks):
    elsewhere = make_registration(make_meeting())
    client.force_login(reviewer)

    bulk(client, meeting, [row(elsewhere)], django_capture_on_commit_callbacks, action="approve")

    assert Job.objects.get().summary["skipped"] == [{"id": elsewhere.pk, "code": "gone"}]
    elsewhere.refresh_from_db()
    assert elsewhere.status == Status.PENDING


def test_a_focal_point_cannot_start_bulk_decisions(client, meeting, category, django_capture_on_commit_callbacks):
    delegation = make_delegation(meeting)
    registration = make_registration(meeting, category, delegation=delegation)
    client.force_login(make_focal_point(delegation))

    response = bulk(client, meeting, [row(registration)], django_capture_on_commit_callbacks, action="approve")

    assert response.status_code == 403 and not Job.objects.exists()
    assert AuditEvent.objects.filter(kind="access.denied").exists()


def test_only_the_person_who_started_a_bulk_action_reads_its_result(client, meeting, category, reviewer):
    job = start_bulk_action(meeting=meeting, actor=reviewer, action="approve", rows=[])
    client.force_login(make_organizer(meeting, role=MeetingRole.Role.REVIEWER))
    assert client.get(reverse("organizer:bulk_result", args=[meeting.slug, job.pk])).status_code == 403


def test_a_registration_waiting_for_endorsement_is_not_approved_in_bulk(client, meeting, reviewer,
                                                                         django_capture_on_commit_callbacks):
    heads = make_category(meeting, name_en="Head of Delegation", needs_endorsement=True)
    waiting = make_registration(meeting, heads)
    endorsed = make_registration(meeting, heads, endorsed_at=timezone.now())
    client.force_login(reviewer)

    bulk(client, meeting, [row(waiting), row(endorsed)], django_capture_on_commit_callbacks, action="approve")

    assert Job.objects.get().summary["skipped"] == [{"id": waiting.pk, "code": "not_endorsed"}]
    endorsed.refresh_from_db()
    assert endorsed.status == Status.APPROVED


def test_approve_refuses_a_registration_whose_category_needs_endorsement_until_it_is_endorsed(meeting, reviewer):
    heads = make_category(meeting, needs_endorsement=True)
    registration = make_registration(meeting, heads)
    with pytest.raises(RegistrationError) as caught:
        approve_registration(registration_id=registration.pk, actor=reviewer)
    assert caught.value.code == "not_endorsed"
    assert "focal point" in str(caught.value.message)
    Registration.objects.filter(pk=registration.pk).update(endorsed_at=timezone.now())
    assert approve_registration(registration_id=registration.pk, actor=reviewer).status == Status.APPROVED


# --- One registration, decided on its detail page ------------------------------------------------------


def detail_url(meeting, registration):
    return reverse("organizer:registration", args=[meeting.slug, registration.pk])


def test_the_detail_page_approves_and_shows_the_history_and_the_email(client, meeting, category, reviewer,
                                                                      django_capture_on_commit_callbacks):
    registration = make_registration(meeting, category, language="en")
    client.force_login(reviewer)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(detail_url(meeting, registration),
                               {"action": "approve", "seen": registration.updated_at.isoformat()})
    assert response.status_code == 302
    page = client.get(detail_url(meeting, registration)).content.decode()

    assert "Approved" in page and reviewer.get_username() in page
    assert Message.objects.get(registration=registration).subject in page


def test_the_detail_page_says_why_a_decision_was_refused(client, meeting, reviewer):
    heads = make_category(meeting, needs_endorsement=True)
    registration = make_registration(meeting, heads)
    client.force_login(reviewer)

    page = client.get(detail_url(meeting, registration)).content.decode()
    assert "waits for its delegation" in page and 'value="approve"' not in page  # not offered
    response = client.post(detail_url(meeting, registration), {"action": "approve"}, follow=True)  # an old page

    assert "waits for its delegation" in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == Status.PENDING


def test_the_detail_page_in_lao(client, meeting, category, reviewer):
    registration = make_registration(meeting, category)
    client.force_login(reviewer)
    response = client.get(reverse("organizer:registration", args=[meeting.slug, registration.pk]).replace("/en/", "/lo/"))
    assert response.status_code == 200 and 'lang="lo"' in response.content.decode()


# --- Races (real threads; run on PostgreSQL in CI, where the row locks do the work) ---------------------


@pytest.mark.django_db(transaction=True)
def test_a_bulk_approval_racing_a_cancellation_of_the_same_row_lets_exactly_one_win():
    import threading

    from django.db import connection

    from prachum.jobs.models import Job as JobModel
    from prachum.registration.services.bulk import bulk_action_job

    meeting = make_meeting()
    category = make_category(meeting)
    reviewer = make_organizer(meeting, role=MeetingRole.Role.REVIEWER)
    registrations = [make_registration(meeting, category) for _ in range(10)]
    seen = [[r.pk, r.updated_at.isoformat()] for r in registrations]
    job = JobModel.objects.create(kind="registration.bulk_approve", function="x", meeting=meeting, created_by=reviewer)
    barrier, results = threading.Barrier(2), {}

    def run(name, work):
        try:
            barrier.wait(timeout=60)
            results[name] = work()
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[name] = exc
        finally:
            connection.close()

    def cancel_all():
        # Someone else cancels every row the reviewer selected, from the last to the first.
        outcome = {"done": [], "changed": []}
        for registration in reversed(registrations):
            try:
                cancel_registration(registration_id=registration.pk, actor=reviewer,
                                    unchanged_since=registration.updated_at)
                outcome["done"].append(registration.pk)
            except RegistrationError as error:
                outcome["changed"].append((registration.pk, error.code))
        return outcome

    threads = [
        threading.Thread(target=run, args=("bulk", lambda: bulk_action_job(
            job, meeting_id=meeting.pk, actor_id=reviewer.pk, action="approve", rows=seen))),
        threading.Thread(target=run, args=("cancel", cancel_all)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    bulk_summary, cancelled = results["bulk"], results["cancel"]
    assert not isinstance(bulk_summary, Exception) and not isinstance(cancelled, Exception), results
    approved_ids, cancelled_ids = set(bulk_summary["done"]), set(cancelled["done"])
    # Every row was decided once: by the bulk approval or by the cancellation, never both, never neither.
    assert approved_ids.isdisjoint(cancelled_ids)
    assert approved_ids | cancelled_ids == {r.pk for r in registrations}
    assert {row["id"] for row in bulk_summary["skipped"]} == cancelled_ids
    assert all(row["code"] == "changed" for row in bulk_summary["skipped"])
    statuses = dict(Registration.objects.filter(meeting=meeting).values_list("pk", "status"))
    assert all(statuses[pk] == Status.APPROVED for pk in approved_ids)
    assert all(statuses[pk] == Status.CANCELLED for pk in cancelled_ids)


def test_a_bulk_job_taken_up_again_after_its_worker_died_decides_only_the_rest(meeting, category, reviewer):
    from prachum.registration.services.bulk import bulk_action_job

    registrations = [make_registration(meeting, category) for _ in range(3)]
    approve_registration(registration_id=registrations[0].pk, actor=reviewer)  # decided before the worker died
    job = Job.objects.create(kind="registration.bulk_approve", function="x", status="running", attempts=2,
                             checkpoint={"next": 1, "done": [registrations[0].pk], "skipped": []})

    summary = bulk_action_job(job, meeting_id=meeting.pk, actor_id=reviewer.pk, action="approve",
                              rows=[[r.pk, ""] for r in registrations], language="en")

    assert summary["done"] == [r.pk for r in registrations] and summary["skipped"] == []
    assert AuditEvent.objects.filter(kind="registration.approved").count() == 3  # the first once, not twice
    assert Message.objects.filter(kind="registration.confirmed").count() == 3
