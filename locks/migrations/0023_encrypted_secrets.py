"""PINs and secrets encrypted at rest (locks/crypto.py), with keyed hashes for PIN lookups.

Each column goes: clear CharField/JSONField -> plain text -> values encrypted (and hashed) in
batches -> the encrypted field. Reversible: the values are decrypted back in the same steps.
"""

from django.db import migrations, models

import locks.crypto

# (model, field, hash field): what this migration encrypts.
SECRETS = [
    ("accesscode", "code", "code_hash"),
    ("retiredpin", "code", "code_hash"),
    ("simulatedcode", "code", "code_hash"),
    ("driveraccount", "credentials", ""),
    ("webhookendpoint", "secret", ""),
]


def encrypt(apps, schema_editor):
    for model, field, hash_field in SECRETS:
        locks.crypto.migration_encrypt(apps.get_model("locks", model), field, hash_field)


def decrypt(apps, schema_editor):
    for model, field, hash_field in SECRETS:
        locks.crypto.migration_decrypt(apps.get_model("locks", model), field, hash_field)


class Migration(migrations.Migration):
    dependencies = [
        ("locks", "0022_attempt_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="accesscode",
            name="code_hash",
            field=locks.crypto.SecretHashField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="retiredpin",
            name="code_hash",
            field=locks.crypto.SecretHashField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="simulatedcode",
            name="code_hash",
            field=locks.crypto.SecretHashField(blank=True, default="", editable=False, max_length=64),
        ),
        migrations.AlterField(model_name="accesscode", name="code", field=models.TextField()),
        migrations.AlterField(model_name="retiredpin", name="code", field=models.TextField()),
        migrations.AlterField(model_name="simulatedcode", name="code", field=models.TextField()),
        migrations.AlterField(
            model_name="driveraccount", name="credentials", field=models.TextField(blank=True)
        ),
        migrations.AlterField(
            model_name="webhookendpoint", name="secret", field=models.TextField(editable=False)
        ),
        migrations.RunPython(encrypt, decrypt, elidable=False),
        migrations.AlterField(
            model_name="accesscode",
            name="code",
            field=locks.crypto.EncryptedCharField(hash_field="code_hash", max_length=12),
        ),
        migrations.AlterField(
            model_name="retiredpin",
            name="code",
            field=locks.crypto.EncryptedCharField(hash_field="code_hash", max_length=12),
        ),
        migrations.AlterField(
            model_name="simulatedcode",
            name="code",
            field=locks.crypto.EncryptedCharField(hash_field="code_hash", max_length=12),
        ),
        migrations.AlterField(
            model_name="driveraccount",
            name="credentials",
            field=locks.crypto.EncryptedJSONField(blank=True, default=dict, editable=False),
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=locks.crypto.EncryptedCharField(editable=False, max_length=80),
        ),
        migrations.AddIndex(
            model_name="accesscode",
            index=models.Index(fields=["lock", "code_hash"], name="access_code_pin_by_lock"),
        ),
        migrations.AddIndex(
            model_name="retiredpin",
            index=models.Index(fields=["lock", "code_hash"], name="retired_pin_by_lock"),
        ),
        migrations.AddIndex(
            model_name="simulatedcode",
            index=models.Index(fields=["device", "code_hash"], name="simulated_code_by_pin"),
        ),
    ]
