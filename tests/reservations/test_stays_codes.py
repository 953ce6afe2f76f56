"""A stay's one PIN on every door its guest needs, for exactly its window."""

from datetime import timedelta

import pytest

from locks.scheduler import run_due_locks
from locks.services import lock_update
from tests import factories
from tests.backups.lockside import pins_on_lock as pins_on
from tests.reservations.stays import CHECK_IN, CHECK_OUT, book, opens

MINUTE = timedelta(minutes=1)


@pytest.fixture
def next_door(owner, hotel, t0):
    room = factories.UnitFactory(property=hotel, name="Room 102")
    return factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 102 door", now=t0
    )


def test_the_same_pin_goes_on_the_room_door_and_the_shared_entrance(
    owner, room, lock, entrance, t0
):
    stay = book(owner, room, t0)
    run_due_locks(now=CHECK_IN)
    assert stay.pin in pins_on(lock)
    assert stay.pin in pins_on(entrance)
    codes = stay.access_codes.all()
    assert {c.lock_id for c in codes} == {lock.pk, entrance.pk}
    assert {c.code for c in codes} == {stay.pin}
    assert {c.status for c in codes} == {"set"}


def test_another_rooms_door_never_gets_the_pin(owner, room, lock, entrance, next_door, t0):
    stay = book(owner, room, t0)
    run_due_locks(now=CHECK_IN)
    assert stay.pin not in pins_on(next_door)
    assert not opens(next_door, stay.pin, CHECK_IN + timedelta(hours=1))


def test_the_keypad_opens_from_check_in_to_check_out_and_not_after(owner, room, lock, t0):
    stay = book(owner, room, t0)
    assert not opens(lock, stay.pin, CHECK_IN - timedelta(days=1))
    assert opens(lock, stay.pin, CHECK_IN)
    assert opens(lock, stay.pin, CHECK_OUT - MINUTE)
    assert not opens(lock, stay.pin, CHECK_OUT)


def test_a_door_that_holds_a_schedule_opens_exactly_during_the_stay(owner, room, entrance, t0):
    stay = book(owner, room, t0)
    run_due_locks(now=t0)  # days ahead: the entrance holds the window itself
    assert stay.pin in pins_on(entrance)
    assert not opens(entrance, stay.pin, CHECK_IN - MINUTE)
    assert opens(entrance, stay.pin, CHECK_IN)
    assert opens(entrance, stay.pin, CHECK_OUT - MINUTE)
    assert not opens(entrance, stay.pin, CHECK_OUT)


def test_the_owners_buffers_widen_the_window_on_every_door(owner, room, lock, entrance, t0):
    owner.buffer_before_minutes, owner.buffer_after_minutes = 30, 60
    owner.save()
    stay = book(owner, room, t0)
    assert not opens(entrance, stay.pin, CHECK_IN - 31 * MINUTE)
    assert opens(entrance, stay.pin, CHECK_IN - 30 * MINUTE)
    assert opens(lock, stay.pin, CHECK_IN - 30 * MINUTE)
    assert opens(lock, stay.pin, CHECK_OUT + 59 * MINUTE)
    assert opens(entrance, stay.pin, CHECK_OUT + 59 * MINUTE)
    assert not opens(lock, stay.pin, CHECK_OUT + 60 * MINUTE)
    assert not opens(entrance, stay.pin, CHECK_OUT + 60 * MINUTE)


def test_a_stay_in_the_past_gets_no_codes(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 - timedelta(days=3), check_out=t0 - timedelta(days=1))
    assert not stay.access_codes.exists()
    run_due_locks(now=t0)
    assert pins_on(lock) == set()


def test_a_stay_ending_now_gets_no_codes(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 - timedelta(days=2), check_out=t0)
    assert not stay.access_codes.exists()


def test_a_stay_going_on_now_opens_the_door_at_once(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 - timedelta(days=1), check_out=t0 + timedelta(days=1))
    assert opens(lock, stay.pin, t0)


def test_a_lock_fitted_later_on_the_room_gets_the_codes_of_current_and_future_stays(
    owner, hotel, room, t0
):
    now_stay = book(owner, room, t0, check_in=t0 - timedelta(days=1), check_out=CHECK_IN)
    later = book(owner, room, t0, guest_name="Rui Sousa")
    door = factories.simulated_lock(owner=owner, property=hotel, unit=room, name="New", now=t0)
    now_stay.refresh_from_db()
    later.refresh_from_db()
    assert opens(door, now_stay.pin, t0)
    assert opens(door, later.pin, CHECK_IN)
    assert not opens(door, now_stay.pin, CHECK_IN)


def test_a_shared_door_fitted_later_gets_the_codes_of_every_rooms_stays(
    owner, hotel, room, lock, next_door, t0
):
    first = book(owner, room, t0)
    second = book(owner, next_door.unit, t0, guest_name="Rui Sousa")
    gate = factories.simulated_lock(owner=owner, property=hotel, name="Garden gate", now=t0)
    first.refresh_from_db()
    second.refresh_from_db()
    assert opens(gate, first.pin, CHECK_IN)
    assert opens(gate, second.pin, CHECK_IN)


def test_a_finished_stay_gets_nothing_on_a_lock_fitted_later(owner, hotel, room, t0):
    past = book(owner, room, t0, check_in=t0 - timedelta(days=3), check_out=t0 - timedelta(days=1))
    door = factories.simulated_lock(owner=owner, property=hotel, unit=room, name="New", now=t0)
    assert not past.access_codes.filter(lock=door).exists()


def test_moving_a_lock_to_another_room_moves_the_guests_access(
    owner, room, lock, next_door, entrance, t0
):
    here = book(owner, room, t0)
    there = book(owner, next_door.unit, t0, guest_name="Rui Sousa")
    assert opens(lock, here.pin, CHECK_IN)
    lock_update(lock=lock, name=lock.name, location="", unit=next_door.unit, now=CHECK_IN)
    assert not opens(lock, here.pin, CHECK_IN + MINUTE)
    assert opens(lock, there.pin, CHECK_IN + MINUTE)
    assert opens(entrance, here.pin, CHECK_IN + MINUTE)


def test_a_room_door_made_shared_opens_for_every_rooms_guests(owner, room, lock, next_door, t0):
    here = book(owner, room, t0)
    there = book(owner, next_door.unit, t0, guest_name="Rui Sousa")
    lock_update(lock=lock, name=lock.name, location="", unit=None, now=t0)
    assert opens(lock, here.pin, CHECK_IN)
    assert opens(lock, there.pin, CHECK_IN)


def test_a_shared_door_given_to_one_room_stops_opening_for_the_others(
    owner, room, lock, next_door, entrance, t0
):
    here = book(owner, room, t0)
    there = book(owner, next_door.unit, t0, guest_name="Rui Sousa")
    lock_update(lock=entrance, name=entrance.name, location="", unit=room, now=t0)
    assert opens(entrance, here.pin, CHECK_IN)
    assert not opens(entrance, there.pin, CHECK_IN)
    assert not there.access_codes.filter(lock=entrance, deleted_at__isnull=True).exists()
