import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

from prachum.core.request_ids import task_ended, task_started

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prachum.settings")

app = Celery("prachum")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# The task's id on every line it logs (core/request_ids.py).
task_prerun.connect(task_started)
task_postrun.connect(task_ended)
