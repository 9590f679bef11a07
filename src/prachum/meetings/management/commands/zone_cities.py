from django.core.management.base import BaseCommand

from prachum.meetings.zone_cities import write_scripts


class Command(BaseCommand):
    help = "Write static/meetings/zone-cities/<language>.js from Babel's time zone cities (after a Babel upgrade)."

    def handle(self, *args, **options):
        for path in write_scripts():
            self.stdout.write(f"wrote {path}")
