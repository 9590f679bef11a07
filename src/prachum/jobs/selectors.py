"""Reads of jobs beyond one job's page."""

from django.db.models import Count

from prachum.jobs.models import Job, JobStatus

# The states worth watching: work waiting or under way, and work that failed for good.
WATCHED = (JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.FAILED)


def job_counts() -> dict[str, int]:
    """How many jobs are in each watched state (core/metrics.py), zero included."""
    counts = dict(Job.objects.filter(status__in=WATCHED).order_by().values_list("status").annotate(n=Count("pk")))
    return {status.value: counts.get(status.value, 0) for status in WATCHED}
