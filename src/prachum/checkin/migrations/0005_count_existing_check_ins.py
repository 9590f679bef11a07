"""The counters start from the check-ins already stored: those that count (not undone, not a conflict),
per session and per meeting as a whole."""

from django.db import migrations
from django.db.models import Count


def count_existing(apps, schema_editor):
    CheckIn = apps.get_model("checkin", "CheckIn")
    CheckInCount = apps.get_model("checkin", "CheckInCount")
    rows = (
        CheckIn.objects.filter(undone_at__isnull=True, is_conflict=False)
        .values("registration__meeting_id", "session_id").annotate(n=Count("pk")).order_by()
    )
    CheckInCount.objects.bulk_create([
        CheckInCount(meeting_id=row["registration__meeting_id"], session_id=row["session_id"], checked_in=row["n"])
        for row in rows
    ], batch_size=1000)


def forget_counts(apps, schema_editor):
    apps.get_model("checkin", "CheckInCount").objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("checkin", "0004_check_in_counts"),
    ]

    operations = [
        migrations.RunPython(count_existing, forget_counts),
    ]
