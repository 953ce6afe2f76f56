"""What the state machine (stays.py) found: each minimal example, kept as a regular test.

A guest already told their PIN keeps it through moves and door changes; the stay's own codes,
whatever their state, never count as a collision for its PIN, and a door never holds the PIN
twice.
"""

from datetime import timedelta

import pytest

from locks.models import AccessCode, ActionAttempt
from locks.services import lock_update
from locks.simulator import simulated_refuse_writes, simulated_set_online
from reservations.stays import reservation_check_out_early, reservation_update
from tests import factories
from tests.backups import lockside
from tests.backups.lockside import device, run
from tests.reservations.stays import CHECK_IN, book, opens

HOUR = timedelta(hours=1)


@pytest.fixture
def suite(owner, hotel, t0):
    unit = factories.UnitFactory(property=hotel, name="Suite 301")
    factories.simulated_lock(owner=owner, property=hotel, unit=unit, name="Suite door", now=t0)
    return unit


def guest_codes(lock, stay):
    return AccessCode.objects.filter(lock=lock, reservation=stay, kind="guest")


def test_a_stay_moved_to_another_room_and_back_keeps_its_pin(owner, room, lock, suite, t0):
    # Found as: book in Apartment 3, move to Apartment 1, move back (its old code on
    # Apartment 3's door, removed, held the PIN in quarantine against its own stay).
    stay = book(owner, room, t0)
    pin = stay.pin
    reservation_update(reservation=stay, now=t0, unit=suite)
    run(t0)
    assert pin not in set(device(lock).codes.values_list("code", flat=True))
    reservation_update(reservation=stay, now=t0 + HOUR, unit=room)
    assert (stay.pin, stay.pin_note) == (pin, "")
    assert opens(lock, pin, CHECK_IN)
    assert not stay.events.filter(event_type="reservation.pin_replaced").exists()


def test_moving_back_while_the_old_code_is_still_on_the_door_reuses_its_place(
    owner, room, lock, suite, t0
):
    # The room's door is offline, so the code of the stay's first move is still on it when the
    # stay comes back: the new code takes its place, and the lock never holds the PIN twice.
    stay = book(owner, room, CHECK_IN - HOUR)
    run(CHECK_IN)
    assert opens(lock, stay.pin, CHECK_IN)
    pin = stay.pin
    simulated_set_online(lock=lock, online=False, now=CHECK_IN)
    reservation_update(reservation=stay, now=CHECK_IN, unit=suite)
    reservation_update(reservation=stay, now=CHECK_IN + HOUR, unit=room)
    assert stay.pin == pin
    (earlier, wanted) = guest_codes(lock, stay).order_by("created_at")
    assert earlier.status == "removed" and wanted.status == "set"
    # Whoever asked for the earlier code's deletion is told it is done.
    attempts = ActionAttempt.objects.filter(access_code=earlier)
    assert set(attempts.values_list("action_type", "status")) == {
        ("CREATE_ACCESS_CODE", "success"),
        ("DELETE_ACCESS_CODE", "success"),
    }
    simulated_set_online(lock=lock, online=True, now=CHECK_IN + 2 * HOUR)
    assert opens(lock, pin, CHECK_IN + 2 * HOUR)
    assert list(device(lock).codes.filter(code=pin).values_list("code", flat=True)) == [pin]
    assert guest_codes(lock, stay).get(removed_at__isnull=True).status == "set"


def test_an_early_check_out_right_after_an_extension_closes_the_shared_door_at_once(
    owner, hotel, room, lock, t0
):
    # Found as: extend an in-house stay, then check it out early within the minute: the
    # building door (which holds the code's schedule) confirmed the new window but kept the
    # write's one-minute back-off, which held the removal; the guest's PIN opened it a minute
    # after check-out.
    entrance = factories.simulated_lock(
        owner=owner, property=hotel, name="Building door", model="scheduling", now=t0
    )
    stay = book(owner, room, t0)
    run(CHECK_IN + HOUR)
    reservation_update(reservation=stay, now=CHECK_IN + HOUR, check_out=stay.check_out + HOUR)
    run(CHECK_IN + HOUR)
    reservation_check_out_early(reservation=stay, now=CHECK_IN + HOUR)
    run(CHECK_IN + HOUR)
    assert not lockside.opens(entrance, stay.pin, CHECK_IN + HOUR)
    assert not lockside.opens(lock, stay.pin, CHECK_IN + HOUR)


def test_a_shared_door_given_to_one_room_and_shared_again_keeps_every_pin(
    owner, hotel, room, lock, t0
):
    # The issue's own case ("that PIN is already in use on Canal building door"): the building
    # door was given to one apartment by mistake and made shared again while it refused
    # writes, so the codes of the other apartments' stays were still on it, being removed.
    entrance = factories.simulated_lock(
        owner=owner, property=hotel, name="Building door", model="scheduling", now=t0
    )
    other = factories.UnitFactory(property=hotel, name="Room 102")
    stay = book(owner, room, CHECK_IN - HOUR)
    run(CHECK_IN)
    pin = stay.pin
    simulated_refuse_writes(lock=entrance, until=CHECK_IN + 3 * HOUR, now=CHECK_IN)
    lock_update(lock=entrance, name=entrance.name, location="", unit=other, now=CHECK_IN)
    lock_update(lock=entrance, name=entrance.name, location="", unit=None, now=CHECK_IN + HOUR)
    reservation_update(reservation=stay, now=CHECK_IN + HOUR, check_out=stay.check_out + HOUR)
    assert (stay.pin, stay.pin_note) == (pin, "")
    run(CHECK_IN + 3 * HOUR)
    assert lockside.opens(entrance, pin, CHECK_IN + 3 * HOUR)
    assert list(device(entrance).codes.values_list("code", flat=True)).count(pin) == 1
