"""How gunicorn serves Prachum: `gunicorn -c python:prachum.gunicorn_config prachum.wsgi:application`
(`prachum demo` does; options given after it on the command line win, e.g. `--bind`).

Measured on the 2-core machine of bench/ (bench/README.md, "The worker setup"):

- Two processes per core with two threads each. Python runs one thread at a time per process: with
  four threads in one process they mostly waited for each other (the check-in API's CPU per request
  was 15 % higher with 2 x 4 than with 4 x 2, the registration form's too).
- worker_connections = threads + 2. gthread keeps accepting connections while its threads are busy
  and queues them behind the running requests, even when another process is idle; a POST of the
  registration form then waited behind others for up to 300 ms at the 99th percentile. With few
  connections per process, a busy process leaves new connections to the others (p99 160 ms at a
  higher rate). The two spare connections keep a browser's or a check-in device's connection alive
  between its requests; a connection beyond them waits in the listen queue until a process has room
  (kept-alive connections are closed after `keepalive`, 2 s, without a request). Behind a proxy that
  keeps many idle connections open to gunicorn, raise worker_connections to their number per process.
  Clients that never leave their connection idle for `keepalive` hold their place: more of them than
  workers x worker_connections wait (bench/checkin.py with 16 busy connections on 2 x 2: p99 3.7 s).
"""

import os
import signal
from pathlib import Path

cores = os.cpu_count() or 1

worker_class = "gthread"
workers = 2 * cores
threads = 2
worker_connections = threads + 2
# No private links (/r/<token>/, join links) in the access log.
logger_class = "prachum.registration.gunicorn_logger.Logger"
# gunicorn's usual line, and the request id the application sent back (core/request_ids.py).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'


# Prometheus in multiprocess mode (core/metrics.py) when PROMETHEUS_MULTIPROC_DIR is set: each worker counts
# into its own files there. Counts of the previous run would be added to this one's: the folder starts empty.
def on_starting(server):
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        path = Path(folder)
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)


# gunicorn 27's gthread worker hangs for good when a second quit signal arrives while its handler for the first
# is shutting the thread pool down: the handler runs again inside ThreadPoolExecutor.shutdown and waits for the
# lock it holds itself. Ctrl-C in a terminal does exactly that (SIGINT reaches the master and every worker, and
# the master then sends the workers SIGQUIT): one `prachum demo` in three left a worker behind. Quit once.
def post_worker_init(worker):
    quit_once = worker.handle_quit
    quitting = False

    def handle_quit(sig, frame):
        nonlocal quitting
        if quitting:
            return
        quitting = True
        quit_once(sig, frame)

    worker.handle_quit = handle_quit
    signal.signal(signal.SIGINT, handle_quit)
    signal.signal(signal.SIGQUIT, handle_quit)
