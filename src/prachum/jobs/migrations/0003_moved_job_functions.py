"""Jobs queued before issue 17's moves name functions at their old places: point them at the new ones."""

from django.db import migrations

MOVED = {
    "prachum.meetings.setup.cancel_registrations_job":
        "prachum.registration.services.meeting_cancellation.cancel_registrations_job",
}


def forwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for old, new in MOVED.items():
        Job.objects.filter(function=old).update(function=new)


def backwards(apps, schema_editor):
    Job = apps.get_model("jobs", "Job")
    for old, new in MOVED.items():
        Job.objects.filter(function=new).update(function=old)


class Migration(migrations.Migration):
    dependencies = [("jobs", "0002_engine_bookkeeping")]
    operations = [migrations.RunPython(forwards, backwards)]
