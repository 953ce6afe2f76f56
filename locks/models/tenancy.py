"""Owners and their people: the company, its settings, its members and its API keys."""

import hashlib
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

# Below this battery level (percent) a lock needs new batteries, unless its owner says otherwise.
LOW_BATTERY_PERCENT = 20


class Owner(models.Model):
    """A device owner: the hotel or host company whose locks these are, with its settings."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    # How the reconciler treats this owner's codes (thresholds are minutes unless named).
    program_lead_minutes = models.PositiveIntegerField(
        default=30, help_text="Program a time-bound code this long before it starts."
    )
    native_schedule_lead_hours = models.PositiveIntegerField(
        default=72,
        help_text="Locks that hold a schedule themselves get the code this long ahead.",
    )
    pin_quarantine_days = models.PositiveIntegerField(
        default=30, help_text="A removed PIN is not reused on the same lock for this long."
    )
    lock_poll_minutes = models.PositiveIntegerField(
        default=15, help_text="How often each lock is read to notice codes that vanished."
    )
    delay_warning_minutes = models.PositiveIntegerField(
        default=10, help_text="A code still not on the lock after this long gets a warning."
    )
    failure_error_minutes = models.PositiveIntegerField(
        default=60, help_text="A code still not on the lock after this long gets an error."
    )

    # Guest codes of reservations.
    class PinSource(models.TextChoices):
        RANDOM = "random", "Random"
        PHONE = "phone", "Last digits of the guest's phone"

    buffer_before_minutes = models.PositiveIntegerField(
        default=0, help_text="A guest code starts this long before check-in."
    )
    buffer_after_minutes = models.PositiveIntegerField(
        default=0, help_text="A guest code ends this long after check-out."
    )
    guest_pin_source = models.CharField(
        max_length=10, choices=PinSource.choices, default=PinSource.RANDOM
    )
    guest_pin_length = models.PositiveSmallIntegerField(
        default=4, help_text="Digits in a guest PIN, where every door of the stay accepts it."
    )

    # Backup codes.
    backup_pool_size = models.PositiveSmallIntegerField(
        default=5, help_text="Backup codes kept ready on each lock whose pool is on."
    )
    backup_pool_on_new_locks = models.BooleanField(
        default=False, help_text="Turn the backup pool on for every lock registered from now on."
    )

    # Lockouts: denied attempts at a stay's door around its check-in, with no entry since.
    lockout_attempts = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
        help_text="This many wrong PINs at a stay's door around its check-in raise a lockout.",
    )
    lockout_within_minutes = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text="…within this many minutes.",
    )
    lockout_hours_before = models.PositiveSmallIntegerField(
        default=2,
        validators=[MaxValueValidator(24)],
        help_text="Watch a stay's doors from this many hours before check-in…",
    )
    lockout_night_ends_hour = models.PositiveSmallIntegerField(
        default=10,
        validators=[MaxValueValidator(23)],
        help_text="…until this hour (local time) the morning after check-in.",
    )

    # Alerts.
    low_battery_percent = models.PositiveSmallIntegerField(
        default=LOW_BATTERY_PERCENT,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text="A lock's battery below this level raises an alert.",
    )
    alert_email = models.EmailField(
        blank=True,
        help_text="Urgent alerts (a lock offline before an arrival, a guest code failing) are "
        "emailed here, once each. Leave empty for none.",
    )

    # Accounts.
    two_factor_for_managers = models.BooleanField(
        default=False,
        help_text="Managers sign in with a code from an authenticator app after their password.",
    )

    # A manager put away Today's first-run checklist (connect locks, add a property, ...).
    first_run_dismissed = models.BooleanField(default=False, editable=False)

    # Kept by `locks.outgoing.endpoints`: whether any webhook endpoint takes this owner's events,
    # so recording an event for an owner without one costs no query.
    sends_webhooks = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        MANAGER = "manager", "Manager"
        FRONT_DESK = "front_desk", "Front desk"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.FRONT_DESK)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "owner"], name="membership_user_owner_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} at {self.owner} ({self.get_role_display()})"

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiKey(models.Model):
    """A secret for the REST API, shown once at creation and stored only as a hash."""

    PREFIX = "seam_ik"

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=20, help_text="The key's first characters, to recognise it.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @classmethod
    def generate_secret(cls) -> str:
        return f"{cls.PREFIX}_{secrets.token_urlsafe(30)}"


class AttemptWindow(models.Model):
    """How many attempts of one kind one subject made in its current window: API requests
    without a valid key from an address, PINs tried at simulated keypads or PINs shown, by a
    person or an API key (`locks.tenancy.attempt_limits`).

    A row per kind and subject, in the database so every web server process counts together (no
    cache is shared between gunicorn's workers without Redis).
    """

    kind = models.CharField(max_length=20)
    subject = models.CharField(max_length=64)
    window_start = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "subject"], name="attempt_window_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject}: {self.count} since {self.window_start:%Y-%m-%d %H:%M}"


class Invite(models.Model):
    """A person asked by email to join an owner with a role.

    The link carries a long random token; only its SHA-256 hash is kept, so a database dump
    holds no working link. A link works once, until `expires_at`, unless it is revoked (or
    replaced by a new invite to the same address).
    """

    LIFETIME_DAYS = 3

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="invites")
    email = models.EmailField(max_length=150)
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            # One open invite per address and owner: inviting again replaces the old one.
            models.UniqueConstraint(
                fields=["owner", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invite_open_owner_email_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} to {self.owner} ({self.get_role_display()})"

    @staticmethod
    def generate_token() -> str:
        return secrets.token_urlsafe(32)

    @staticmethod
    def hash_token(token: str) -> str:
        """The same one-way hash as an API key's: the token is as random as a key."""
        return hash_api_key(token)

    def is_expired(self, now) -> bool:
        return now >= self.expires_at
