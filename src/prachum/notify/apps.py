from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "prachum.notify"
    verbose_name = _("Messages")

    def ready(self):
        from prachum.core import outbox
        from prachum.notify import services

        # Apps below notify write their emails through prachum.core.outbox (they may not import notify).
        outbox.register_writer(services.queue_message)
