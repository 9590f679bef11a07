from django.db import migrations, models

import prachum.jobs.models


class Migration(migrations.Migration):

    dependencies = [
        ('jobs', '0003_moved_job_functions'),
    ]

    operations = [
        migrations.AddField(
            model_name='job',
            name='result_expired_at',
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='job',
            name='result_file',
            field=models.FileField(blank=True, storage=prachum.jobs.models.job_files_storage, upload_to='%Y/%m/'),
        ),
    ]
