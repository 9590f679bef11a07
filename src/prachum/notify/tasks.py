"""Celery tasks of the outbox: thin wrappers around services.

Retries are not Celery's: a failed message gets its next attempt time from `deliver_message`, and the
beat entry "send-queued-messages" (settings.CELERY_BEAT_SCHEDULE, every minute) sends what is due.
Import them as `send_message_task` and `send_queued_messages_task`.
"""

from celery import shared_task

from prachum.notify import services


@shared_task(name="prachum.notify.send_message", ignore_result=True)
def send_message(message_id: int) -> None:
    services.deliver_message(message_id=message_id)


@shared_task(name="prachum.notify.send_queued_messages", ignore_result=True)
def send_queued_messages() -> dict[str, int]:
    return services.send_queued_messages()
