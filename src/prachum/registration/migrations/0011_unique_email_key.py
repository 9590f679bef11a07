from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0010_identity_keys_data"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="registration",
            name="one_active_registration_per_meeting_and_email",
        ),
        migrations.AddConstraint(
            model_name="registration",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["pending", "approved", "waitlisted"])),
                fields=("meeting", "email_key"),
                name="one_active_registration_per_meeting_and_email",
            ),
        ),
        migrations.RemoveConstraint(
            model_name="invitation",
            name="one_open_invitation_per_meeting_and_email",
        ),
        migrations.AddConstraint(
            model_name="invitation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("revoked_at__isnull", True)),
                fields=("meeting", "email_key"),
                name="one_open_invitation_per_meeting_and_email",
            ),
        ),
    ]
