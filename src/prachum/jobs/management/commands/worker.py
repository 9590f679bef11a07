import signal
import threading
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from prachum.jobs import engine


class Command(BaseCommand):
    help = (
        "The database-backed background worker of the embedded mode (`prachum demo` starts it beside gunicorn): "
        "runs the jobs and sends the emails that are due, and the periodic work (reminders), until stopped. "
        "Any number may run at once; each job and email is claimed by one. Killed at any moment, it loses "
        "nothing: what it held is due again when its lease (PRACHUM_LEASE_SECONDS) runs out."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round of everything due, then stop")
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between looks at the queues (%(default)s)")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between rounds of periodic work "
                                                                      "(%(default)s)")

    def handle(self, *args, once, poll, tick, **options):
        if poll <= 0 or tick <= 0:
            raise CommandError("--poll and --tick must be more than 0 seconds")
        stopped = threading.Event()
        if not once and threading.current_thread() is threading.main_thread():
            # SIGTERM (a process manager, `prachum demo` stopping) or Ctrl-C: end after the item under way.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stopped.set())
        next_tick = 0.0
        while True:
            if time.monotonic() >= next_tick and not stopped.is_set():
                engine.tick()
                next_tick = time.monotonic() + tick
            try:
                counts = engine.sweep(here=True, stop=stopped.is_set)
            except Exception as exc:  # the database is away for a moment: the next round tries again
                self.stderr.write(f"worker: {type(exc).__name__}: {exc}")
                counts = {}
            if once:
                self.stdout.write(", ".join(f"{name}: {count}" for name, count in counts.items()))
                return
            # A long-running loop: drop a connection the database closed meanwhile (as a request would).
            close_old_connections()
            if stopped.wait(poll):
                return
