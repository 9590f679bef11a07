"""The engine's guarantees, on the Job queue: lease, retry with backoff, sweep, give up, hand-off failures."""

from datetime import timedelta

import pytest
from django.db import OperationalError, transaction
from django.utils import timezone

from prachum.jobs import engine
from prachum.jobs.models import Job
from prachum.jobs.services import due_jobs, run_job, start_job

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = []


def flaky(job, *, fail_times: int):
    CALLS.append(job.attempts)
    if job.attempts <= fail_times:
        raise OperationalError("database is locked")
    return {"tries": job.attempts}


def broken(job):
    CALLS.append(job.attempts)
    raise KeyError("category")


@pytest.fixture(autouse=True)
def calls():
    CALLS.clear()
    yield CALLS


def start(settings, function, **params):
    settings.PRACHUM_DELIVERY = "worker"  # nothing runs at commit: the test sweeps
    with transaction.atomic():
        return start_job(kind="test", function=f"{__name__}.{function}", params=params)


def time_passes(job):
    """The wait before the next try is over."""
    Job.objects.filter(pk=job.pk).update(run_after=timezone.now())


def test_a_transient_failure_waits_and_is_tried_again_with_backoff(settings):
    job = start(settings, "flaky", fail_times=2)
    engine.sweep(here=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.error) == ("queued", 1, "database is locked")
    assert job.is_retrying
    first_wait = job.run_after - timezone.now()
    assert timedelta(seconds=25) < first_wait <= timedelta(seconds=30)
    assert engine.sweep(here=True)["jobs"] == 0  # not before its time

    time_passes(job)
    engine.sweep(here=True)
    job.refresh_from_db()
    assert (job.status, job.attempts) == ("queued", 2)
    assert job.run_after - timezone.now() > timedelta(seconds=100)  # 30 s, then 2 min

    time_passes(job)
    engine.sweep(here=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, job.summary, job.error) == ("done", 3, {"tries": 3}, "")
    assert CALLS == [1, 2, 3]


def test_a_fault_of_the_work_itself_fails_at_once(settings):
    job = start(settings, "broken")
    engine.sweep(here=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS) == ("failed", 1, [1])


def test_transient_failures_give_up_after_max_attempts(settings):
    job = start(settings, "flaky", fail_times=10)
    for _ in range(3):
        time_passes(job)
        engine.sweep(here=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS) == ("failed", 3, [1, 2, 3])


def test_a_job_whose_worker_died_is_due_again_when_its_lease_runs_out(settings):
    job = start(settings, "flaky", fail_times=0)
    # A worker claimed it and died: status running, lease in the past, nobody renews it.
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, worker="gone:1",
                                         lease_until=timezone.now() - timedelta(seconds=1))
    assert due_jobs(timezone.now()) == [job.pk]
    engine.sweep(here=True)
    job.refresh_from_db()
    assert (job.status, job.attempts, CALLS) == ("done", 2, [2])


def test_a_job_held_by_a_live_worker_is_left_alone(settings):
    job = start(settings, "flaky", fail_times=0)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=1, worker="alive:1",
                                         lease_until=timezone.now() + timedelta(minutes=5))
    assert due_jobs(timezone.now() + timedelta(hours=1)) == []
    assert run_job(job.pk).status == "running" and CALLS == []


def test_a_job_whose_worker_died_on_its_last_try_fails_with_a_reason(settings):
    job = start(settings, "flaky", fail_times=0)
    Job.objects.filter(pk=job.pk).update(status="running", attempts=3, worker="gone:1",
                                         lease_until=timezone.now() - timedelta(seconds=1))
    assert due_jobs(timezone.now()) == []  # not run a fourth time
    engine.tick()  # the periodic work of the worker and the Celery beat
    job.refresh_from_db()
    assert job.status == "failed" and "stopped before it was finished" in job.error and CALLS == []


def test_with_the_broker_down_the_job_waits_for_the_sweep(settings):
    from prachum.testing.worker import celery_broker

    settings.PRACHUM_DELIVERY = "celery"
    # Nothing listens on port 1; no retries, so the hand-off fails at once.
    with celery_broker("redis://127.0.0.1:1/0", broker_connection_retry=False, broker_connection_max_retries=0):
        with transaction.atomic():
            job = start_job(kind="test", function=f"{__name__}.flaky", params={"fail_times": 0})
        assert Job.objects.get(pk=job.pk).status == "queued"  # the commit went through; the hand-off failed
    settings.PRACHUM_DELIVERY = "worker"
    engine.sweep(here=True)
    assert Job.objects.get(pk=job.pk).status == "done"


def test_an_unknown_delivery_mode_is_refused(settings):
    settings.PRACHUM_DELIVERY = "thread"
    with pytest.raises(ValueError, match="PRACHUM_DELIVERY"):
        engine.mode()


def test_a_missing_file_is_the_work_s_own_fault_and_a_full_disk_is_not():
    import errno

    from prachum.jobs.services import is_transient

    assert not is_transient(FileNotFoundError(errno.ENOENT, "upload gone"))
    assert is_transient(OSError(errno.ENOSPC, "No space left on device"))
    assert is_transient(OperationalError("database is locked")) and is_transient(ConnectionRefusedError())


def test_the_progress_page_says_when_the_next_try_starts(settings, client):
    from prachum.accounts.tests.factories import make_user

    owner = make_user(language="lo")
    settings.PRACHUM_DELIVERY = "worker"
    with transaction.atomic():
        job = start_job(kind="test", function=f"{__name__}.flaky", params={"fail_times": 1}, user=owner)
    engine.sweep(here=True)
    client.force_login(owner)
    from django.utils import translation

    pages = {}
    for language in ("lo", "en"):
        with translation.override(language):
            pages[language] = client.get(job.get_absolute_url()).content.decode()
    assert "ຄັ້ງທີ 1 ຈາກ 3 ບໍ່ສຳເລັດ" in pages["lo"]
    english = pages["en"]
    assert "Try 1 of 3 did not finish; the next starts at" in english
