"""Start work as a background job and report its progress.

    job = start_job(kind="badges.pdf", function="prachum.badges.services.badges_job",
                    params={"meeting_id": 3, "status": "approved"}, meeting=meeting, user=request.user,
                    label=_("Badges of approved participants"))
    return redirect(job)   # the progress page

The Job row is written in the caller's transaction and handed to the engine (jobs/engine.py) after the
commit. The function is called as `function(job, **params)` by whichever worker claims the row. It reports
progress with `job.report(done, total)` (written twice a second at most), may attach a file with
`attach_result(job, name, content_type, bytes)`, and returns a dict kept as `job.summary`.

A claim is a lease: the worker renews it while the function runs (a heartbeat thread), so a job whose worker
died is due again when the lease runs out, and runs again from the start. A function that commits its work
in several transactions must therefore be safe to run again: it writes `job.save_checkpoint(state)` in the
transaction of each step and starts from `job.checkpoint` (registration/services/messaging.py does).

Failures: an error of the kind a later try may not meet (the database unreachable, a full disk, a worker that
died) makes the job wait and try again, after 30 s, 2 min, 8 min…, up to `max_attempts` tries in all. Any
other exception is a fault of the work itself (a bad file, a bug): the job fails at once, and its message is
shown to the person who started it.
"""

import errno
import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from prachum.jobs import engine
from prachum.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

QUEUE = "jobs"
FIRST_RETRY = timedelta(seconds=30)
# Errors worth another try: the work met a fault of its surroundings, not of its own. A missing or unreadable
# file is the work's own (it stays missing); a full disk or an unreachable server may not last.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
PASSING_OS_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EAGAIN, errno.EHOSTUNREACH, errno.ENETUNREACH}


def is_transient(error: BaseException) -> bool:
    return isinstance(error, TRANSIENT) or (isinstance(error, OSError) and error.errno in PASSING_OS_ERRORS)
WORKER = f"{socket.gethostname()}:{os.getpid()}"


def start_job(*, kind: str, function: str, params: dict | None = None, meeting=None, user=None,
              label: str = "", max_attempts: int = 3) -> Job:
    import_string(function)  # fail now, in the request, on a wrong path
    job = Job.objects.create(
        kind=kind, function=function, params=params or {}, meeting=meeting,
        created_by=user if getattr(user, "is_authenticated", False) else None, label=str(label)[:300],
        max_attempts=max_attempts,
    )
    transaction.on_commit(lambda: engine.hand_off(QUEUE, job.pk), robust=True)
    return job


def due_jobs(now) -> list:
    """Jobs to run now: waiting ones whose time has come, and running ones whose worker's lease ran out."""
    waiting = Q(status=JobStatus.QUEUED, run_after__lte=now)
    # A lapsed lease is judged by the clock, not by `now`: a sweep "in the future" must not take a job
    # from a worker that holds it at this moment.
    lapsed = Q(status=JobStatus.RUNNING, lease_until__lt=timezone.now(), attempts__lt=F("max_attempts"))
    return list(Job.objects.filter(waiting | lapsed).order_by("run_after", "created_at").values_list("pk", flat=True))


def _claim(job_id, worker: str) -> bool:
    now = timezone.now()
    claimable = Q(status=JobStatus.QUEUED, run_after__lte=now) | Q(
        status=JobStatus.RUNNING, lease_until__lt=now, attempts__lt=F("max_attempts"))
    # One UPDATE with the condition: of two workers handed the same id, one changes the row.
    return bool(Job.objects.filter(claimable, pk=job_id).update(
        status=JobStatus.RUNNING, worker=worker, lease_until=now + engine.lease(), started_at=now,
        attempts=F("attempts") + 1,
    ))


class _Heartbeat(threading.Thread):
    """Renews the lease while the job's function runs; stops with it (or with its process)."""

    def __init__(self, job_id, worker: str):
        super().__init__(name=f"job-{job_id}-heartbeat", daemon=True)
        self.job_id, self.worker, self.stopped = job_id, worker, threading.Event()

    def run(self):
        every = engine.lease().total_seconds() / 3
        try:
            while not self.stopped.wait(every):
                try:
                    Job.objects.filter(pk=self.job_id, worker=self.worker, status=JobStatus.RUNNING).update(
                        lease_until=timezone.now() + engine.lease())
                except DatabaseError:  # busy for a moment: the next beat tries again
                    logger.warning("job %s: renewing the lease failed", self.job_id)
        finally:
            connection.close()


def run_job(job_id) -> Job:
    """Claim the job and run it, unless another worker holds it or it is not due; returns the job as it is."""
    worker = f"{WORKER}:{uuid.uuid4().hex[:8]}"
    if not _claim(job_id, worker):
        return Job.objects.get(pk=job_id)
    job = Job.objects.get(pk=job_id)
    heartbeat = _Heartbeat(job.pk, worker)
    heartbeat.start()
    mine = Q(pk=job.pk, worker=worker, status=JobStatus.RUNNING)
    try:
        summary = import_string(job.function)(job, **job.params)
    except Exception as error:
        heartbeat.stopped.set()
        if is_transient(error) and job.attempts < job.max_attempts:
            logger.warning("job %s (%s): attempt %s failed (%s); trying again", job.pk, job.kind, job.attempts,
                           type(error).__name__)
            Job.objects.filter(mine).update(
                status=JobStatus.QUEUED, worker="", lease_until=None, error=str(error)[:2000],
                run_after=timezone.now() + FIRST_RETRY * 4 ** (job.attempts - 1),
            )
        else:
            logger.exception("job %s (%s) failed", job.pk, job.kind)
            Job.objects.filter(mine).update(
                status=JobStatus.FAILED, error=str(error)[:2000] or error.__class__.__name__,
                finished_at=timezone.now(), lease_until=None,
            )
    else:
        heartbeat.stopped.set()
        finished = Job.objects.filter(mine).update(
            status=JobStatus.DONE, summary=summary or {}, done=job.done, error="", lease_until=None,
            total=job.total if job.total is not None else job.done, finished_at=timezone.now(),
        )
        if not finished:  # the lease ran out and another worker took the job: its result counts
            logger.warning("job %s (%s) finished after losing its lease", job.pk, job.kind)
    heartbeat.join()
    job.refresh_from_db()
    return job


def fail_given_up(now=None) -> int:
    """Jobs whose worker died on their last try: failed, with a message for the person who started them."""
    now = now or timezone.now()
    return Job.objects.filter(status=JobStatus.RUNNING, lease_until__lt=now,
                              attempts__gte=F("max_attempts")).update(
        status=JobStatus.FAILED, finished_at=now, lease_until=None,
        error="The worker running this job stopped before it was finished, too many times.",
    )


def _delete_results(jobs, now) -> int:
    """Delete the result files of `jobs` (a queryset) and mark them expired; returns how many files."""
    deleted = 0
    for job in jobs.exclude(result_file=""):
        job.result_file.delete(save=False)  # a file already gone is no error
        Job.objects.filter(pk=job.pk).update(result_file="", result_expired_at=now)
        deleted += 1
    return deleted


def expire_results(now=None) -> int:
    """Delete the result files of jobs that ended more than settings.PRACHUM_JOB_RESULT_DAYS ago: exports
    hold personal data (decrypted passport numbers), which must not stay on disk for ever."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PRACHUM_JOB_RESULT_DAYS)
    return _delete_results(Job.objects.filter(finished_at__lt=cutoff), now)


def delete_meeting_results(*, meeting_id: int, now=None) -> int:
    """Delete the result files of every job of a meeting (its retention period ended); returns how many."""
    return _delete_results(Job.objects.filter(meeting_id=meeting_id), now or timezone.now())


# Who may still download a job's result: the app that knows meeting roles registers it (meetings, above).
_result_reader = None


def register_result_reader(function) -> None:
    """`function(user, job) -> bool`: whether `user`, who started `job`, may still read its result now."""
    global _result_reader
    _result_reader = function


def may_read_result(user, job: Job) -> bool:
    """The person who started the job (or an administrator), if they still hold a role that reads the
    meeting's data: a role removed after the export was made takes the file away too."""
    if job.created_by_id != user.pk and not user.is_superuser:
        return False
    if job.meeting_id is None or _result_reader is None:
        return True
    return _result_reader(user, job)


def _run_from_engine(job_id) -> None:
    run_job(job_id)  # its Job is not passed on: a truthy answer would end the engine's round


def register() -> None:
    engine.register_queue(QUEUE, due=due_jobs, run=_run_from_engine)
    # Not in `due`: an UPDATE every second of `prachum worker` would take SQLite's write lock for nothing.
    engine.register_periodic("jobs-given-up", fail_given_up)
    engine.register_periodic("jobs-expired-results", expire_results)


def attach_result(job: Job, name: str, content_type: str, content: bytes) -> None:
    job.result_file.save(name, ContentFile(content), save=False)
    job.result_name = name
    job.result_type = content_type
    Job.objects.filter(pk=job.pk).update(
        result_file=job.result_file.name, result_name=name, result_type=content_type
    )
