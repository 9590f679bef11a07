from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0008_erased_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="email_key",
            field=models.CharField(default="", editable=False, max_length=320),
        ),
        migrations.AddField(
            model_name="invitation",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.AddField(
            model_name="registration",
            name="email_key",
            field=models.CharField(default="", editable=False, max_length=320),
        ),
        migrations.AddField(
            model_name="registration",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
    ]
