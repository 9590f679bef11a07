from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="user",
            options={
                "permissions": [("administer_site", "Can invite and deactivate organizer accounts and grant their rights")],
                "verbose_name": "user",
                "verbose_name_plural": "users",
            },
        ),
    ]
