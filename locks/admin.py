"""The support admin for owners, locks and codes: for looking things up, never for changing them.

Every write in Innkeeper goes through a service (which checks its rules, records its events and
tells the reconciler), and the admin calls none, so every model here is view-only.

No PIN or secret is shown: raw fields holding one are excluded from the forms, listed nowhere,
not searched and refused as URL filters (`?code=...` would let anyone guess a PIN digit by
digit); a masked stand-in says only whether one is set, and how long a PIN is.
"""

from urllib.parse import urlsplit

from django.contrib import admin

from locks import admin_two_factor  # noqa: F401 (two-factor devices, registered there)
from locks.admin_lookup import LookupAdmin, changelist_link, masked_pin
from locks.models import (
    AccessCode,
    ActionAttempt,
    AlertNotice,
    ApiKey,
    AttemptWindow,
    AuditEntry,
    DiscoveredDevice,
    DriverAccount,
    Event,
    Invite,
    Lock,
    Membership,
    Owner,
    Property,
    RetiredPin,
    SimulatedCode,
    SimulatedDevice,
    SimulatedEvent,
    Unit,
    WebhookDelivery,
    WebhookEndpoint,
)


@admin.register(Owner)
class OwnerAdmin(LookupAdmin):
    list_display = ("name", "slug", "guest_pin_source", "guest_pin_length", "created_at")
    search_fields = ("name", "slug", "alert_email")
    readonly_fields = ("created_at", "lock_list")
    date_hierarchy = "created_at"

    @admin.display(description="Locks")
    def lock_list(self, obj):
        return changelist_link(Lock, "This owner's locks", owner__id__exact=obj.pk)


@admin.register(Membership)
class MembershipAdmin(LookupAdmin):
    list_display = ("user", "owner", "role")
    list_filter = ("owner", "role")
    list_select_related = ("user", "owner")
    search_fields = ("user__username", "user__email", "user__last_name", "owner__name")
    raw_id_fields = ("user",)


@admin.register(Property)
class PropertyAdmin(LookupAdmin):
    list_display = ("name", "owner", "address", "time_zone", "country")
    list_filter = ("owner", "country")
    list_select_related = ("owner",)
    search_fields = ("name", "address", "owner__name")


@admin.register(Unit)
class UnitAdmin(LookupAdmin):
    list_display = ("name", "property", "owner")
    list_filter = (("property__owner", admin.RelatedFieldListFilter),)
    list_select_related = ("property__owner",)
    search_fields = ("name", "property__name")
    raw_id_fields = ("property",)

    @admin.display(description="Owner", ordering="property__owner__name")
    def owner(self, obj):
        return obj.property.owner


@admin.register(DriverAccount)
class DriverAccountAdmin(LookupAdmin):
    list_display = (
        "name",
        "owner",
        "driver",
        "account_ref",
        "credentials_state",
        "last_discovered_at",
        "next_discovery_at",
    )
    list_filter = ("owner", "driver")
    list_select_related = ("owner",)
    search_fields = ("name", "account_ref", "owner__name")
    # The API keys the driver connects with.
    exclude = ("credentials",)
    readonly_fields = ("credentials_state", "created_at")

    @admin.display(description="Credentials")
    def credentials_state(self, obj):
        """Which credentials are saved (their names), never their values."""
        return f"set: {', '.join(sorted(obj.credentials))}" if obj.credentials else "not set"


@admin.register(DiscoveredDevice)
class DiscoveredDeviceAdmin(LookupAdmin):
    list_display = (
        "__str__",
        "device_id",
        "account",
        "owner",
        "model_name",
        "status",
        "online",
        "battery_level",
        "last_seen_at",
    )
    list_filter = (("account__owner", admin.RelatedFieldListFilter), "status", "online")
    list_select_related = ("account__owner",)
    search_fields = ("name", "device_id", "model_name", "account__name")
    raw_id_fields = ("account",)
    date_hierarchy = "first_seen_at"

    @admin.display(description="Owner", ordering="account__owner__name")
    def owner(self, obj):
        return obj.account.owner


@admin.register(Lock)
class LockAdmin(LookupAdmin):
    list_display = (
        "name",
        "property",
        "unit",
        "owner",
        "driver",
        "device_id",
        "online",
        "battery",
        "last_read_at",
        "consecutive_failures",
    )
    list_filter = ("owner", "driver", "online", "backup_pool_enabled")
    list_select_related = ("owner", "property", "unit")
    search_fields = ("name", "device_id", "public_id__exact", "location", "property__name")
    raw_id_fields = ("property", "unit", "account")
    # The scheduler's lease: internal, and meaningless to a person.
    exclude = ("claim_token",)
    readonly_fields = ("public_id", "created_at", "codes")
    date_hierarchy = "created_at"

    @admin.display(description="Battery", ordering="battery_level")
    def battery(self, obj):
        return "–" if obj.battery_percent is None else f"{obj.battery_percent}%"

    @admin.display(description="Codes")
    def codes(self, obj):
        return changelist_link(AccessCode, "This lock's codes", lock__id__exact=obj.pk)


@admin.register(AccessCode)
class AccessCodeAdmin(LookupAdmin):
    """A code's desired state: only the reconciler and the services change it."""

    list_display = (
        "__str__",
        "lock",
        "owner",
        "kind",
        "type",
        "status",
        "pin",
        "starts_at",
        "ends_at",
        "is_managed",
    )
    list_filter = ("owner", "status", "kind", "type", "is_managed", "is_pool_backup")
    list_select_related = ("lock", "owner")
    search_fields = (
        "name",
        "id__exact",
        "device_ref",
        "lock__name",
        "lock__device_id",
        "reservation__guest_name",
        "reservation__external_id",
    )
    raw_id_fields = ("lock", "reservation", "pulled_backup")
    exclude = ("code", "code_hash")
    readonly_fields = ("id", "pin", "created_at", "updated_at")
    date_hierarchy = "created_at"

    @admin.display(description="PIN")
    def pin(self, obj):
        return masked_pin(obj.code)


@admin.register(RetiredPin)
class RetiredPinAdmin(LookupAdmin):
    list_display = ("__str__", "lock", "owner", "pin", "retired_at")
    list_filter = (("lock__owner", admin.RelatedFieldListFilter),)
    list_select_related = ("lock__owner",)
    search_fields = ("lock__name", "lock__device_id")
    raw_id_fields = ("lock",)
    exclude = ("code", "code_hash")
    readonly_fields = ("pin",)
    date_hierarchy = "retired_at"

    @admin.display(description="Owner", ordering="lock__owner__name")
    def owner(self, obj):
        return obj.lock.owner

    @admin.display(description="PIN")
    def pin(self, obj):
        return masked_pin(obj.code)


@admin.register(Event)
class EventAdmin(LookupAdmin):
    list_display = ("occurred_at", "event_type", "owner", "lock", "access_code", "message")
    list_filter = ("owner",)
    list_select_related = ("owner", "lock", "access_code")
    search_fields = (
        "event_type",
        "message",
        "lock__name",
        "lock__device_id",
        "access_code__name",
        "reservation__guest_name",
    )
    raw_id_fields = ("lock", "access_code", "reservation")
    readonly_fields = ("id",)
    date_hierarchy = "occurred_at"


@admin.register(AlertNotice)
class AlertNoticeAdmin(LookupAdmin):
    list_display = ("title", "owner", "key", "sent_at")
    list_filter = ("owner",)
    list_select_related = ("owner",)
    search_fields = ("title", "key")
    date_hierarchy = "sent_at"


@admin.register(ActionAttempt)
class ActionAttemptAdmin(LookupAdmin):
    list_display = (
        "action_type",
        "status",
        "owner",
        "lock",
        "access_code",
        "created_at",
        "finished_at",
    )
    list_filter = ("owner", "status")
    list_select_related = ("owner", "lock", "access_code")
    search_fields = ("action_type", "id__exact", "lock__name", "lock__device_id")
    raw_id_fields = ("lock", "access_code")
    readonly_fields = ("id", "created_at")
    date_hierarchy = "created_at"
    ordering = ("-created_at",)


@admin.register(ApiKey)
class ApiKeyAdmin(LookupAdmin):
    list_display = ("name", "owner", "hint", "created_by", "created_at", "last_used_at", "revoked")
    list_filter = ("owner", ("revoked_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner", "created_by")
    search_fields = ("name", "hint", "owner__name")
    raw_id_fields = ("created_by",)
    # A hash of the secret: useless to a person, and one step from checking a guessed key.
    exclude = ("key_hash",)
    readonly_fields = ("created_at",)
    date_hierarchy = "created_at"

    @admin.display(description="Revoked", boolean=True, ordering="revoked_at")
    def revoked(self, obj):
        return obj.revoked_at is not None


@admin.register(Invite)
class InviteAdmin(LookupAdmin):
    list_display = ("email", "owner", "role", "invited_by", "created_at", "expires_at", "state")
    list_filter = ("owner", "role", ("accepted_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner", "invited_by")
    search_fields = ("email", "owner__name")
    raw_id_fields = ("invited_by", "accepted_by")
    # The link's token, hashed: one step from a working link to check guesses against.
    exclude = ("token_hash",)
    date_hierarchy = "created_at"

    @admin.display(description="State")
    def state(self, obj):
        if obj.accepted_at:
            return "accepted"
        return "revoked" if obj.revoked_at else "open"


@admin.register(AttemptWindow)
class AttemptWindowAdmin(LookupAdmin):
    """Attempts counted per subject (locks.tenancy.attempt_limits): API requests without a valid
    key per address, keypad tries and PIN reveals per person (`user:<id>`) or API key
    (`key:<id>`)."""

    list_display = ("kind", "subject", "count", "window_start")
    list_filter = ("kind",)
    search_fields = ("subject",)
    ordering = ("-window_start",)


@admin.register(SimulatedDevice)
class SimulatedDeviceAdmin(LookupAdmin):
    list_display = (
        "name",
        "device_id",
        "owner",
        "online",
        "battery_level",
        "has_keypad",
        "wiped",
        "writes",
    )
    list_filter = ("owner", "online", "has_keypad", "wiped")
    list_select_related = ("owner",)
    search_fields = ("name", "device_id")


@admin.register(SimulatedCode)
class SimulatedCodeAdmin(LookupAdmin):
    """A PIN in a simulated lock's memory: the same PIN a real lock would hold."""

    list_display = ("__str__", "device", "owner", "name", "pin", "starts_at", "ends_at")
    list_filter = (("device__owner", admin.RelatedFieldListFilter),)
    list_select_related = ("device__owner",)
    search_fields = ("name", "device__name", "device__device_id")
    raw_id_fields = ("device",)
    exclude = ("code", "code_hash")
    readonly_fields = ("pin",)

    @admin.display(description="Owner", ordering="device__owner__name")
    def owner(self, obj):
        return obj.device.owner

    @admin.display(description="PIN")
    def pin(self, obj):
        return masked_pin(obj.code)


@admin.register(SimulatedEvent)
class SimulatedEventAdmin(LookupAdmin):
    """What a simulated lock logged at its door (a wrong PIN's digits are never logged)."""

    list_display = ("occurred_at", "event_type", "method", "device", "slot")
    list_filter = (("device__owner", admin.RelatedFieldListFilter), "event_type")
    list_select_related = ("device",)
    search_fields = ("device__name", "device__device_id")
    raw_id_fields = ("device",)
    date_hierarchy = "occurred_at"


def _host(url: str) -> str:
    """The host only: a webhook's path or query may carry the receiver's own token."""
    host = urlsplit(url).hostname
    return f"{host} (rest hidden)" if host else "not set"


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(LookupAdmin):
    list_display = ("address", "owner", "created_at", "failing_since", "disabled_at")
    list_filter = ("owner", ("disabled_at", admin.EmptyFieldListFilter))
    list_select_related = ("owner",)
    search_fields = ("owner__name", "id__exact")
    # The signing secret, and the full URL (see `_host`).
    exclude = ("secret", "url")
    readonly_fields = ("id", "address", "created_at")
    date_hierarchy = "created_at"

    @admin.display(description="Address")
    def address(self, obj):
        return _host(obj.url)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(LookupAdmin):
    list_display = (
        "event_type",
        "status",
        "owner",
        "attempts",
        "last_status_code",
        "occurred_at",
        "next_attempt_at",
    )
    list_filter = ("owner", "status")
    list_select_related = ("owner",)
    search_fields = ("event_type", "id__exact")
    raw_id_fields = ("endpoint", "event")
    readonly_fields = ("id", "created_at")
    date_hierarchy = "occurred_at"


@admin.register(AuditEntry)
class AuditEntryAdmin(LookupAdmin):
    """Who changed what (the managers' Settings → Audit log); its entries hold no secret."""

    list_display = ("at", "owner", "actor_label", "source", "action", "object_type", "object_label")
    list_filter = ("owner", "source", "action", "object_type")
    list_select_related = ("owner",)
    search_fields = ("actor_label", "object_label", "object_id")
    raw_id_fields = ("actor", "api_key")
    date_hierarchy = "at"
    ordering = ("-at", "-id")
