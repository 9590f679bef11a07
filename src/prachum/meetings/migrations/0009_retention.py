from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0008_contact_email'),
    ]

    operations = [
        migrations.AddField(
            model_name='meeting',
            name='personal_data_erased_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='meeting',
            name='retention_warned_at',
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
    ]
