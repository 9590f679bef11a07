"""Start work as a background job and report its progress.

    job = start_job(kind="badges.pdf", function="prachum.badges.services.badges_job",
                    params={"meeting_id": 3, "status": "approved"}, meeting=meeting, user=request.user,
                    label=_("Badges of approved participants"))
    return redirect(job)   # the progress page

The function is called as `function(job, **params)` in a Celery worker (PRACHUM_DELIVERY "celery"), on the
in-process pool (embedded mode, "thread") or at once after commit (tests, "inline"). It reports progress
with `job.report(done, total)` (written twice a second at most), may attach a file with
`attach_result(job, name, content_type, bytes)`, and returns a dict kept as `job.summary`. An exception
marks the job failed; its message is shown to the person who started it.
"""

import logging
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from prachum.jobs.models import Job, JobStatus

logger = logging.getLogger(__name__)

def start_job(*, kind: str, function: str, params: dict | None = None, meeting=None, user=None,
              label: str = "") -> Job:
    import_string(function)  # fail now, in the request, on a wrong path
    job = Job.objects.create(
        kind=kind, function=function, params=params or {}, meeting=meeting,
        created_by=user if getattr(user, "is_authenticated", False) else None, label=str(label)[:300],
    )
    transaction.on_commit(lambda: dispatch(job.pk))
    return job


def dispatch(job_id) -> None:
    mode = getattr(settings, "PRACHUM_DELIVERY", "thread")
    if mode == "celery":
        from prachum.jobs.tasks import run_job_task

        run_job_task.delay(str(job_id))
    elif mode == "thread":
        from prachum.notify.background import run_in_background

        run_in_background(run_job, job_id=job_id)
    else:
        run_job(job_id=job_id)


def run_job(job_id) -> Job:
    # Claim the job: two workers handed the same id (a retried Celery message) run it once.
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING, started_at=timezone.now()
    )
    job = Job.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        summary = import_string(job.function)(job, **job.params)
    except Exception as error:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, error=str(error)[:2000] or error.__class__.__name__,
            finished_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE, summary=summary or {}, done=job.done,
            total=job.total if job.total is not None else job.done, finished_at=timezone.now(),
        )
    job.refresh_from_db()
    return job


def attach_result(job: Job, name: str, content_type: str, content: bytes) -> None:
    job.result_file.save(name, ContentFile(content), save=False)
    job.result_name = name
    job.result_type = content_type
    Job.objects.filter(pk=job.pk).update(
        result_file=job.result_file.name, result_name=name, result_type=content_type
    )
