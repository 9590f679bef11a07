"""A small in-process pool that sends mail in embedded mode (no Redis, no Celery worker).

A web request that queues a message returns at once: after its commit, the message id is handed to
this pool, whose threads talk to the mail server. Each job closes its thread's database connection
when it ends. A sweeper thread, started with the first job (or by `start_sweeper()`), runs
`send_queued_messages()` every minute in this process while sending is enabled
(PRACHUM_EMAIL_ENABLED), so failed messages are retried and messages left over by a restart go out.
Several processes (gunicorn workers) may each run a pool and a sweeper: a message is claimed by one
worker before it is sent (services.deliver_message), so none is sent twice.
"""

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from django.db import close_old_connections, connection

logger = logging.getLogger(__name__)

POOL_WORKERS = 2
SWEEP_EVERY_SECONDS = 60

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_sweeper: threading.Thread | None = None


def run_in_background(function, /, **kwargs) -> Future:
    """Run `function(**kwargs)` on the pool; its exceptions are logged, and its result is in the Future."""
    global _pool
    with _lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=POOL_WORKERS, thread_name_prefix="prachum-mail")
        future = _pool.submit(_job, function, kwargs)
    start_sweeper()
    return future


def _job(function, kwargs):
    close_old_connections()
    try:
        return function(**kwargs)
    except Exception:
        logger.exception("background job %s failed", getattr(function, "__name__", function))
        raise
    finally:
        connection.close()


def start_sweeper() -> None:
    """Start this process's once-a-minute sweep of due messages (once; a daemon thread)."""
    global _sweeper
    with _lock:
        if _sweeper is not None and _sweeper.is_alive():
            return
        _sweeper = threading.Thread(target=_sweep_forever, name="prachum-mail-sweeper", daemon=True)
        _sweeper.start()


def _sweep_forever():
    from django.conf import settings

    from prachum.notify.services import send_queued_messages

    stop = threading.Event()
    while not stop.wait(SWEEP_EVERY_SECONDS):
        # Without a mail server every message is held by its own job: nothing is due, nothing to do.
        if not settings.PRACHUM_EMAIL_ENABLED or settings.PRACHUM_DELIVERY != "thread":
            continue
        try:
            _job(send_queued_messages, {})
        except Exception:  # already logged; the next minute tries again
            pass
