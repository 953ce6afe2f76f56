"""Changes follow the guest: dates, room, cancellation, early check-out, a leaked PIN."""

from datetime import timedelta

import pytest

from locks.access_codes import access_code_create
from locks.errors import ServiceError
from locks.scheduler import run_due_locks
from reservations.guest_codes import reservation_new_pin
from reservations.stays import (
    reservation_cancel,
    reservation_check_out_early,
    reservation_update,
)
from tests import factories
from tests.backups.lockside import pins_on_lock as pins_on
from tests.reservations.stays import CHECK_IN, CHECK_OUT, book, opens

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


@pytest.fixture
def stay(owner, room, lock, entrance, t0):
    return book(owner, room, t0)


@pytest.fixture
def suite(owner, hotel, t0):
    """Another room of the hotel, with its own door."""
    unit = factories.UnitFactory(property=hotel, name="Suite 301")
    factories.simulated_lock(owner=owner, property=hotel, unit=unit, name="Suite door", now=t0)
    return unit


def test_an_early_arrival_opens_the_door_earlier_with_the_same_pin(stay, lock, t0):
    pin = stay.pin
    reservation_update(reservation=stay, now=t0, check_in=CHECK_IN - 3 * HOUR)
    assert stay.pin == pin
    assert opens(lock, pin, CHECK_IN - 3 * HOUR)


def test_an_extension_keeps_the_door_open_until_the_new_check_out(stay, lock, entrance, t0):
    pin = stay.pin
    reservation_update(reservation=stay, now=t0, check_out=CHECK_OUT + timedelta(days=2))
    assert stay.pin == pin
    assert opens(lock, pin, CHECK_OUT + MINUTE)
    assert opens(entrance, pin, CHECK_OUT + timedelta(days=2) - MINUTE)
    assert not opens(lock, pin, CHECK_OUT + timedelta(days=2))


def test_an_extension_during_the_stay_keeps_the_guest_in(stay, lock, t0):
    pin = stay.pin
    assert opens(lock, pin, CHECK_IN + HOUR)
    reservation_update(reservation=stay, now=CHECK_IN + HOUR, check_out=CHECK_OUT + 5 * HOUR)
    assert opens(lock, pin, CHECK_OUT + 4 * HOUR)
    assert not opens(lock, pin, CHECK_OUT + 5 * HOUR)


def test_a_shortened_stay_closes_the_door_at_the_new_check_out(stay, lock, entrance, t0):
    pin = stay.pin
    new_out = CHECK_OUT - timedelta(days=1)
    reservation_update(reservation=stay, now=t0, check_out=new_out)
    assert opens(lock, pin, new_out - MINUTE)
    assert not opens(lock, pin, new_out)
    assert not opens(entrance, pin, new_out)


def test_a_new_room_moves_the_code_and_keeps_the_pin(stay, lock, entrance, suite, t0):
    pin = stay.pin
    reservation_update(reservation=stay, now=t0, unit=suite)
    suite_door = suite.locks.get()
    assert stay.pin == pin
    assert not opens(lock, pin, CHECK_IN)
    assert pin not in pins_on(lock)
    assert opens(suite_door, pin, CHECK_IN)
    assert opens(entrance, pin, CHECK_IN)


def test_a_new_room_whose_door_cannot_take_the_pin_gets_a_new_pin_on_every_door(
    owner, hotel, stay, lock, entrance, t0
):
    old_pin = stay.pin
    tower = factories.UnitFactory(property=hotel, name="Tower room")
    strict = factories.simulated_lock(
        owner=owner, property=hotel, unit=tower, name="Tower door", model="strict", now=t0
    )
    reservation_update(reservation=stay, now=t0, unit=tower)
    assert len(stay.pin) == 6
    assert "PIN changed" in stay.pin_note
    assert opens(strict, stay.pin, CHECK_IN)
    assert opens(entrance, stay.pin, CHECK_IN)
    assert not opens(entrance, old_pin, CHECK_IN)
    assert not opens(lock, old_pin, CHECK_IN)
    assert stay.events.filter(event_type="reservation.pin_replaced").exists()


def test_a_move_to_a_room_without_a_lock_takes_the_code_off_the_old_doors(
    owner, stay, lock, entrance, t0
):
    other_house = factories.PropertyFactory(owner=owner, name="Beach House")
    bare = factories.UnitFactory(property=other_house, name="Whole house")
    assert opens(lock, stay.pin, CHECK_IN)
    reservation_update(reservation=stay, now=CHECK_IN, unit=bare)
    assert not opens(lock, stay.pin, CHECK_IN + MINUTE)
    assert not opens(entrance, stay.pin, CHECK_IN + MINUTE)


def test_cancelling_takes_the_code_off_every_door(stay, lock, entrance, t0):
    run_due_locks(now=CHECK_IN)
    assert stay.pin in pins_on(lock) and stay.pin in pins_on(entrance)
    reservation_cancel(reservation=stay, now=CHECK_IN + MINUTE)
    run_due_locks(now=CHECK_IN + MINUTE)
    assert stay.pin not in pins_on(lock)
    assert stay.pin not in pins_on(entrance)
    assert set(stay.access_codes.values_list("status", flat=True)) == {"removed"}


def test_an_early_check_out_stops_the_keypad_opening_now(stay, lock, entrance, t0):
    leaving = CHECK_IN + timedelta(days=1)
    assert opens(lock, stay.pin, leaving)
    reservation_check_out_early(reservation=stay, now=leaving)
    assert not opens(lock, stay.pin, leaving)
    assert not opens(entrance, stay.pin, leaving)
    assert stay.events.filter(event_type="reservation.checked_out").exists()


def test_an_early_check_out_before_the_guest_arrived_is_refused(stay, t0):
    with pytest.raises(ServiceError, match="change the dates instead"):
        reservation_check_out_early(reservation=stay, now=t0)


def test_a_new_pin_replaces_the_leaked_one_on_every_door(stay, lock, entrance, t0):
    during = CHECK_IN + HOUR
    leaked = stay.pin
    assert opens(lock, leaked, during) and opens(entrance, leaked, during)
    reservation_new_pin(reservation=stay, now=during)
    assert stay.pin != leaked
    assert not opens(lock, leaked, during + MINUTE)
    assert not opens(entrance, leaked, during + MINUTE)
    assert opens(lock, stay.pin, during + MINUTE)
    assert opens(entrance, stay.pin, during + MINUTE)


def test_a_leaked_pin_is_not_given_out_again_on_its_doors(owner, stay, lock, t0):
    during = CHECK_IN + HOUR
    leaked = stay.pin
    reservation_new_pin(reservation=stay, now=during)
    run_due_locks(now=during)
    with pytest.raises(ServiceError, match="in the last 30 days"):
        access_code_create(lock=lock, now=during, name="Cleaner", code=leaked)


def test_a_new_pin_is_recorded_without_the_pin(stay, t0):
    reservation_new_pin(reservation=stay, now=t0)
    event = stay.events.get(event_type="reservation.pin_replaced")
    assert stay.pin not in str(event.data) and stay.pin not in event.message


def test_a_stay_keeps_its_pin_for_its_whole_length(stay, lock, entrance, t0):
    pin = stay.pin
    codes = set(stay.access_codes.values_list("pk", flat=True))
    moment = CHECK_IN
    while moment < CHECK_OUT:
        assert opens(lock, pin, moment)
        assert opens(entrance, pin, moment)
        moment += 6 * HOUR
    stay.refresh_from_db()
    assert stay.pin == pin
    assert set(stay.access_codes.values_list("pk", flat=True)) == codes
    assert set(stay.access_codes.values_list("code", flat=True)) == {pin}


def test_a_cancelled_stay_cannot_be_changed(stay, t0):
    reservation_cancel(reservation=stay, now=t0)
    with pytest.raises(ServiceError, match="cancelled"):
        reservation_update(reservation=stay, now=t0, guest_name="Ana Maria Lima")


def test_changing_only_the_guests_name_renames_the_codes_and_keeps_them(stay, lock, t0):
    codes = set(stay.access_codes.values_list("pk", flat=True))
    reservation_update(reservation=stay, now=t0, guest_name="Ana Maria Lima")
    assert set(stay.access_codes.values_list("pk", flat=True)) == codes
    assert {c.name for c in stay.access_codes.all()} == {"Ana Maria Lima, 3–5 Jun"}
