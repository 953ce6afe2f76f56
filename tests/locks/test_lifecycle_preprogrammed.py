"""Locks that hold schedules get the guest's code days ahead, so a lost network is survivable."""

from datetime import timedelta

from locks import simulator
from locks.models import AccessCode
from tests import factories
from tests.backups.lockside import opens, pins_on_lock, run
from tests.reservations.front_desk import book


def test_a_preprogrammed_code_opens_an_offline_lock_during_the_stay_and_not_after(
    owner, hotel, room, t0
):
    door = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101 door", now=t0, model="scheduling"
    )
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=5), nights=2)
    run(t0)
    assert stay.pin not in pins_on_lock(door)  # more than 72 hours ahead

    run(stay.check_in - timedelta(hours=72))
    code = AccessCode.objects.get(reservation=stay, lock=door)
    assert (code.status, code.is_scheduled_on_device) == ("unset", True)
    assert not opens(door, stay.pin, stay.check_in - timedelta(minutes=1))

    # The lock loses its network two days before the guest comes, and never gets it back.
    simulator.simulated_set_online(lock=door, online=False, now=stay.check_in - timedelta(days=2))
    run(stay.check_in - timedelta(days=2))
    door.refresh_from_db()
    assert not door.online

    assert opens(door, stay.pin, stay.check_in)
    assert opens(door, stay.pin, stay.check_out - timedelta(minutes=1))
    run(stay.check_out)  # the code cannot be taken off an offline lock ...
    assert stay.pin in pins_on_lock(door)
    code.refresh_from_db()
    assert code.status != "removed"  # it is still in the lock's memory
    assert not opens(door, stay.pin, stay.check_out)  # ... but its own schedule has ended
    assert not opens(door, stay.pin, stay.check_out + timedelta(days=1))


def test_a_plain_keypad_lock_gets_the_code_only_shortly_before(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=5))
    run(stay.check_in - timedelta(hours=72))
    assert stay.pin not in pins_on_lock(lock)
    run(stay.check_in - timedelta(minutes=30))
    assert opens(lock, stay.pin, stay.check_in)
