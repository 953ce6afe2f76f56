"""Owners and their people, properties, locks, access codes and their history.

An AccessCode row is the *desired state* of one PIN on one lock; what the lock's driver
reports is the *observed state*; `locks.reconcile` makes the two agree.
"""

import builtins
import hashlib
import secrets
import uuid
import zoneinfo
from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# Below this battery level (percent) a lock needs new batteries, unless its owner says otherwise.
LOW_BATTERY_PERCENT = 20


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name, e.g. Europe/Paris.")


class HasIssues(models.Model):
    """Seam-style `errors` and `warnings`: [{error_code or warning_code, message, created_at}]."""

    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True

    def has_error(self, error_code: str) -> bool:
        return any(e["error_code"] == error_code for e in self.errors)

    def has_warning(self, warning_code: str) -> bool:
        return any(w["warning_code"] == warning_code for w in self.warnings)

    def add_error(self, error_code: str, message: str, now: datetime, **extra) -> bool:
        """Add an error unless present (then refresh its message and `extra` fields); True
        when it is new."""
        return _add_issue(self.errors, "error_code", error_code, message, now, extra)

    def add_warning(self, warning_code: str, message: str, now: datetime, **extra) -> bool:
        return _add_issue(self.warnings, "warning_code", warning_code, message, now, extra)

    def clear_errors(self, *error_codes: str) -> None:
        self.errors = [e for e in self.errors if e["error_code"] not in error_codes]

    def clear_warnings(self, *warning_codes: str) -> None:
        self.warnings = [w for w in self.warnings if w["warning_code"] not in warning_codes]


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


class Property(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="properties")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="Two-letter country code (PT, US, ...): guests' local phone numbers are read "
        "as numbers of this country.",
    )
    default_check_in = models.TimeField(default=time(15, 0))
    default_check_out = models.TimeField(default=time(11, 0))

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Unit(models.Model):
    """A room of a hotel, or a whole rental home."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="unit_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.property} · {self.name}"


class DriverAccount(HasIssues):
    """Where an owner's devices are found: a simulated hub, a Seam workspace, ..."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="driver_accounts")
    driver = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    # The driver's name for the account (the simulated hub's owner, a Seam workspace id).
    account_ref = models.CharField(max_length=200)
    # What the driver needs to connect (API keys): write-only, never shown again once saved.
    credentials = models.JSONField(default=dict, blank=True)
    discovery_minutes = models.PositiveIntegerField(default=5)
    last_discovered_at = models.DateTimeField(null=True, blank=True)
    next_discovery_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "driver", "account_ref"], name="driver_account_unique"
            )
        ]
        indexes = [models.Index(fields=["next_discovery_at"], name="account_due_discovery")]

    def __str__(self) -> str:
        return self.name


class DiscoveredDevice(models.Model):
    """A device an account can see: registered as a lock, waiting in the inbox, or ignored."""

    class Status(models.TextChoices):
        NEW = "new", "New: waiting for a decision"
        REGISTERED = "registered", "A lock here"
        IGNORED = "ignored", "Ignored"
        RETIRED = "retired", "Replaced by another device"
        GONE = "gone", "No longer seen"

    account = models.ForeignKey(DriverAccount, on_delete=models.CASCADE, related_name="devices")
    device_id = models.CharField(max_length=100)
    name = models.CharField(max_length=200, blank=True)
    model_name = models.CharField(max_length=100, blank=True)
    capabilities = models.JSONField(default=list, blank=True)
    online = models.BooleanField(default=True)
    battery_level = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.NEW)
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-first_seen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "device_id"], name="discovered_device_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.device_id

    @property
    def takes_codes(self) -> bool:
        return "access_code" in self.capabilities


def new_device_id() -> str:
    return str(uuid.uuid4())


class Lock(HasIssues):
    """One door. Its reported fields are what its driver last said about the device."""

    # The door's id in the API (`device_id`): it stays when a reset device is replaced.
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="locks")
    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="locks")
    unit = models.ForeignKey(
        Unit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="locks",
        help_text="The room this door belongs to; empty for a door the whole property shares.",
    )
    name = models.CharField(max_length=200)
    location = models.CharField(max_length=200, blank=True)
    driver = models.CharField(max_length=40)
    account = models.ForeignKey(
        DriverAccount, on_delete=models.SET_NULL, null=True, blank=True, related_name="locks"
    )
    # The driver's id for the device now behind this door.
    device_id = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    # Reported by the driver.
    model_name = models.CharField(max_length=100, blank=True)
    online = models.BooleanField(default=True)
    battery_level = models.FloatField(null=True, blank=True)
    supported_code_lengths = models.JSONField(default=list, blank=True)
    code_constraints = models.JSONField(default=list, blank=True)
    max_active_codes = models.PositiveIntegerField(null=True, blank=True)
    supports_native_scheduling = models.BooleanField(default=False)
    # Backup codes kept ready on this lock (the owner's size unless set here).
    backup_pool_enabled = models.BooleanField(default=False)
    backup_pool_size = models.PositiveSmallIntegerField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)

    # Scheduling: the earliest time this lock needs the reconciler, and who holds it now.
    next_check_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.UUIDField(null=True, blank=True)
    # Bumped by every change to the desired state, so a reconcile that started earlier knows
    # it must run again.
    desired_version = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["property__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "driver", "device_id"], name="lock_device_unique"
            )
        ]
        indexes = [
            # The tick's one query: locks that are due.
            models.Index(fields=["next_check_at"], name="lock_due_tick"),
        ]

    def __str__(self) -> str:
        return self.name

    @builtins.property  # the field `property` hides the builtin here
    def door_kind(self) -> str:
        return f"Room door · {self.unit.name}" if self.unit_id else "Shared door"

    @builtins.property
    def battery_percent(self) -> int | None:
        return None if self.battery_level is None else round(self.battery_level * 100)

    @builtins.property
    def battery_low(self) -> bool:
        """Below the owner's level, as the alerts and events judge it (load `owner` with it)."""
        return self.battery_below(self.owner.low_battery_percent)

    def battery_below(self, percent: int) -> bool:
        return self.battery_level is not None and self.battery_level * 100 < percent

    def backup_pool_target(self, owner: Owner) -> int:
        if not self.backup_pool_enabled:
            return 0
        return owner.backup_pool_size if self.backup_pool_size is None else self.backup_pool_size

    def program_lead(self, owner: Owner) -> timedelta:
        if self.supports_native_scheduling:
            return timedelta(hours=owner.native_schedule_lead_hours)
        return timedelta(minutes=owner.program_lead_minutes)


class AccessCode(HasIssues):
    class Type(models.TextChoices):
        ONGOING = "ongoing", "Ongoing"
        TIME_BOUND = "time_bound", "Time-bound"

    class Kind(models.TextChoices):
        GUEST = "guest", "Guest"
        BACKUP = "backup", "Backup"
        STAFF = "staff", "Staff"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        UNSET = "unset", "Not on the lock yet"
        SETTING = "setting", "Being programmed"
        SET = "set", "On the lock"
        REMOVING = "removing", "Being removed"
        REMOVED = "removed", "Removed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="access_codes")
    lock = models.ForeignKey(Lock, on_delete=models.CASCADE, related_name="access_codes")
    name = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=12)
    type = models.CharField(max_length=20, choices=Type.choices, default=Type.ONGOING)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    is_managed = models.BooleanField(default=True)
    is_external_modification_allowed = models.BooleanField(default=False)
    common_code_key = models.CharField(max_length=100, blank=True)
    # A backup kept in the lock's pool (False for one a manager generated by hand).
    is_pool_backup = models.BooleanField(default=False)
    # A backup handed out: when, and (on the code it stands in for) which backup.
    pulled_at = models.DateTimeField(null=True, blank=True)
    pulled_backup = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="pulled_for"
    )
    # The stay this guest code is for; a reservation's codes share one PIN across its doors.
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_codes",
    )

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.UNSET)
    is_scheduled_on_device = models.BooleanField(default=False)
    # The driver's handle for the code on the lock (a slot number, a cloud id).
    device_ref = models.CharField(max_length=100, blank=True)
    # After a PIN change: the old PIN's reference, which the reconciler removes from the lock.
    stale_device_ref = models.CharField(max_length=100, blank=True)

    # Desired-state lifecycle: a person (or the API) asked for removal at this time.
    deleted_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    # The escalation clock: since when the lock has disagreed with this code.
    out_of_sync_since = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(type="ongoing", starts_at__isnull=True, ends_at__isnull=True)
                    | Q(
                        type="time_bound",
                        starts_at__isnull=False,
                        ends_at__isnull=False,
                        ends_at__gt=models.F("starts_at"),
                    )
                ),
                name="access_code_window_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["lock", "status"],
                condition=Q(removed_at__isnull=True),
                name="access_code_live_by_lock",
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"Code {self.id}"

    @property
    def is_live(self) -> bool:
        return self.removed_at is None

    def program_at(self, lead: timedelta) -> datetime | None:
        """When this code must be on the lock; None for ongoing codes (always)."""
        if self.type == self.Type.ONGOING:
            return None
        return self.starts_at - lead

    def wanted_on_lock(self, now: datetime, lead: timedelta) -> bool:
        """Whether the desired state says the PIN belongs on the lock at `now`."""
        if not self.is_managed or self.deleted_at is not None or self.removed_at is not None:
            return False
        if self.type == self.Type.ONGOING:
            return True
        return self.starts_at - lead <= now < self.ends_at

    def is_over(self, now: datetime) -> bool:
        return self.deleted_at is not None or (
            self.type == self.Type.TIME_BOUND and now >= self.ends_at
        )

    @property
    def is_hidden_backup(self) -> bool:
        """A backup not handed out yet: nobody sees its PIN but a manager who reveals it."""
        return self.kind == self.Kind.BACKUP and self.pulled_at is None

    def masked_code(self) -> str:
        return "•" * len(self.code)


def _add_issue(issues: list, key: str, code: str, message: str, now: datetime, extra: dict) -> bool:
    for issue in issues:
        if issue[key] == code:
            issue["message"] = message
            issue.update(extra)
            return False
    issues.append({key: code, "message": message, "created_at": now.isoformat(), **extra})
    return True


class RetiredPin(models.Model):
    """A PIN replaced on a lock (a code's PIN changed): kept out of reuse like a removed code's."""

    lock = models.ForeignKey(Lock, on_delete=models.CASCADE, related_name="retired_pins")
    code = models.CharField(max_length=12)
    retired_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["lock", "retired_at"], name="retired_pin_lock_time")]

    def __str__(self) -> str:
        return f"PIN retired from {self.lock} at {self.retired_at:%Y-%m-%d}"


class Event(models.Model):
    """What happened, in Seam's event vocabulary: the history of codes and devices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=80)
    lock = models.ForeignKey(
        Lock, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    access_code = models.ForeignKey(
        AccessCode, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    occurred_at = models.DateTimeField()
    message = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["owner", "occurred_at"], name="event_owner_time")]

    def __str__(self) -> str:
        return self.event_type


class AlertNotice(models.Model):
    """An urgent alert already emailed: it is not sent again until it has cleared."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="alert_notices")
    # The alert's identity (`locks.alerts.Alert.key`): its kind, lock, stay and device.
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="alert_notice_unique")]

    def __str__(self) -> str:
        return self.title


class ActionAttempt(models.Model):
    """One write a person or program asked for, as Seam reports it."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCESS = "success"
        ERROR = "error"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="action_attempts")
    action_type = models.CharField(max_length=60)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    access_code = models.ForeignKey(
        AccessCode, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lock = models.ForeignKey(Lock, on_delete=models.SET_NULL, null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.action_type} ({self.status})"


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


class SimulatedDevice(models.Model):
    """The hardware of a simulated lock: what the `simulated` driver reads and writes.

    Our own tables (Lock, AccessCode) never look here; only the driver does, as it would
    talk to a real lock over the air.
    """

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="simulated_devices")
    device_id = models.CharField(max_length=100, unique=True, default=new_device_id)
    name = models.CharField(max_length=200)
    model_name = models.CharField(max_length=100, default="Simulated keypad lock")
    online = models.BooleanField(default=True)
    battery_level = models.FloatField(default=0.9)
    supported_code_lengths = models.JSONField(default=list, blank=True)
    code_constraints = models.JSONField(default=list, blank=True)
    max_active_codes = models.PositiveIntegerField(default=20)
    supports_native_scheduling = models.BooleanField(default=False)
    latency_ms = models.PositiveIntegerField(default=0)
    # A device without a keypad (a bolt-only lock, a sensor) cannot hold access codes.
    has_keypad = models.BooleanField(default=True)
    refuse_writes_until = models.DateTimeField(null=True, blank=True)
    # A factory-reset device is gone; its successor answers under a new device id.
    wiped = models.BooleanField(default=False)
    writes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} ({self.device_id})"


class SimulatedCode(models.Model):
    """A PIN stored in a simulated lock's memory."""

    device = models.ForeignKey(SimulatedDevice, on_delete=models.CASCADE, related_name="codes")
    slot = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=12)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot"]
        constraints = [
            models.UniqueConstraint(fields=["device", "slot"], name="simulated_code_slot_unique")
        ]

    def __str__(self) -> str:
        return f"Slot {self.slot} of {self.device}"
