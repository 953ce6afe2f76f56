"""What the backup tests look at: the simulated lock's memory and keypad, and passes over time."""

from datetime import datetime, timedelta

import pytest

from locks import scheduler
from locks.access_codes import access_code_create
from locks.drivers.simulated import keypad_entry
from locks.models import AccessCode, Lock, SimulatedDevice

# Passes at one instant before a lock must have settled; more means the pool and the reconciler
# keep undoing each other's work.
SETTLE_ROUNDS = 5


def device(lock: Lock) -> SimulatedDevice:
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def pins_on_lock(lock: Lock) -> set[str]:
    return set(device(lock).codes.values_list("code", flat=True))


def opens(lock: Lock, pin: str, at: datetime) -> bool:
    return keypad_entry(device(lock), pin, at) is not None


def writes(lock: Lock) -> int:
    return device(lock).writes


def pool(lock: Lock):
    """The lock's pool: unpulled pool backups that are still wanted."""
    return AccessCode.objects.filter(
        lock=lock,
        kind=AccessCode.Kind.BACKUP,
        is_pool_backup=True,
        pulled_at__isnull=True,
        deleted_at__isnull=True,
        removed_at__isnull=True,
    )


def ready(lock: Lock) -> list[AccessCode]:
    """Pool backups a clerk could be given now: on the lock, without errors."""
    return [c for c in pool(lock) if c.status == AccessCode.Status.SET and not c.errors]


def lock_errors(lock: Lock) -> set[str]:
    lock.refresh_from_db()
    return {e["error_code"] for e in lock.errors}


def lock_warnings(lock: Lock) -> set[str]:
    lock.refresh_from_db()
    return {w["warning_code"] for w in lock.warnings}


def warning_message(lock: Lock, warning_code: str) -> str:
    lock.refresh_from_db()
    return next(w["message"] for w in lock.warnings if w["warning_code"] == warning_code)


def run(now: datetime) -> int:
    """Every pass due at `now`, as the scheduler's tick would run them; fails if none settles."""
    done = 0
    for _ in range(SETTLE_ROUNDS):
        ids = scheduler.due_lock_ids(now=now)
        if not ids:
            return done
        for lock_id in ids:
            token = scheduler.lock_claim(lock_id=lock_id, now=now)
            if token is not None:
                scheduler.lock_run_claimed(lock_id=lock_id, token=token, now=now)
                done += 1
    pytest.fail(f"locks still due after {SETTLE_ROUNDS} passes at {now}: they never settle")


def run_through(start: datetime, end: datetime, step=timedelta(minutes=1), each=None) -> None:
    """Passes minute by minute (or `step`) from `start` to `end`; `each(at)` after each step."""
    at = start
    while at <= end:
        run(at)
        if each is not None:
            each(at)
        at += step


def stay_codes(lock: Lock, t0: datetime, count: int) -> list[AccessCode]:
    """`count` guests' time-bound codes on the door, as stays give them: from an hour on, for
    two days."""
    return [
        access_code_create(
            lock=lock,
            now=t0,
            name=f"Guest {n}",
            starts_at=t0 + timedelta(hours=1),
            ends_at=t0 + timedelta(days=2),
        )[0]
        for n in range(count)
    ]
