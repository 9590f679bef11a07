from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from prachum.jobs.models import Job
from prachum.jobs.services import may_read_result


def _own_job(request, job_id) -> Job:
    job = get_object_or_404(Job.objects.select_related("meeting"), pk=job_id)
    # A job's result is personal data of its meeting: only the person who started it sees it.
    if job.created_by_id != request.user.pk and not request.user.is_superuser:
        raise PermissionDenied("job")
    return job


@login_required
def job(request, job_id):
    job = _own_job(request, job_id)
    template = "jobs/_progress.html" if request.headers.get("HX-Request") else "jobs/job.html"
    return render(request, template, {"job": job})


@login_required
def download(request, job_id):
    job = _own_job(request, job_id)
    # Checked again at each download: the meeting role that allowed the export may have been removed since.
    if not may_read_result(request.user, job):
        raise PermissionDenied("job result")
    if not job.result_file:
        raise Http404("no result")
    response = FileResponse(job.result_file.open("rb"), as_attachment=True, filename=job.result_name,
                            content_type=job.result_type or "application/octet-stream")
    response["Cache-Control"] = "private, no-store"
    return response
