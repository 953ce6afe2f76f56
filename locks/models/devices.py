"""Locks and the devices behind them: driver accounts, discovered devices, simulated hardware."""

import builtins
import uuid
from datetime import timedelta

from django.db import models
from django.db.models import Q

from locks.crypto import (
    EncryptedCharField,
    EncryptedJSONField,
    HashedSecrets,
    SecretHashField,
)
from locks.issue_codes import DEVICE_REMOVED
from locks.models.issues import HasIssues
from locks.models.places import Property, Unit
from locks.models.tenancy import Owner
from locks.photos import photo_upload_to, validate_photo


class DriverAccount(HasIssues):
    """Where an owner's devices are found: a simulated hub, a Seam workspace, ..."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="driver_accounts")
    driver = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    # The driver's name for the account (the simulated hub's owner, a Seam workspace id).
    account_ref = models.CharField(max_length=200)
    # What the driver needs to connect (API keys): write-only, never shown again once saved.
    # Encrypted at rest (locks/crypto.py).
    credentials = EncryptedJSONField(default=dict, blank=True)
    discovery_minutes = models.PositiveIntegerField(default=5)
    last_discovered_at = models.DateTimeField(null=True, blank=True)
    next_discovery_at = models.DateTimeField(null=True, blank=True)
    # Lock events: where the driver's event feed was read up to, and when to read it again.
    events_cursor = models.CharField(max_length=100, blank=True)
    next_events_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "driver", "account_ref"], name="driver_account_unique"
            )
        ]
        indexes = [
            models.Index(fields=["next_discovery_at"], name="account_due_discovery"),
            models.Index(fields=["next_events_at"], name="account_due_events"),
        ]

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
        indexes = [
            # The Devices page's lists, in the order they are shown.
            models.Index(
                fields=["account", "status", "online", "battery_level", "name"],
                name="device_by_status_troubled",
            ),
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
    # What the guest's page says at this door (`messaging.guest_page`), and a private photo.
    arrival_instructions = models.TextField(blank=True)
    arrival_photo = models.FileField(
        upload_to=photo_upload_to, blank=True, validators=[validate_photo]
    )
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
    # The bolt as last reported (None: the lock does not say), and what it can be told remotely.
    locked = models.BooleanField(null=True, blank=True)
    can_remotely_unlock = models.BooleanField(default=False)
    can_remotely_lock = models.BooleanField(default=False)
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
    # Until when a queued task is expected to take the lock: the every-minute tick does not
    # queue it again meanwhile (a full pass in this process, `manage.py tick`, ignores this).
    queued_until = models.DateTimeField(null=True, blank=True)
    # How long its last pass took: slow locks are kept to half of the workers.
    last_pass_seconds = models.FloatField(default=0)
    # Bumped by every change to the desired state, so a reconcile that started earlier knows
    # it must run again.
    desired_version = models.PositiveBigIntegerField(default=0)
    # The API's `custom_metadata`: a caller's own key/values (strings or booleans), as on Seam.
    custom_metadata = models.JSONField(default=dict, blank=True)

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
            # The Locks page's line per property counts from this index alone.
            models.Index(
                fields=["owner", "property", "online", "battery_level"],
                name="lock_glance_by_property",
            ),
            # The Devices page's replacements are ranked from the silent locks alone.
            models.Index(
                fields=["owner"],
                condition=Q(online=False) | ~Q(errors=[]),
                name="lock_silent_by_owner",
            ),
            # Alerts' low batteries.
            models.Index(fields=["owner", "battery_level"], name="lock_battery_by_owner"),
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

    @builtins.property
    def device_missing(self) -> bool:
        """Its hub no longer lists its device (removed or factory reset): what is on the door
        is unknown until a device answers for it again."""
        return self.has_error(DEVICE_REMOVED)

    def backup_pool_target(self, owner: Owner) -> int:
        if not self.backup_pool_enabled:
            return 0
        return owner.backup_pool_size if self.backup_pool_size is None else self.backup_pool_size

    def program_lead(self, owner: Owner, code=None) -> timedelta:
        """How long before it starts a time-bound code goes on this lock (for `code`, if given:
        one that prefers no native schedule goes on just in time)."""
        if self.supports_native_scheduling and (code is None or code.prefer_native_scheduling):
            return timedelta(hours=owner.native_schedule_lead_hours)
        return timedelta(minutes=owner.program_lead_minutes)


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
    # The bolt, and whether the lock can be told to turn it over the air.
    locked = models.BooleanField(default=True)
    remote_unlock = models.BooleanField(default=True)
    refuse_writes_until = models.DateTimeField(null=True, blank=True)
    # A factory-reset device is gone; its successor answers under a new device id.
    wiped = models.BooleanField(default=False)
    writes = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} ({self.device_id})"


class SimulatedCode(HashedSecrets):
    """A PIN stored in a simulated lock's memory."""

    device = models.ForeignKey(SimulatedDevice, on_delete=models.CASCADE, related_name="codes")
    slot = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    # The lock's memory is in the database too: encrypted like the codes it mirrors.
    code = EncryptedCharField(max_length=12, hash_field="code_hash")
    code_hash = SecretHashField()
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["slot"]
        constraints = [
            models.UniqueConstraint(fields=["device", "slot"], name="simulated_code_slot_unique")
        ]
        indexes = [models.Index(fields=["device", "code_hash"], name="simulated_code_by_pin")]

    def __str__(self) -> str:
        return f"Slot {self.slot} of {self.device}"


class SimulatedEvent(models.Model):
    """What a simulated lock logs at its door (its hub's event feed, which the driver reads)."""

    device = models.ForeignKey(SimulatedDevice, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=40)
    method = models.CharField(max_length=20)
    # The slot of the code typed (a denied attempt names none).
    slot = models.PositiveIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.event_type} at {self.device}"
