"""PINs and secrets encrypted at rest: what the database holds, lookups by PIN, key rotation and
the production check that refuses to start without keys."""

import os
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.core import serializers
from django.core.checks import run_checks
from django.core.exceptions import FieldError
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from locks.access_codes import access_code_create, access_code_update
from locks.crypto import UndecryptableError, secret_hash
from locks.errors import ServiceError
from locks.models import AccessCode, DriverAccount, RetiredPin
from locks.selectors import access_code_get_by_pin
from messaging.models import MessagingSettings

OLD_KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


def stored(model, field: str, pk) -> str:
    """The column's value as a database dump shows it."""
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(model._meta.get_field(field).column)
    pk = model._meta.pk.get_db_prep_value(pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {model._meta.pk.column} = %s", [pk])
        return cursor.fetchone()[0]


def test_a_pin_reads_back_but_the_database_holds_neither_it_nor_a_repeatable_value(
    lock, other_lock, t0
):
    first, _ = access_code_create(lock=lock, now=t0, code="4831")
    second, _ = access_code_create(lock=other_lock, now=t0, code="4831")

    assert AccessCode.objects.get(pk=first.pk).code == "4831"
    assert "4831" not in stored(AccessCode, "code", first.pk)
    # The same PIN encrypted twice gives two different values: a dump cannot match them up.
    assert stored(AccessCode, "code", first.pk) != stored(AccessCode, "code", second.pk)


def test_the_lock_finds_a_pin_by_its_hash_after_a_change(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, code="4831")
    access_code_update(access_code=code, now=t0, code="5927")

    assert access_code_get_by_pin(lock, "5927").pk == code.pk
    with pytest.raises(ServiceError):
        access_code_create(lock=lock, now=t0, code="4831")  # retired: quarantined
    assert RetiredPin.objects.get(lock=lock).code_hash == secret_hash("4831")
    assert stored(AccessCode, "code_hash", code.pk) == secret_hash("5927")


def test_a_lookup_by_pin_goes_through_the_hash_and_others_are_refused(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, code="4831")

    with CaptureQueriesContext(connection) as queries:
        assert list(AccessCode.objects.filter(code="4831")) == [code]
    assert "4831" not in str(queries.captured_queries)
    with pytest.raises(FieldError):
        list(AccessCode.objects.filter(code__startswith="48"))
    with pytest.raises(FieldError):
        list(MessagingSettings.objects.filter(twilio_auth_token="tok-123456"))


def test_secrets_of_settings_are_encrypted_too(owner):
    account = DriverAccount.objects.create(
        owner=owner, driver="seam", name="Seam", account_ref="ws_1", credentials={"api_key": "k1"}
    )
    config = MessagingSettings.objects.create(owner=owner, twilio_auth_token="tok-123456")

    assert DriverAccount.objects.get(pk=account.pk).credentials == {"api_key": "k1"}
    assert "k1" not in stored(DriverAccount, "credentials", account.pk)
    assert MessagingSettings.objects.get(pk=config.pk).twilio_auth_token == "tok-123456"
    assert "tok-123456" not in stored(MessagingSettings, "twilio_auth_token", config.pk)


def test_rotation_rewrites_everything_under_the_new_key(owner, lock, t0, capsys):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        code, _ = access_code_create(lock=lock, now=t0, code="4831")
        MessagingSettings.objects.create(owner=owner, twilio_auth_token="tok-123456")

    # The new key in front, the old ones still listed (the fixtures' rows are under the tests'
    # key): everything reads before the rotation.
    with override_settings(
        FIELD_ENCRYPTION_KEYS=[NEW_KEY, OLD_KEY, *settings.FIELD_ENCRYPTION_KEYS]
    ):
        assert AccessCode.objects.get(pk=code.pk).code == "4831"
        call_command("rotate_keys")
    out = capsys.readouterr().out
    assert "locks.AccessCode: " in out and "messaging.MessagingSettings: 1 rows" in out

    # The old key dropped: everything still reads; with the old key alone nothing does.
    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]):
        assert AccessCode.objects.get(pk=code.pk).code == "4831"
        assert MessagingSettings.objects.get(owner=owner).twilio_auth_token == "tok-123456"
        assert access_code_get_by_pin(lock, "4831").pk == code.pk  # hashes did not change
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]), pytest.raises(UndecryptableError):
        AccessCode.objects.get(pk=code.pk)


def test_without_its_key_a_value_is_refused_without_showing_it(lock, t0):
    with override_settings(FIELD_ENCRYPTION_KEYS=[OLD_KEY]):
        code, _ = access_code_create(lock=lock, now=t0, code="4831")

    with override_settings(FIELD_ENCRYPTION_KEYS=[NEW_KEY]), pytest.raises(UndecryptableError) as e:
        AccessCode.objects.get(pk=code.pk)
    assert "4831" not in str(e.value) and "rotate_keys" in str(e.value)


def innkeeper_errors():
    return {e.id: e for e in run_checks() if e.id.startswith("innkeeper.")}


@override_settings(
    DEBUG=False, SECRET_KEY="k" * 50, ALLOWED_HOSTS=["inn.example.com"], FIELD_ENCRYPTION_KEYS=[]
)
def test_production_without_encryption_keys_fails_the_checks_and_says_how_to_make_one():
    errors = innkeeper_errors()

    assert list(errors) == ["innkeeper.E003"]
    assert "Fernet.generate_key()" in errors["innkeeper.E003"].hint


@override_settings(
    DEBUG=False,
    SECRET_KEY="k" * 50,
    ALLOWED_HOSTS=["inn.example.com"],
    FIELD_ENCRYPTION_KEYS=["not-a-key"],
    FIELD_HASH_KEY="",
)
def test_production_with_a_bad_key_or_no_hash_key_fails_the_checks():
    assert sorted(innkeeper_errors()) == ["innkeeper.E003", "innkeeper.E004"]


def test_a_pin_changed_in_memory_keeps_its_hash_in_step_through_a_bulk_update(lock, t0):
    """The reconciler writes its codes with bulk_update, which calls no save()."""
    code, _ = access_code_create(lock=lock, now=t0, code="4831")
    loaded = AccessCode.objects.get(pk=code.pk)
    loaded.code = "6150"

    AccessCode.objects.bulk_update([loaded], ["code", "code_hash"])

    assert access_code_get_by_pin(lock, "6150").pk == code.pk
    assert not AccessCode.objects.filter(code="4831").exists()


def test_an_export_and_import_of_settings_keeps_the_secrets_whole(owner):
    """dumpdata/loaddata go through the fields: the import encrypts what the export decrypted."""
    account = DriverAccount.objects.create(
        owner=owner, driver="seam", name="Seam", account_ref="ws_1", credentials={"api_key": "k1"}
    )
    exported = serializers.serialize("json", [account])
    DriverAccount.objects.all().delete()

    for row in serializers.deserialize("json", exported):
        row.save()

    assert DriverAccount.objects.get(pk=account.pk).credentials == {"api_key": "k1"}
    assert "k1" not in stored(DriverAccount, "credentials", account.pk)


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if not k.startswith("FIELD_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env={**keep, **env},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_manage_py_check_refuses_a_production_start_without_encryption_keys():
    run = _manage("check", DEBUG="False")

    assert run.returncode != 0
    assert "innkeeper.E003" in run.stderr and "innkeeper.E004" in run.stderr
    assert "Fernet.generate_key()" in run.stderr


def test_development_keeps_generated_keys_so_make_run_reads_its_data_again():
    show = "from django.conf import settings as s; print(s.FIELD_ENCRYPTION_KEYS, s.FIELD_HASH_KEY)"
    first = _manage("shell", "-c", show, DEBUG="True")
    again = _manage("shell", "-c", show, DEBUG="True")

    assert first.returncode == 0, first.stderr
    assert first.stdout.strip().splitlines()[-1] == again.stdout.strip().splitlines()[-1]
    assert (settings.BASE_DIR / ".dev-field-encryption-key").exists()
    assert (settings.BASE_DIR / ".dev-field-hash-key").exists()
