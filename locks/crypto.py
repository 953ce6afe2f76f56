"""PINs and secrets encrypted at rest, and the keyed hashes that find a PIN without showing it.

- `FIELD_ENCRYPTION_KEYS` (Fernet keys, newest first): the first encrypts, every one decrypts,
  so a new key goes in front and the old one stays behind it until `manage.py rotate_keys` ran.
- `FIELD_HASH_KEY`: the HMAC-SHA256 key of the `*_hash` columns that equality lookups use (a
  PIN's collisions on a lock, `access_codes/get` by code). It is not derived from the Fernet
  keys, so rotating those changes no hash.

Encrypted fields hold text (Fernet tokens), decrypt when a row is loaded and encrypt when it is
saved; `instance.code` reads and writes the clear value as before. An encrypted value never
equals another (Fernet is randomised), so `filter(code=pin)` compares the hash column instead
(`code_hash = HMAC(pin)`) and other lookups (contains, ordering by value...) are refused.
"""

import hashlib
import hmac
import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models, transaction
from django.db.models.expressions import Col
from django.db.models.query_utils import DeferredAttribute

KEYS_HINT = (
    'Generate a key with: python -c "from cryptography.fernet import Fernet; '
    'print(Fernet.generate_key().decode())"'
)


class UndecryptableError(ImproperlyConfigured):
    """A stored value that no key of FIELD_ENCRYPTION_KEYS opens (its value is never shown)."""


@lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEYS is empty. {KEYS_HINT}")
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            f"FIELD_ENCRYPTION_KEYS holds a key that is not a Fernet key. {KEYS_HINT}"
        ) from None


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def encryption_keys_problem() -> str:
    """Why FIELD_ENCRYPTION_KEYS cannot be used, or "" (for the system check)."""
    try:
        fernet()
    except ImproperlyConfigured as exc:
        return str(exc)
    return ""


def secret_encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableError(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS: the key that "
            "encrypted it is missing from the list (keep old keys until rotate_keys has run)."
        ) from None


def secret_reencrypt(token: str) -> str:
    """The same secret under the first (newest) key."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise UndecryptableError(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEYS."
        ) from None


def secret_hash(value: str | None) -> str:
    """The keyed hash (hex HMAC-SHA256) a lookup by value uses; "" for no value."""
    if not value:
        return ""
    key = settings.FIELD_HASH_KEY
    if not key:
        raise ImproperlyConfigured("FIELD_HASH_KEY is empty: set it to a long random string.")
    return hmac.new(key.encode(), str(value).encode(), hashlib.sha256).hexdigest()


class _HashingAttribute(DeferredAttribute):
    """`instance.code = pin` also sets `instance.code_hash`, so any save (bulk_update too)
    writes both in step."""

    def __set__(self, instance, value):
        data = instance.__dict__
        data[self.field.attname] = value
        # Not while the row is built (the hash field comes after: a loaded row brings its hash,
        # a new one gets it in `SecretHashField.pre_save`), so loading costs no hashing.
        if self.field.hash_field in data:
            data[self.field.hash_field] = secret_hash(value)


class _ExactByHash(models.Lookup):
    """`code=pin` on an encrypted field: compared through its hash column (`code_hash =
    HMAC(pin)`), so the clear PIN never reaches the query; `=""` (no value) stays as it is."""

    lookup_name = "exact"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        field, value = self.lhs.output_field, self.rhs
        if not isinstance(value, str):
            raise FieldError(f"{field.name} is encrypted: compare it with a string only.")
        if value == "":
            sql, params = compiler.compile(self.lhs)
            return f"{sql} = %s", [*params, ""]
        if not getattr(field, "hash_field", ""):
            raise FieldError(f"{field.name} is encrypted: it cannot be searched by value.")
        hashed = Col(self.lhs.alias, field.model._meta.get_field(field.hash_field))
        sql, params = compiler.compile(hashed)
        return f"{sql} = %s", [*params, secret_hash(value)]


class _Encrypted:
    """Shared by the encrypted fields: stored as text; found by value only through a hash."""

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _ExactByHash
        return None  # FieldError: "Unsupported lookup" (a Fernet value never equals another)

    def get_transform(self, lookup_name):
        return None


class EncryptedCharField(_Encrypted, models.CharField):
    """A short secret (a PIN, a token). `max_length` bounds the clear value; "" stays ""."""

    descriptor_class = _HashingAttribute

    def __init__(self, *args, hash_field: str = "", **kwargs):
        self.hash_field = hash_field
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field:
            kwargs["hash_field"] = self.hash_field
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return secret_decrypt(value) if value else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return secret_encrypt(value) if value else value


class EncryptedJSONField(_Encrypted, models.TextField):
    """A JSON value (e.g. a driver's API key), encrypted whole."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        return json.loads(secret_decrypt(value)) if value else None

    def to_python(self, value):
        # loaddata hands over what value_to_string wrote: the JSON text.
        return json.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        return None if value is None else secret_encrypt(json.dumps(value))

    def value_to_string(self, obj):
        return json.dumps(self.value_from_object(obj))


class SecretHashField(models.CharField):
    """The keyed hash of a secret field of the model (kept by that field; see `secret_hash`)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def pre_save(self, model_instance, add):
        """Hashed again from the secret on every save (a new row's constructor may set the
        secret before this field's default)."""
        for field in model_instance._meta.concrete_fields:
            if getattr(field, "hash_field", "") == self.attname:
                value = secret_hash(getattr(model_instance, field.attname))
                setattr(model_instance, self.attname, value)
                return value
        return super().pre_save(model_instance, add)


class HashedSecrets(models.Model):
    """A model with an `EncryptedCharField(hash_field=...)`: saving the secret saves its hash,
    even with `update_fields` naming the secret only."""

    class Meta:
        abstract = True

    def save(self, *args, update_fields=None, **kwargs):
        if update_fields is not None:
            update_fields = set(update_fields)
            for field in self._meta.concrete_fields:
                if getattr(field, "hash_field", "") and field.name in update_fields:
                    update_fields.add(field.hash_field)
        super().save(*args, update_fields=update_fields, **kwargs)


# Data migrations: a column goes clear -> text -> encrypted (or back), read in batches by pk.
MIGRATION_BATCH = 500


def _batches(model, field: str):
    last = None
    while True:
        rows = model.objects.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        batch = list(rows.values_list("pk", field)[:MIGRATION_BATCH])
        if not batch:
            return
        last = batch[-1][0]
        yield batch


def migration_encrypt(model, field: str, hash_field: str = "") -> None:
    """Encrypt a column's clear values (the field being a plain TextField at this step)."""
    names = [field, hash_field] if hash_field else [field]
    for batch in _batches(model, field):
        changed = []
        for pk, value in batch:
            if value:
                row = model(pk=pk, **{field: secret_encrypt(value)})
                if hash_field:
                    setattr(row, hash_field, secret_hash(value))
                changed.append(row)
        model.objects.bulk_update(changed, names)


def migration_decrypt(model, field: str, hash_field: str = "") -> None:
    """The reverse: the clear values back in the column (before it becomes plain again)."""
    names = [field, hash_field] if hash_field else [field]
    for batch in _batches(model, field):
        changed = []
        for pk, value in batch:
            if value:
                row = model(pk=pk, **{field: secret_decrypt(value)})
                if hash_field:
                    setattr(row, hash_field, "")
                changed.append(row)
        model.objects.bulk_update(changed, names)


def encrypted_fields() -> list[tuple[type[models.Model], list[str]]]:
    """Every model with encrypted fields, and the names of those fields."""
    found = []
    for model in apps.get_models():
        names = [f.attname for f in model._meta.concrete_fields if isinstance(f, _Encrypted)]
        if names:
            found.append((model, names))
    return found


def secrets_reencrypt(*, batch_size: int = MIGRATION_BATCH) -> dict[str, int]:
    """Every encrypted value written again under the first (newest) key of
    FIELD_ENCRYPTION_KEYS, in batches; after it the older keys can be dropped.
    Returns the number of rows rewritten per model ("app.Model")."""
    counts = {}
    for model, names in encrypted_fields():
        count, last = 0, None
        while True:
            rows = model._base_manager.order_by("pk").only("pk", *names)
            if last is not None:
                rows = rows.filter(pk__gt=last)
            batch = list(rows[:batch_size])
            if not batch:
                break
            last = batch[-1].pk
            with transaction.atomic():
                # Loading decrypted them (with any key); saving encrypts with the first.
                model._base_manager.bulk_update(batch, names)
            count += len(batch)
        counts[model._meta.label] = count
    return counts
