"""The models of `locks` that people change, and which of their fields the audit log follows.

`reservations` and `messaging` register their own (`reservations/audit_tracked.py`,
`messaging/audit_tracked.py`) in their `AppConfig.ready()`.
"""

from locks.audit.capture import UTC, audit_register
from locks.models import (
    AccessCode,
    ApiKey,
    DriverAccount,
    Invite,
    Lock,
    Membership,
    Owner,
    Property,
    Unit,
    WebhookEndpoint,
)
from locks.services import PROPERTY_FIELDS
from locks.tenancy.services import OWNER_SETTINGS


def _code_label(code: AccessCode) -> str:
    return f"{code.name or 'unnamed code'} on {code.lock.name}"


def _code_recorded_elsewhere(code: AccessCode) -> bool:
    """A stay's guest code changes with its stay (the stay's entry says so); the pool's backups
    are the engine's."""
    if code.kind == AccessCode.Kind.GUEST and code.reservation_id is not None:
        return True
    return code.is_pool_backup and code.pulled_at is None


def locks_tracked() -> None:
    audit_register(
        Owner,
        kind="owner",
        noun="settings of",
        fields=("name", *OWNER_SETTINGS),
        owner=lambda owner: owner.pk,
        label=lambda owner: owner.name,
    )
    audit_register(
        Property,
        kind="property",
        noun="property",
        fields=PROPERTY_FIELDS,
        label=lambda prop: prop.name,
        time_zone=lambda prop: prop.tz,
        names={
            "default_check_in": "usual check-in",
            "default_check_out": "usual check-out",
            "arrival_instructions": "arrival instructions",
            "arrival_photo": "arrival photo",
        },
    )
    audit_register(
        Unit,
        kind="unit",
        noun="unit",
        fields=("name",),
        owner=lambda unit: unit.property.owner_id,
        time_zone=lambda unit: unit.property.tz,
    )
    audit_register(
        Lock,
        kind="lock",
        noun="door",
        fields=(
            "name",
            "location",
            "property",
            "unit",
            "device_id",
            "backup_pool_enabled",
            "backup_pool_size",
            "custom_metadata",
            "arrival_instructions",
            "arrival_photo",
        ),
        label=lambda lock: lock.name,
        time_zone=lambda lock: lock.property.tz,
        names={
            "location": "place",
            "backup_pool_size": "backup pool size",
            "arrival_instructions": "arrival instructions",
            "arrival_photo": "arrival photo",
        },
    )
    audit_register(
        AccessCode,
        kind="access_code",
        noun="code",
        fields=(
            "name",
            "code",
            "type",
            "starts_at",
            "ends_at",
            "kind",
            "is_managed",
            "is_external_modification_allowed",
            "prefer_native_scheduling",
        ),
        secret=("code",),
        names={
            "code": "PIN",
            "starts_at": "starts",
            "ends_at": "ends",
            "is_managed": "managed here",
            "is_external_modification_allowed": "changes at the lock allowed",
        },
        label=_code_label,
        time_zone=lambda code: code.lock.property.tz,
        action=lambda changes: "new_pin" if set(changes) == {"code"} else None,
        skip=_code_recorded_elsewhere,
    )
    audit_register(
        Membership,
        kind="membership",
        noun="member",
        fields=("role",),
        label=lambda membership: membership.user.get_username(),
    )
    audit_register(
        ApiKey,
        kind="api_key",
        noun="API key",
        fields=("name", "key_hash", "revoked_at"),
        secret=("key_hash",),
        names={"key_hash": "key", "revoked_at": "revoked"},
        time_zone=lambda key: UTC,
    )
    audit_register(
        WebhookEndpoint,
        kind="webhook",
        noun="webhook",
        # The URL's path or query may carry the receiver's own token: never written.
        fields=("url", "event_types", "secret"),
        secret=("url", "secret"),
        names={"url": "URL", "event_types": "events"},
    )
    audit_register(
        DriverAccount,
        kind="driver_account",
        noun="lock account",
        fields=("name", "credentials"),
        secret=("credentials",),
    )
    audit_register(
        Invite,
        kind="invite",
        noun="invite of",
        fields=("email", "role"),
        label=lambda invite: invite.email,
        names={"email": "email"},
    )
