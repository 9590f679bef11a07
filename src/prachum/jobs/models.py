import time
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext_lazy as _


class JobFilesStorage(LazyObject):
    # Job results (exports, badge PDFs) hold personal data: kept outside MEDIA_ROOT, served by a view
    # that checks who asks.
    def _setup(self):
        self._wrapped = FileSystemStorage(location=settings.DATA_DIR / "private" / "jobs",
                                          file_permissions_mode=0o600, directory_permissions_mode=0o700)


job_files = JobFilesStorage()


def job_files_storage():
    # A callable, so that migrations name it instead of freezing the data folder's path and modes.
    return job_files


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Job(models.Model):
    """Work on many rows (bulk actions, imports, exports, badge PDFs) run outside the web request.

    The person who started it watches its progress on /<lang>/manage/jobs/<id>/ and downloads the result.
    """

    Status = JobStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=60, help_text="Dotted, e.g. registration.bulk_approve")
    function = models.CharField(max_length=200, help_text="Dotted path of the function that does the work.")
    params = models.JSONField(default=dict, blank=True)
    label = models.CharField(_("what"), max_length=300, blank=True)
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.CASCADE, related_name="jobs"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True, help_text="What the work reports when it ends.")
    error = models.TextField(blank=True)
    result_file = models.FileField(storage=job_files_storage, upload_to="%Y/%m/", blank=True)
    result_name = models.CharField(max_length=200, blank=True, help_text="File name offered on download.")
    result_type = models.CharField(max_length=100, blank=True)
    # When the result file was deleted: PRACHUM_JOB_RESULT_DAYS after the job ended, or with its meeting's
    # personal data (retention). The page then says the result expired.
    result_expired_at = models.DateTimeField(null=True, blank=True)
    # The engine's bookkeeping (jobs/engine.py, jobs/services.py): when it may run, who holds it until when,
    # how often it was tried, and where a job that was cut off may take up its work again.
    run_after = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=120, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    max_attempts = models.PositiveSmallIntegerField(default=3)
    checkpoint = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=[s.value for s in JobStatus]), name="job_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "run_after"], name="job_due")]

    def __str__(self):
        return f"{self.kind} {self.get_status_display()}"

    def report(self, done: int, total: int | None = None, *, force: bool = False) -> None:
        """Progress: `done` of `total` rows. Cheap to call for every row; writes twice a second at most."""
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if force or now - getattr(self, "_last_report", 0.0) >= 0.5:
            self._last_report = now
            Job.objects.filter(pk=self.pk).update(done=self.done, total=self.total)

    def save_checkpoint(self, state: dict) -> None:
        """Where the work stands, written in the caller's transaction: a job taken up again after its worker
        died reads `self.checkpoint` and skips what was committed with it."""
        self.checkpoint = state
        Job.objects.filter(pk=self.pk).update(checkpoint=state)

    @property
    def is_retrying(self) -> bool:
        return self.status == JobStatus.QUEUED and self.attempts > 0

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("jobs:job", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))
