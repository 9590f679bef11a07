"""Celery's side of the engine (jobs/engine.py): thin wrappers, retries are the queues' own."""

from celery import shared_task

from prachum.jobs import engine


@shared_task(name="prachum.jobs.run", ignore_result=True)
def run_task(queue: str, item_id: str) -> None:
    engine.run(queue, item_id)


@shared_task(name="prachum.jobs.sweep", ignore_result=True)
def sweep_task() -> dict:
    return engine.sweep()


@shared_task(name="prachum.jobs.tick", ignore_result=True)
def tick_task() -> None:
    engine.tick()
