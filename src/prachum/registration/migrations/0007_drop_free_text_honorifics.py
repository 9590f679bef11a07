"""The free-text honorifics, now codes (0006)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0006_protocol_data"),
    ]

    operations = [
        migrations.RemoveField("registration", "honorific_text"),
        migrations.RemoveField("invitation", "honorific_text"),
    ]
