"""System checks that refuse a production start with a dangerous configuration."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from locks.crypto import KEYS_HINT, encryption_keys_problem


@register(Tags.security, deploy=False)
def production_settings_check(app_configs, **kwargs):
    if settings.DEBUG:
        return []
    try:
        secret_key = settings.SECRET_KEY
    except ImproperlyConfigured:
        secret_key = ""  # Django refuses to hand out an empty key; say so in our own words
    errors = []
    if len(secret_key) < 32:
        errors.append(
            Error(
                "SECRET_KEY is missing or too short.",
                hint="Set SECRET_KEY to a random string of 50 characters in the environment.",
                id="innkeeper.E001",
            )
        )
    if not settings.ALLOWED_HOSTS:
        errors.append(
            Error(
                "ALLOWED_HOSTS is empty, so every request would be refused.",
                hint="Set ALLOWED_HOSTS to the comma-separated host names the site is served on.",
                id="innkeeper.E002",
            )
        )
    if not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is empty, so PINs and secrets cannot be stored encrypted.",
                hint=f"Set FIELD_ENCRYPTION_KEYS in the environment. {KEYS_HINT}",
                id="innkeeper.E003",
            )
        )
    elif encryption_keys_problem():
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key.",
                hint=f"Each comma-separated key must be a Fernet key. {KEYS_HINT}",
                id="innkeeper.E003",
            )
        )
    if len(settings.FIELD_HASH_KEY) < 32:
        errors.append(
            Error(
                "FIELD_HASH_KEY is missing or too short (the key of the hashes that find a PIN).",
                hint="Set FIELD_HASH_KEY to a random string of 50 characters in the environment "
                '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))"); '
                "never change it afterwards.",
                id="innkeeper.E004",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def hsts_preload_check(app_configs, **kwargs):
    """The HSTS preload list takes only a year or more of HSTS: asking for it with less is a
    mistake (see docs/OPERATIONS.md, HTTPS)."""
    if settings.SECURE_HSTS_PRELOAD and settings.SECURE_HSTS_SECONDS < 31536000:
        return [
            Warning(
                "SECURE_HSTS_PRELOAD is True but SECURE_HSTS_SECONDS is under a year, which the "
                "preload list refuses.",
                hint="Set SECURE_HSTS_SECONDS=31536000 (once https works for good) or "
                "SECURE_HSTS_PRELOAD=False.",
                id="innkeeper.W003",
            )
        ]
    return []
