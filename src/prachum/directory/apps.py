from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "prachum.directory"
    verbose_name = _("Organizations")

    def ready(self):
        from django.db.models.signals import post_migrate

        from prachum.directory.honorifics import ensure_standard_honorifics

        # After every migrate, and after a test's flush (which empties the table), like Django's permissions.
        post_migrate.connect(ensure_standard_honorifics, sender=self)
