"""What locks tell us, written down: events, and the facts a device reports about itself."""

from datetime import datetime

from locks.issue_codes import DEVICE_REMOVED
from locks.models import AccessCode, Event, Lock, Owner
from locks.outgoing.fanout import events_insert


def event_record(
    *,
    owner: Owner,
    event_type: str,
    now: datetime,
    lock: Lock | None = None,
    access_code: AccessCode | None = None,
    reservation=None,
    message: str = "",
    driver_event_ref: str = "",
    **data,
) -> Event:
    fields = dict(
        driver_event_ref=driver_event_ref,
        owner=owner,
        event_type=event_type,
        lock=lock,
        access_code=access_code,
        reservation_id=reservation.pk
        if reservation
        else getattr(access_code, "reservation_id", None),
        occurred_at=now,
        message=message[:500],
        data=data,
    )
    [event] = events_insert(owner=owner, insert=lambda: [Event.objects.create(**fields)])
    return event


def lock_event_record(*, lock: Lock, event_type: str, now: datetime, **fields) -> Event:
    """An event about a lock itself (online, battery, device, its backup pool)."""
    return event_record(owner=lock.owner, event_type=event_type, now=now, lock=lock, **fields)


DEVICE_GONE_MESSAGE = "Its hub no longer lists this lock's device (removed or factory reset)."


def lock_device_missing(*, lock: Lock, now: datetime) -> None:
    """Its hub stopped listing the lock's device (discovery found it gone, or the hub said so):
    the door is silent from now, and what its codes are is unknown until a device answers for
    it again (a pass that reads the device clears this). The codes' own status is left as the
    lock last confirmed it: nothing was confirmed since."""
    new = lock.add_error(DEVICE_REMOVED, DEVICE_GONE_MESSAGE, now)
    lock.online = False
    Lock.objects.filter(pk=lock.pk).update(online=False, errors=lock.errors)
    if new:
        lock_event_record(
            lock=lock, event_type="device.removed", now=now, message=DEVICE_GONE_MESSAGE
        )


def code_event_record(*, code: AccessCode, event_type: str, now: datetime, **fields) -> Event:
    """An event about one code, on its lock (and its stay's, if it has one)."""
    return event_record(
        owner=code.lock.owner,
        event_type=event_type,
        now=now,
        lock=code.lock,
        access_code=code,
        **fields,
    )


def lock_apply_device_info(*, lock: Lock, info, now: datetime) -> None:
    lock.model_name = info.model_name
    lock.online = info.online
    lock.battery_level = info.battery_level
    lock.supported_code_lengths = info.supported_code_lengths
    lock.code_constraints = info.code_constraints
    lock.max_active_codes = info.max_active_codes
    lock.supports_native_scheduling = info.supports_native_scheduling
    lock.locked = info.locked
    lock.can_remotely_unlock = info.can_remotely_unlock
    lock.can_remotely_lock = info.can_remotely_lock
    lock.last_read_at = now
