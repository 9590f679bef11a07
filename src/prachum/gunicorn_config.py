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

cores = os.cpu_count() or 1

worker_class = "gthread"
workers = 2 * cores
threads = 2
worker_connections = threads + 2
# No private links (/r/<token>/, join links) in the access log.
logger_class = "prachum.registration.gunicorn_logger.Logger"
