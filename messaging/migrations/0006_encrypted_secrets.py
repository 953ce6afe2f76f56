"""Owners' Twilio auth tokens encrypted at rest (locks/crypto.py)."""

from django.db import migrations, models

import locks.crypto


def encrypt(apps, schema_editor):
    model = apps.get_model("messaging", "messagingsettings")
    locks.crypto.migration_encrypt(model, "twilio_auth_token")


def decrypt(apps, schema_editor):
    model = apps.get_model("messaging", "messagingsettings")
    locks.crypto.migration_decrypt(model, "twilio_auth_token")


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0005_lockout_text_backup"),
    ]

    operations = [
        migrations.AlterField(
            model_name="messagingsettings",
            name="twilio_auth_token",
            field=models.TextField(blank=True),
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="messagingsettings",
            name="twilio_auth_token",
            field=locks.crypto.EncryptedCharField(blank=True, max_length=128),
        ),
    ]
