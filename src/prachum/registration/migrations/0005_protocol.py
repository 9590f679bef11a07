"""Honorifics become codes of a closed list; positions get a Lao version; chairs and ranks for protocol order.

This migration adds the columns; 0006 moves the data (honorific spellings to codes, Lao positions, co-chairs),
0007 drops the free-text honorifics.
"""

import django.db.models.deletion
import prachum.core.collation
from django.db import migrations, models


class Migration(migrations.Migration):
    """The new columns. The data moves in 0006 and the free text goes in 0007: on PostgreSQL a migration that
    updates rows with foreign keys and then alters the table fails ("pending trigger events")."""

    dependencies = [
        ("directory", "0002_honorifics"),
        ("registration", "0004_invitation_follow_up"),
    ]

    operations = [
        migrations.RenameField("registration", "honorific", "honorific_text"),
        migrations.RenameField("invitation", "honorific", "honorific_text"),
        migrations.AddField(
            model_name="registration", name="honorific",
            field=models.ForeignKey(null=True, blank=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="directory.honorific", to_field="code", verbose_name="honorific"),
        ),
        migrations.AddField(
            model_name="invitation", name="honorific",
            field=models.ForeignKey(null=True, blank=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="directory.honorific", to_field="code", verbose_name="honorific"),
        ),
        migrations.AddField(
            model_name="registration", name="position_lo",
            field=prachum.core.collation.LaoCharField(blank=True, max_length=300, verbose_name="position in Lao"),
        ),
        migrations.AddField(
            model_name="registration", name="protocol_role",
            field=models.CharField(blank=True, choices=[("chair", "Chair"), ("co_chair", "Co-Chair")], max_length=16,
                                   verbose_name="role at the meeting"),
        ),
        migrations.AddField(
            model_name="registration", name="protocol_rank",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="rank in the delegation"),
        ),
    ]
