"""A gunicorn worker told to quit twice quits (gunicorn_config.post_worker_init). Ctrl-C in a terminal sends SIGINT
to the master and the workers at once, and the master then sends the workers SIGQUIT: when that second signal came
while the worker's first handler was shutting its thread pool down, the worker waited for good on a lock it held
itself, and `prachum demo` left it running. Here a real gthread worker, not serving, gets the second signal at
exactly that moment (its pool's queue sends it as the shutdown puts the pool's end marker in)."""

import subprocess
import sys

SCRIPT = """
import logging, os, queue, signal, sys
from gunicorn.config import Config
from gunicorn.workers.gthread import ThreadWorker
from prachum import gunicorn_config

class SecondSignalDuringShutdown(queue.SimpleQueue):
    def put(self, item, *args, **kwargs):
        if item is None:  # ThreadPoolExecutor.shutdown, holding the pool's lock
            os.kill(os.getpid(), signal.SIGQUIT)
        super().put(item, *args, **kwargs)

cfg = Config()
cfg.set("threads", 2)
worker = ThreadWorker(0, os.getppid(), [], None, 30, cfg, logging.getLogger("worker"))
worker.tpool = worker.get_thread_pool()
worker.tpool._work_queue = SecondSignalDuringShutdown()
worker.PIPE = os.pipe()
for fd in worker.PIPE:
    os.set_blocking(fd, False)
worker.init_signals()
if sys.argv[1] == "product":
    gunicorn_config.post_worker_init(worker)
os.kill(os.getpid(), signal.SIGINT)
"""


def quit_twice(config: str, *, timeout: float) -> int | None:
    # SIGTERM only asks a gunicorn worker to finish its requests: a hung one needs SIGKILL.
    process = subprocess.Popen([sys.executable, "-c", SCRIPT, config])
    try:
        return process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return None


def test_a_worker_told_to_quit_twice_quits():
    assert quit_twice("product", timeout=60) == 0


def test_without_the_products_hook_it_hangs():
    # When this fails, gunicorn has fixed its handler: delete post_worker_init and this test.
    assert quit_twice("gunicorn-alone", timeout=5) is None
