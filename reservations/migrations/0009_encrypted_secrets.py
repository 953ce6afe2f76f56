"""The stay's PIN encrypted at rest (locks/crypto.py); see locks' 0019_encrypted_secrets."""

from django.db import migrations, models

import locks.crypto


def encrypt(apps, schema_editor):
    locks.crypto.migration_encrypt(apps.get_model("reservations", "reservation"), "pin")


def decrypt(apps, schema_editor):
    locks.crypto.migration_decrypt(apps.get_model("reservations", "reservation"), "pin")


class Migration(migrations.Migration):
    dependencies = [
        ("reservations", "0008_arrivals_and_entry_alerts"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reservation", name="pin", field=models.TextField(blank=True)
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="reservation",
            name="pin",
            field=locks.crypto.EncryptedCharField(blank=True, max_length=12),
        ),
    ]
