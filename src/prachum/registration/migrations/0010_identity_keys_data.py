"""Fill email_key and search_text of the rows saved before they existed (models.IdentityKeys)."""

from django.db import migrations

from prachum.core.identity import email_key, search_key

REGISTRATION_SEARCHED = ("given_name", "family_name", "name_lo")
INVITATION_SEARCHED = ("email", "given_name", "family_name")
ACTIVE = ("pending", "approved", "waitlisted")


def fill(apps, schema_editor):
    Registration = apps.get_model("registration", "Registration")
    Invitation = apps.get_model("registration", "Invitation")
    taken = set()
    rows = []
    for row in Registration.objects.order_by("pk").iterator(chunk_size=1000):
        row.email_key = email_key(row.email)
        row.search_text = "\n".join(search_key(getattr(row, name)) for name in REGISTRATION_SEARCHED)
        if row.status in ACTIVE:
            if (row.meeting_id, row.email_key) in taken:
                # Registered twice under two spellings of one address before the keys existed: both rows stay
                # (the organizer decides which goes), the later one's key made unique so the new constraint holds.
                row.email_key = f"{row.email_key}#{row.pk}"
            taken.add((row.meeting_id, row.email_key))
        rows.append(row)
    Registration.objects.bulk_update(rows, ["email_key", "search_text"], batch_size=500)
    taken = set()
    invitations = []
    for row in Invitation.objects.order_by("pk").iterator(chunk_size=1000):
        row.email_key = email_key(row.email)
        row.search_text = "\n".join(search_key(getattr(row, name)) for name in INVITATION_SEARCHED)
        if row.revoked_at is None:
            if (row.meeting_id, row.email_key) in taken:
                row.email_key = f"{row.email_key}#{row.pk}"  # as for registrations above
            taken.add((row.meeting_id, row.email_key))
        invitations.append(row)
    Invitation.objects.bulk_update(invitations, ["email_key", "search_text"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("registration", "0009_identity_keys"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
