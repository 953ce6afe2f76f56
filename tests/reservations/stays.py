"""Helpers for the stays tests: the usual stay (Wed 3 to Fri 5 June, in Lisbon) and the keypad."""

from datetime import UTC, datetime

from locks.scheduler import run_due_locks
from reservations.stays import reservation_create
from tests.backups import lockside

CHECK_IN = datetime(2026, 6, 3, 14, 0, tzinfo=UTC)  # Wed 3 June, 15:00 in Lisbon
CHECK_OUT = datetime(2026, 6, 5, 10, 0, tzinfo=UTC)  # Fri 5 June, 11:00 in Lisbon


def book(owner, unit, now, **fields):
    """Ana Lima's stay from CHECK_IN to CHECK_OUT, unless `fields` say otherwise."""
    fields = {"guest_name": "Ana Lima", "check_in": CHECK_IN, "check_out": CHECK_OUT, **fields}
    return reservation_create(owner=owner, unit=unit, now=now, **fields)


def opens(lock, pin, at) -> bool:
    """Whether the PIN opens the door at `at`, once the passes due by then have run."""
    run_due_locks(now=at)
    return lockside.opens(lock, pin, at)
