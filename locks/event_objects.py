"""An event as Seam's API shows it: the object `events/list` answers and a webhook carries."""

from datetime import UTC, datetime

from locks.drivers.base import LOCKED, UNLOCKED
from locks.models import Event


def timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as the rest of the API writes times."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_object(event: Event) -> dict:
    """Seam's fields (its device and code by their public ids), then ours: the stay the event
    belongs to, and the facts it carries (battery level, unlock method) beside Seam's fields,
    never over them. Reads `event.lock` (and `event.access_code` for a door's turn): load them
    with the event."""
    data = {
        "event_id": str(event.id),
        "event_type": event.event_type,
        "occurred_at": timestamp(event.occurred_at),
        "created_at": timestamp(event.occurred_at),
        "device_id": str(event.lock.public_id) if event.lock_id else None,
        "access_code_id": str(event.access_code_id) if event.access_code_id else None,
        "message": event.message,
    }
    if event.reservation_id:
        data["reservation_id"] = str(event.reservation_id)
    if event.event_type in (UNLOCKED, LOCKED) and event.access_code_id:
        # Seam's word on a door opened with a code: one of ours, or one found on the lock.
        data["access_code_is_managed"] = event.access_code.is_managed
    return {**{k: v for k, v in event.data.items() if k not in data}, **data}
