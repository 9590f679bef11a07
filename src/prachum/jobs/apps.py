from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "prachum.jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from prachum.jobs import services

        services.register()

        from prachum.core.metrics import register_gauge
        from prachum.jobs.selectors import job_counts

        register_gauge("prachum_jobs", "Background jobs waiting, running, and failed for good.",
                       lambda: {(status,): n for status, n in job_counts().items()}, labels=("status",))
