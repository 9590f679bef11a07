from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "prachum.jobs"
    verbose_name = _("Background jobs")

    def ready(self):
        from prachum.jobs import services

        services.register()
