"""Owners and their people, properties, locks, access codes and their history.

An AccessCode row is the *desired state* of one PIN on one lock; what the lock's driver
reports is the *observed state*; `locks.reconcile` makes the two agree.
"""

from locks.models.audit import AuditEntry
from locks.models.codes import AccessCode, ActionAttempt, RetiredPin
from locks.models.devices import (
    DiscoveredDevice,
    DriverAccount,
    Lock,
    SimulatedCode,
    SimulatedDevice,
    SimulatedEvent,
    new_device_id,
)
from locks.models.events import AlertNotice, Event
from locks.models.issues import HasIssues
from locks.models.outgoing import WebhookDelivery, WebhookEndpoint
from locks.models.places import Property, Unit, validate_time_zone
from locks.models.tenancy import (
    LOW_BATTERY_PERCENT,
    ApiKey,
    AttemptWindow,
    Invite,
    Membership,
    Owner,
    hash_api_key,
)

__all__ = [
    "HasIssues",
    "LOW_BATTERY_PERCENT",
    "Owner",
    "Membership",
    "hash_api_key",
    "ApiKey",
    "AttemptWindow",
    "Invite",
    "validate_time_zone",
    "Property",
    "Unit",
    "DriverAccount",
    "DiscoveredDevice",
    "new_device_id",
    "Lock",
    "SimulatedDevice",
    "SimulatedCode",
    "SimulatedEvent",
    "AccessCode",
    "RetiredPin",
    "ActionAttempt",
    "Event",
    "AlertNotice",
    "WebhookEndpoint",
    "WebhookDelivery",
    "AuditEntry",
]
