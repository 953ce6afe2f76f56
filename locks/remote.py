"""Turning a door's bolt over the air: the last resort when a guest cannot get in.

Seam's `locks/unlock_door` and `locks/lock_door`, and the dashboard's *Unlock now*: an action
attempt, the driver's call, and an event saying who did it, when and why. The lock's own report
of the unlock, read later from its feed, is matched to that event (`door_events`), not stored
twice.
"""

from datetime import datetime

from django.db import transaction

from locks import hooks
from locks.drivers import DriverError, get_driver
from locks.drivers.base import LOCKED, REMOTE, UNLOCKED
from locks.errors import ServiceError
from locks.issue_codes import DEVICE_DISCONNECTED, PROVIDER_ISSUE
from locks.models import ActionAttempt, Event, Lock
from locks.records import event_record

UNLOCK_DOOR, LOCK_DOOR = "UNLOCK_DOOR", "LOCK_DOOR"
# The reasons the dashboard offers (a person may also type their own).
UNLOCK_REASONS = (
    "Guest locked out: their code does not work",
    "Guest's phone is dead or lost",
    "Staff or contractor visit",
    "Emergency",
)


CANNOT, OFFLINE = "cannot", "offline"


def turn_refusal(lock: Lock, *, unlock: bool = True, driver=None) -> str | None:
    """Why the door cannot be turned remotely now (CANNOT: the lock, or its driver, cannot do
    it; OFFLINE), or None; the dashboard words it on the button before anyone clicks."""
    can = lock.can_remotely_unlock if unlock else lock.can_remotely_lock
    if not can or (driver is not None and not hasattr(driver, "unlock" if unlock else "lock")):
        return CANNOT
    if not lock.online:
        return OFFLINE
    return None


def lock_turn(
    *,
    lock: Lock,
    unlock: bool,
    now: datetime,
    by: str = "",
    reason: str = "",
    reservation=None,
) -> tuple[ActionAttempt, Event | None]:
    """Unlock (or lock) the door now. Refused, with the reason, on a lock that is offline or
    cannot be told so remotely; a lock that fails to do it gives an attempt in error (and no
    event). `by`: who asked (a person's name, or the API key's); `reason`: why, in their words;
    `reservation`: the stay it was done for, if any."""
    credentials = lock.account.credentials if lock.account_id else {}
    driver = get_driver(lock.driver, now=now, **credentials)
    refusal = turn_refusal(lock, unlock=unlock, driver=driver)
    verb = "unlocked" if unlock else "locked"
    if refusal == CANNOT:
        raise ServiceError(
            f"{lock.name} cannot be {verb} remotely: the lock does not support it.",
            type="device_cannot_perform_requested_action",
            status=400,
        )
    if refusal == OFFLINE:
        raise ServiceError(
            f"{lock.name} is offline, so it cannot be {verb} remotely now. "
            "Someone has to go to the door.",
            type=DEVICE_DISCONNECTED,
            status=400,
        )
    attempt = ActionAttempt.objects.create(
        owner=lock.owner, action_type=UNLOCK_DOOR if unlock else LOCK_DOOR, lock=lock
    )
    try:
        getattr(driver, "unlock" if unlock else "lock")(lock.device_id)
    except DriverError as exc:
        attempt.status = ActionAttempt.Status.ERROR
        attempt.error = {"type": exc.error_code or PROVIDER_ISSUE, "message": exc.message}
        attempt.finished_at = now
        attempt.save(update_fields=["status", "error", "finished_at"])
        return attempt, None
    with transaction.atomic():
        attempt.status = ActionAttempt.Status.SUCCESS
        attempt.finished_at = now
        attempt.save(update_fields=["status", "finished_at"])
        lock.locked = not unlock
        Lock.objects.filter(pk=lock.pk).update(locked=lock.locked)
        event = event_record(
            owner=lock.owner,
            event_type=UNLOCKED if unlock else LOCKED,
            now=now,
            lock=lock,
            reservation=reservation,
            message=f"{'Unlocked' if unlock else 'Locked'} remotely by {by or 'someone'}"
            + (f": {reason}" if reason else ""),
            method=REMOTE,
            action_attempt_id=str(attempt.pk),
            by=by,
            reason=reason,
        )
    hooks.door_events_run(owner=lock.owner, events=[event], now=now)
    return attempt, event
