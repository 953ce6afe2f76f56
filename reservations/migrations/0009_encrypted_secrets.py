"""The stay's PIN encrypted at rest (locks/crypto.py); see locks' 0019_encrypted_secrets."""

from django.db import migrations, models

import locks.crypto
from reservations import search


def encrypt(apps, schema_editor):
    locks.crypto.migration_encrypt(apps.get_model("reservations", "reservation"), "pin")


def decrypt(apps, schema_editor):
    locks.crypto.migration_decrypt(apps.get_model("reservations", "reservation"), "pin")


def search_triggers(apps, schema_editor):
    """SQLite rebuilt the table for the new column type, dropping the search's triggers."""
    if schema_editor.connection.vendor == "sqlite":
        for trigger in search.SQLITE_TRIGGERS:
            schema_editor.execute(trigger)


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0008_arrivals_and_entry_alerts"),
    ]

    operations = [
        # (Unapplied, this runs last: after the table's rebuild back to a plain column.)
        migrations.RunPython(migrations.RunPython.noop, search_triggers, elidable=False),
        migrations.AlterField(
            model_name="reservation", name="pin", field=models.TextField(blank=True)
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="reservation",
            name="pin",
            field=locks.crypto.EncryptedCharField(blank=True, max_length=12),
        ),
        migrations.RunPython(search_triggers, migrations.RunPython.noop, elidable=False),
    ]
