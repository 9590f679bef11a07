"""The one engine that runs background work: jobs (exports, imports, bulk actions, badge PDFs, reports) and
the outbox's emails, with one hand-off, one worker and one sweep.

Each kind of work is a *queue* whose items are rows written in the caller's transaction (a `Job`, a
`notify.Message`). The row is the work's durable record; the engine only decides who runs it and when:

- `hand_off(queue, item_id)` runs after the caller's commit (`transaction.on_commit`), by
  settings.PRACHUM_DELIVERY: "celery" sends the Celery task `prachum.jobs.run` to a worker (production,
  with Redis); "worker" does nothing, because `prachum worker` (a database-backed worker that `prachum demo`
  starts beside gunicorn) finds the row within a second; "inline" runs it at once in the committing
  thread (tests). A hand-off that fails (the broker is down) is logged: the row is still there.
- Each queue's `run(item_id)` claims its row before working: an UPDATE that succeeds for one worker only
  and sets a lease (`lease_until` on a Job, `next_attempt_at` on a sending Message). A worker that dies
  leaves a lease that runs out; `due(now)` then lists the row again, and the next sweep runs it.
- `sweep()` runs what is due: in `prachum worker` every second, and in production from the Celery beat
  entry "prachum-sweep" (it hands each due item to the workers). Retries with backoff are the queue's:
  a Job or a Message that failed in a way worth retrying is due again later.
- `tick()` runs the periodic work apps register (reminders before online sessions, attendance lists, jobs
  whose worker died on their last try):
  in `prachum worker` every --tick seconds, in production from the beat entry "prachum-tick".

Apps register their queues and periodic work in their AppConfig.ready (notify registers the outbox),
so this module, at the bottom of the layers, imports none of them.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

MODES = ("celery", "worker", "inline")


@dataclass(frozen=True)
class Queue:
    name: str
    due: Callable[[datetime], list]  # ids of the items to run now, oldest first
    run: Callable[[object], bool | None]  # runs one item (claiming it first); True: stop this round


_queues: dict[str, Queue] = {}
_periodic: dict[str, Callable[[], object]] = {}


def register_queue(name: str, *, due: Callable, run: Callable) -> None:
    _queues[name] = Queue(name=name, due=due, run=run)


def register_periodic(name: str, function: Callable[[], object]) -> None:
    _periodic[name] = function


def lease() -> timedelta:
    """How long a claim holds without news from its worker (settings.PRACHUM_LEASE_SECONDS)."""
    return timedelta(seconds=settings.PRACHUM_LEASE_SECONDS)


def mode() -> str:
    value = getattr(settings, "PRACHUM_DELIVERY", "worker")
    if value not in MODES:
        raise ValueError(f"settings.PRACHUM_DELIVERY must be one of {', '.join(MODES)}, not {value!r}")
    return value


def hand_off(queue: str, item_id) -> None:
    """After the commit that wrote the item: get it run (see the module's docstring)."""
    how = mode()
    if how == "inline":
        run(queue, item_id)
    elif how == "celery":
        from prachum.jobs.tasks import run_task

        try:
            run_task.delay(queue, str(item_id))
        except Exception as error:  # the broker is down: the row waits for the sweep
            # One line, no traceback: with Redis down every commit would add one (settings.CELERY_BROKER_*).
            logger.warning("handing %s %s to Celery failed (%s: %s); the sweep will run it", queue, item_id,
                           type(error).__name__, error)


def run(queue: str, item_id) -> bool | None:
    return _queues[queue].run(item_id)


def sweep(*, now: datetime | None = None, here: bool = False, stop: Callable[[], bool] = lambda: False
          ) -> dict[str, int]:
    """Run every item that is due, queue by queue (with Celery, hand each to the workers unless `here`),
    until `stop()` says to end; returns how many were due per queue."""
    now = now or timezone.now()
    counts = {}
    hand_out = mode() == "celery" and not here
    for queue in list(_queues.values()):
        ids = list(queue.due(now))
        counts[queue.name] = len(ids)
        for item_id in ids:
            if stop():
                return counts
            if hand_out:
                hand_off(queue.name, item_id)
            elif queue.run(item_id):
                break  # the queue says the rest would fail the same way (e.g. no mail server reachable)
    return counts


def tick() -> dict[str, object]:
    """Run each app's periodic work once; one failing does not stop the others."""
    results = {}
    for name, function in list(_periodic.items()):
        try:
            results[name] = function()
        except Exception:
            logger.exception("periodic work %s failed", name)
            results[name] = None
    return results
