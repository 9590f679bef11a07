"""`prachum device-token <slug>`: create a check-in device for a meeting and print its token (shown once)."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from prachum.checkin.services import create_device
from prachum.core.plain_text import is_control_character
from prachum.meetings.selectors import meetings_named


class Command(BaseCommand):
    help = "Create a check-in device token for one meeting and print it (only its hash is kept)."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the meeting's short name in addresses")
        parser.add_argument("--name", default="", help="the device's name (default: 'device N')")
        parser.add_argument("--days", type=int, default=None,
                            help="valid for this many days (default: until a day after the meeting ends)")

    def handle(self, *args, slug, name, days, **options):
        meeting = meetings_named(slug).first()
        if meeting is None:
            raise CommandError(f"No meeting with the short name {slug!r}.")
        if any(is_control_character(char) for char in name) or len(name) > 100:
            raise CommandError("--name: at most 100 characters, without control characters.")
        if days is not None and not 1 <= days <= 3650:
            raise CommandError("--days: a number of days from 1 to 3650.")
        name = name or f"device {meeting.devices.count() + 1}"
        expires_at = timezone.now() + timedelta(days=days) if days else None
        device, token = create_device(meeting=meeting, name=name, expires_at=expires_at)
        self.stderr.write(f"Device {device.name!r} for {meeting.slug}, valid until {device.expires_at:%Y-%m-%d %H:%M} UTC.")
        self.stdout.write(token)
