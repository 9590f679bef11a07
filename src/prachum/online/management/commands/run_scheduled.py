import signal
import threading

from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from prachum.online.reminders import run_scheduled


class Command(BaseCommand):
    help = (
        "Scheduled work in embedded mode: queue and send the reminders that are due, read BigBlueButton's "
        "attendee lists, and send the outbox's due emails; every --interval seconds until stopped "
        "(production runs the Celery beat entry instead). Safe to run twice at once: each reminder goes out once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="one round, then stop")
        parser.add_argument("--interval", type=float, default=30.0, help="seconds between rounds (default: %(default)s)")

    def handle(self, *args, once, interval, **options):
        if interval <= 0:
            raise CommandError("--interval must be more than 0 seconds")
        stopped = threading.Event()
        if not once and threading.current_thread() is threading.main_thread():
            # SIGTERM (a process manager, `prachum demo` stopping) or Ctrl-C: end after the round under way.
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: stopped.set())
        while True:
            try:
                result = run_scheduled()
            except Exception as exc:  # keep the loop alive; the next round tries again
                self.stderr.write(f"run-scheduled: {type(exc).__name__}: {exc}")
                if once:
                    raise
            else:
                if once or options["verbosity"] > 1:
                    self.stdout.write(self._describe(result))
            if once or stopped.wait(interval):
                return
            # A long-running loop: drop a connection the database closed meanwhile (as a request would).
            close_old_connections()

    @staticmethod
    def _describe(result: dict) -> str:
        reminders = result["reminders"]
        text = (f"reminders: {result['planned']} queued, {reminders['sent']} written to the outbox, "
                f"{reminders['skipped']} skipped")
        if "attendance" in result:
            text += f"; attendance: {result['attendance']['new']} new from {result['attendance']['sessions']} sessions"
        if "messages" in result:
            text += f"; emails: {result['messages']['sent']} sent, {result['messages']['held']} kept in the outbox"
        return text
