import pytest
from django.db import transaction

from prachum.jobs.models import Job
from prachum.jobs.services import attach_result, run_job, start_job
from prachum.meetings.models import MeetingRole
from prachum.meetings.tests.factories import make_meeting, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def count_to(job, *, upto: int):
    for n in range(1, upto + 1):
        job.report(n, upto)
    attach_result(job, "count.csv", "text/csv", ("\n".join(str(n) for n in range(upto))).encode())
    return {"message": f"counted to {upto}"}


def fail(job):
    raise ValueError("row 3: no such category")


@pytest.fixture
def inline(settings):
    settings.PRACHUM_DELIVERY = "inline"


def test_a_job_runs_after_commit_reports_progress_and_keeps_its_file(inline):
    user = make_user()
    with transaction.atomic():
        job = start_job(kind="test.count", function=f"{__name__}.count_to", params={"upto": 5}, user=user)
        assert Job.objects.get(pk=job.pk).status == "queued"  # not before the commit
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.percent) == ("done", 5, 5, 100)
    assert job.summary == {"message": "counted to 5"}
    assert job.result_file.read().decode().splitlines() == ["0", "1", "2", "3", "4"]


def test_a_job_runs_once_even_when_handed_out_twice(inline):
    with transaction.atomic():
        job = start_job(kind="test.count", function=f"{__name__}.count_to", params={"upto": 2})
    job.refresh_from_db()
    finished_at = job.finished_at
    assert run_job(job.pk).finished_at == finished_at


def test_a_failing_job_says_why(inline):
    with transaction.atomic():
        job = start_job(kind="test.fail", function=f"{__name__}.fail")
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "row 3: no such category"


def test_a_wrong_function_path_fails_in_the_request():
    with pytest.raises(ImportError):
        start_job(kind="x", function="prachum.tests.jobs.test_jobs.nothing_here")


def test_only_the_person_who_started_it_sees_the_progress_and_the_file(client, inline):
    owner, colleague = make_user(), make_user()
    meeting = make_meeting()
    MeetingRole.objects.create(meeting=meeting, user=colleague, role="manager")
    MeetingRole.objects.create(meeting=meeting, user=owner, role="reviewer")
    with transaction.atomic():
        job = start_job(kind="test.count", function=f"{__name__}.count_to", params={"upto": 3}, user=owner,
                        meeting=meeting, label="Counting")
    page = f"/en/manage/jobs/{job.pk}/"
    assert client.get(page).status_code == 302  # to the login page
    client.force_login(colleague)
    assert client.get(page).status_code == 403
    assert client.get(page + "download/").status_code == 403
    client.force_login(owner)
    response = client.get(page)
    assert response.status_code == 200
    assert "Download count.csv" in response.content.decode()
    download = client.get(page + "download/")
    assert download["Content-Disposition"] == 'attachment; filename="count.csv"'
    assert b"".join(download.streaming_content) == b"0\n1\n2"
    assert client.get(page, headers={"HX-Request": "true"}).content.decode().lstrip().startswith("<div")


def test_progress_page_in_lao(client, inline):
    owner = make_user()
    with transaction.atomic():
        job = start_job(kind="test.fail", function=f"{__name__}.fail", user=owner)
    client.force_login(owner)
    html = client.get(f"/lo/manage/jobs/{job.pk}/").content.decode()
    assert "row 3: no such category" in html
    assert "This work stopped" not in html  # translated
