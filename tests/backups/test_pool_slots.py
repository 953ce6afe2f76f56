"""The pool and a lock's slot limit: guest codes come first, and a short pool says why."""

from datetime import timedelta

import pytest

from backups.selectors import backups_for_lock
from backups.services import backup_pool_enable, backup_pool_health
from locks.models import AccessCode
from locks.simulator import simulated_add_unmanaged_code, simulated_refuse_writes
from reservations.models import Reservation
from tests import factories
from tests.backups.lockside import (
    lock_warnings,
    opens,
    pins_on_lock,
    pool,
    ready,
    run,
    run_through,
    warning_message,
    writes,
)
from tests.reservations.front_desk import book

SLOTS = 6


@pytest.fixture
def entrance(owner, hotel, t0):
    """The hotel's street door, shared by every room's guests: six slots, pool on and full."""
    door = factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", now=t0, max_active_codes=SLOTS
    )
    backup_pool_enable(lock=door, now=t0)
    run(t0)
    return door


@pytest.fixture
def room_102(hotel):
    return factories.UnitFactory(property=hotel, name="Room 102")


def guest_code(stay: Reservation, door) -> AccessCode:
    return AccessCode.objects.get(reservation=stay, lock=door, kind=AccessCode.Kind.GUEST)


def test_a_guest_code_due_on_a_full_lock_takes_a_backups_slot(owner, room, room_102, entrance, t0):
    first = book(owner, room, t0, check_in=t0 + timedelta(hours=1), nights=3)
    second = book(owner, room_102, t0, check_in=t0 + timedelta(hours=6), nights=1)
    on_lock_counts = []

    run_through(
        t0,
        t0 + timedelta(hours=6),
        step=timedelta(minutes=5),
        each=lambda at: on_lock_counts.append(len(pins_on_lock(entrance))),
    )

    assert max(on_lock_counts) <= SLOTS
    for stay in (first, second):
        assert guest_code(stay, entrance).status == AccessCode.Status.SET
        assert opens(entrance, stay.pin, stay.check_in)
    assert len(ready(entrance)) == SLOTS - 2
    assert "partial_backup_access_code_pool" in lock_warnings(entrance)
    message = warning_message(entrance, "partial_backup_access_code_pool")
    assert "4 of 5" in message and "slot" in message
    assert "max_access_codes_reached" not in lock_warnings(entrance)


def test_the_pool_refills_when_the_guests_leave(owner, room, entrance, t0):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=1), nights=1)
    extra = book(
        owner,
        factories.UnitFactory(property=room.property),
        t0,
        check_in=t0 + timedelta(hours=1),
        nights=1,
    )
    run_through(t0, t0 + timedelta(hours=2), step=timedelta(minutes=5))
    assert len(ready(entrance)) == SLOTS - 2

    run_through(stay.check_out, stay.check_out + timedelta(minutes=40), step=timedelta(minutes=5))

    assert not {stay.pin, extra.pin} & pins_on_lock(entrance)
    assert len(ready(entrance)) == 5
    assert "partial_backup_access_code_pool" not in lock_warnings(entrance)


def test_a_pool_that_cannot_be_full_says_why(owner, hotel, entrance, t0):
    units = [factories.UnitFactory(property=hotel, name=f"Room {n}") for n in (201, 202, 203)]
    for unit in units:
        book(owner, unit, t0, check_in=t0 + timedelta(hours=1), nights=2)

    run_through(t0, t0 + timedelta(hours=1), step=timedelta(minutes=5))

    assert len(ready(entrance)) == 3
    assert len(pins_on_lock(entrance)) == SLOTS
    assert "3 of 5" in warning_message(entrance, "partial_backup_access_code_pool")


def test_a_guest_waiting_for_a_slot_while_the_lock_refuses_writes_costs_one_backup(
    owner, room, room_102, entrance, t0
):
    book(owner, room, t0, check_in=t0 + timedelta(hours=1), nights=3)
    second = book(owner, room_102, t0, check_in=t0 + timedelta(hours=6), nights=1)
    run_through(t0, t0 + timedelta(hours=5), step=timedelta(minutes=5))
    simulated_refuse_writes(lock=entrance, until=t0 + timedelta(hours=9), now=t0)
    before = writes(entrance)
    sizes = []

    run_through(
        t0 + timedelta(hours=5),
        t0 + timedelta(hours=10),
        each=lambda at: sizes.append(pool(entrance).count()),
    )

    assert min(sizes) == SLOTS - 2, "the pool gives the waiting guest one slot, not all of them"
    assert guest_code(second, entrance).status == AccessCode.Status.SET
    assert opens(entrance, second.pin, second.check_in + timedelta(hours=4))
    assert len(ready(entrance)) == SLOTS - 2
    # Writes while refused follow the reconciler's back-off (at most every 30 minutes per code).
    assert writes(entrance) - before <= 30


def test_the_lock_page_counts_the_pools_room_as_the_pass_does(owner, hotel, room, entrance, t0):
    """The lock page reads the pool's health without loading every code of a shared door: it
    counts the others in the database, and takes the backups it lists. At each step it agrees
    with the health the pass works out from the codes it loaded."""
    units = [factories.UnitFactory(property=hotel, name=f"Room {n}") for n in (201, 202, 203)]
    for n, unit in enumerate(units, start=1):
        book(owner, unit, t0, check_in=t0 + timedelta(hours=n), nights=1)
    simulated_add_unmanaged_code(lock=entrance, code="4862", name="Cleaner", now=t0)
    seen = set()
    # Between the arrivals: each guest's code is due 30 minutes before they come.
    for minutes in (0, 45, 105, 165, 30 * 60):
        now = t0 + timedelta(minutes=minutes)
        run_through(now, now + timedelta(minutes=10), step=timedelta(minutes=5))
        entrance.refresh_from_db()
        live = list(AccessCode.objects.filter(lock=entrance, removed_at__isnull=True))
        counted = backup_pool_health(lock=entrance, now=now)
        assert counted == backup_pool_health(lock=entrance, now=now, codes=live)
        # The page's own list of the lock's backups will do for the pool's part.
        shown = backups_for_lock(entrance)
        assert counted == backup_pool_health(lock=entrance, now=now, backups=shown)
        seen.add(counted.room)
    assert len(seen) > 1, "the room changed as the guests came and went"
