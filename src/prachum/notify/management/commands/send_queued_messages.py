"""`prachum send-queued-messages`: send every message that is due now (queued, or failed and whose
next attempt has come), and print how many were sent, failed, given up, held or skipped."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from prachum.notify.services import send_queued_messages


class Command(BaseCommand):
    help = "Send the messages of the outbox that are due (queued, or failed and due for another attempt)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--all", action="store_true", dest="include_later",
            help="Also retry failed messages whose next attempt is later (e.g. after fixing the mail server).",
        )

    def handle(self, *args, include_later=False, **options):
        now = timezone.now() + timedelta(days=3650) if include_later else None
        counts = send_queued_messages(now=now)
        self.stdout.write(", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in counts.items()))
