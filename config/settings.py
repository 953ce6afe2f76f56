"""Innkeeper's settings: one module, read from the environment.

Every value a deployment changes comes from an environment variable, parsed by the strict
helpers below; `config.checks` refuses a production start with a dangerous configuration.
"""

import base64
import ipaddress
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    if value not in ("True", "False", "true", "false", "1", "0"):
        raise ImproperlyConfigured(f"{name} must be True or False, not {value!r}")
    return value in ("True", "true", "1")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


DEBUG = envbool("DEBUG", "False")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY and DEBUG:
    # A development key, written once so sessions survive restarts of `make run`.
    key_file = BASE_DIR / ".dev-secret-key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

# PINs and secrets in the database are encrypted (locks/crypto.py): Fernet keys, comma-separated,
# newest first (the first encrypts, all decrypt), and the key of the hashes that find a PIN.
FIELD_ENCRYPTION_KEYS = [
    k.strip() for k in os.environ.get("FIELD_ENCRYPTION_KEYS", "").split(",") if k.strip()
]
FIELD_HASH_KEY = os.environ.get("FIELD_HASH_KEY", "")
if DEBUG and not FIELD_ENCRYPTION_KEYS:
    # Development keys, written once beside .dev-secret-key so the data stays readable.
    key_file = BASE_DIR / ".dev-field-encryption-key"
    if not key_file.exists():
        key_file.write_text(base64.urlsafe_b64encode(os.urandom(32)).decode())
    FIELD_ENCRYPTION_KEYS = [key_file.read_text().strip()]
if DEBUG and not FIELD_HASH_KEY:
    key_file = BASE_DIR / ".dev-field-hash-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
    FIELD_HASH_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "").split(",") if h.strip()]
if DEBUG and not ALLOWED_HOSTS:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "django_q",
    "rest_framework",
    "drf_spectacular",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "config",
    "locks",
    "reservations",
    "backups",
    "messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Whether this session's sign-in was confirmed with a code (request.user.is_verified()).
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "locks.tenancy.middleware.CurrentOwnerMiddleware",
    # A person with two-factor sign-in reaches nothing before their code; a manager whose
    # company requires it, nothing before setting it up (the REST API is not concerned).
    "locks.tenancy.middleware.TwoFactorMiddleware",
    # Who acts for the audit log: the signed-in person, on requests that may change something.
    "locks.tenancy.middleware.AuditActorMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in into our lockout page.
    "axes.middleware.AxesMiddleware",
]

# Content-Security-Policy (django-csp): pages load scripts, styles, images and fonts from this
# site only, and send requests (htmx) and forms to it only. No inline script or style, no
# eval (base.html tells htmx), no plugin, no framing by another site.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "locks.tenancy.context_processors.current_owner",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'innkeeper.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the task worker writes; IMMEDIATE makes a
        # writing transaction take the lock up front instead of failing half-way.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters sent apart from the query (server-side binding), so that psycopg prepares a
    # query the 5th time a connection runs it and the server stops parsing and planning it
    # again: an API read runs the same two or three queries every time. PgBouncer in
    # transaction mode (before 1.21, or without max_prepared_statements) loses prepared
    # statements between transactions: DATABASE_PREPARED_STATEMENTS=False there.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": 5 if envbool("DATABASE_PREPARED_STATEMENTS", "True") else None,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses a sign-in while its username or address is locked out; then the usual check.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Then the email, or the username in other capitals (invited people's username is their email).
    "locks.tenancy.backends.EmailOrUsernameBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "today"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
# The languages of the guest's page and messages (a stay's `language`); the dashboard is English.
GUEST_LANGUAGES = [
    ("en", "English"),
    ("pt", "Português"),
    ("es", "Español"),
    ("fr", "Français"),
    ("de", "Deutsch"),
]
LANGUAGES = GUEST_LANGUAGES
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
# Uploaded files (arrival photos): private, never served from here; the guest's page serves a
# stay's own photos (messaging/guest_page). Keep it out of the web server's reach and back it up.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "media")
# No URL serves this (none in config/urls.py, nor in the web server): files have no public address.
MEDIA_URL = "/private-media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

SESSION_COOKIE_SECURE = not DEBUG and envbool("SECURE_COOKIES", "True")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE


def envheader(name: str) -> tuple[str, str] | None:
    """`HTTP_X_FORWARDED_PROTO,https`: the request header (as Django names it) and its value."""
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    header, _, expected = (part.strip() for part in value.partition(","))
    if not header.startswith("HTTP_") or not expected or "," in expected:
        raise ImproperlyConfigured(
            f"{name} is a header and the value that means HTTPS, e.g. "
            f"HTTP_X_FORWARDED_PROTO,https; not {value!r}"
        )
    return header, expected


# HTTPS, on by default outside DEBUG (docs/OPERATIONS.md, HTTPS). Plain http requests are
# redirected to https, and browsers are told to use only https for SECURE_HSTS_SECONDS: an hour
# by default, so a mistake is undone within the hour; raise it to a year once https is sure.
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", str(not DEBUG))
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "0" if DEBUG else "3600")
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", "True")
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
# Only for a WSGI server that does not itself decide which proxies may say "https" (gunicorn
# does, with FORWARDED_ALLOW_IPS); unset, Django believes no header.
SECURE_PROXY_SSL_HEADER = envheader("SECURE_PROXY_SSL_HEADER")
# Preloading is asked for at hstspreload.org (with a year of HSTS, and slow to undo): a choice,
# never a default, so Django's warning that it is off (W021) is not shown.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

REDIS_URL = os.environ.get("REDIS_URL", "")


def envnetworks(name: str) -> list:
    networks = []
    for item in os.environ.get(name, "").split(","):
        if item.strip():
            try:
                networks.append(ipaddress.ip_network(item.strip(), strict=False))
            except ValueError:
                raise ImproperlyConfigured(
                    f"{name} lists addresses or networks (e.g. 10.0.0.5,192.168.1.0/24), "
                    f"not {item.strip()!r}"
                ) from None
    return networks


# A client's address is REMOTE_ADDR: the machine that opened the connection. Behind a proxy
# that is the proxy, so every client would share it; list the proxies here and their
# X-Forwarded-For is believed instead (locks/client_address.py).
TRUSTED_PROXIES = envnetworks("TRUSTED_PROXIES")

# Sign-in throttling (django-axes, dashboard and admin): 5 wrong passwords for one username,
# or from one address, refuse further tries for 15 minutes. A right password resets the count.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "locks.login_views.locked_out"
AXES_CLIENT_IP_CALLABLE = "locks.client_address.client_address"

# Two-factor sign-in (django-otp): the name authenticator apps show beside the account; the
# admin never shows a device's secret key.
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Innkeeper")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Outbound requests (webhooks; calendar feeds and lock clouds next) never reach loopback, private,
# link-local or multicast addresses, and plain http only inside these networks: CIDRs, comma-
# separated (e.g. "192.168.1.0/24" for a LAN receiver). Read when each request is sent.
OUTBOUND_ALLOWED_NETWORKS = [
    n.strip() for n in os.environ.get("OUTBOUND_ALLOWED_NETWORKS", "").split(",") if n.strip()
]

# Where Twilio's status callbacks reach this site (e.g. https://locks.example.com); without it
# messages go out without delivery receipts.
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "").rstrip("/")
# Twilio for a single-owner install (owners can also set their own in Settings → Messages).
TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = os.environ.get("TWILIO_AUTH_TOKEN", "")
TWILIO_FROM_NUMBER = os.environ.get("TWILIO_FROM_NUMBER", "")
TWILIO_MESSAGING_SERVICE_SID = os.environ.get("TWILIO_MESSAGING_SERVICE_SID", "")
# Only for a stand-in of Twilio's API (tests, staging); unset means Twilio itself.
TWILIO_API_BASE_URL = os.environ.get("TWILIO_API_BASE_URL", "")

# Alert emails (Settings → Alerts → email address). The console backend prints them, which is
# what `make run` wants; set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and the
# EMAIL_HOST* variables to really send.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "False")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "innkeeper@localhost")

# django-q2. `timeout` < `retry` (otherwise a slow task runs twice), bounded attempts,
# failures acknowledged so a poison task is not redelivered forever; the reconciler keeps
# its own clock per lock, so a lost task is picked up again by the next tick.
Q_CLUSTER = {
    "name": "innkeeper",
    "workers": envint("Q_WORKERS", "2"),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 1,
    "ack_failures": True,
    "catch_up": False,
    "save_limit": 500,
    "poll": 1,
    "label": "Tasks",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["locks.api.auth.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "EXCEPTION_HANDLER": "locks.api.errors.seam_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Innkeeper API",
    "DESCRIPTION": "Access codes on smart locks, in Seam's dialect.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # PATCH validates the whole input as POST does, so it needs the same required parameters.
    "COMPONENT_SPLIT_PATCH": False,
    # Every answer's `ok`: true on an answer, false on an error.
    "ENUM_NAME_OVERRIDES": {"OkEnum": [(True, True)], "NotOkEnum": [(False, False)]},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A guest page's token opens the stay's PIN: never written (config/log_filters.py).
    "filters": {"guest_tokens": {"()": "config.log_filters.GuestTokenFilter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["guest_tokens"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Their records reach Django's own handlers too (DEBUG's console): filtered at the source.
        "django.request": {"filters": ["guest_tokens"]},
        "django.server": {"filters": ["guest_tokens"]},
        # The task queue logs every task at INFO; the default keeps a terminal readable.
        "django-q": {"level": os.environ.get("Q_LOG_LEVEL", "WARNING")},
        # django-axes says it started at INFO in every process; its lockouts are WARNINGs.
        "axes": {"level": "WARNING"},
        "twilio": {"level": "WARNING"},
        # httpx (under the Seam SDK) logs every request's whole URL at INFO: a URL may carry a
        # PIN (`access_codes/get?code=…`), so only its warnings are kept.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
    },
}
