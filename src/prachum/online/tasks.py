"""Celery tasks of the online app: thin wrappers around services (import as `run_scheduled_task`)."""

from celery import shared_task

from prachum.online import reminders


@shared_task(name="prachum.online.run_scheduled", ignore_result=True)
def run_scheduled() -> dict:
    # The outbox has its own beat entry ("send-queued-messages"); here only reminders and attendance.
    return reminders.run_scheduled(send_messages=False)
