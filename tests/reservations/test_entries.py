"""Who came in: a stay's arrival from its doors' events, late entries, and lockouts caught."""

from datetime import timedelta

import pytest

from backups.services import backup_pool_enable, reservation_backups_give
from locks import simulator
from locks.models import Event
from reservations.models import EntryAlert, Reservation
from reservations.stays import reservation_check_out_early
from tests import factories
from tests.backups.lockside import run
from tests.reservations.front_desk import book

WRONG = "9876"


@pytest.fixture
def stay(owner, room, lock, t0):
    """Ana arrives in Room 101 tomorrow at 13:00 UTC; her code is on the door by then."""
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), phone="+351912345678")
    run(stay.check_in - timedelta(minutes=20))
    return stay


def type_pin(lock, pin, at):
    return simulator.simulated_keypad_entry(lock=lock, code=pin, now=at)[1]


def lockouts(stay):
    return list(EntryAlert.objects.filter(reservation=stay, kind=EntryAlert.Kind.LOCKOUT))


def test_the_guest_s_first_entry_is_their_arrival_and_later_ones_do_not_move_it(stay, lock):
    first = stay.check_in + timedelta(hours=6, minutes=52)

    entry = type_pin(lock, stay.pin, first)
    type_pin(lock, stay.pin, first + timedelta(hours=3))

    stay.refresh_from_db()
    assert entry.event_type == "lock.unlocked"
    assert entry.reservation_id == stay.pk and entry.access_code.reservation_id == stay.pk
    assert entry.data == {"method": "keycode", "is_backup": False}
    assert stay.arrived_at == first
    assert stay.first_entry_id == entry.pk and stay.first_entry.lock_id == lock.pk


def test_a_wrong_pin_is_no_arrival_and_the_feed_stores_each_event_once(owner, stay, lock):
    type_pin(lock, WRONG, stay.check_in)
    simulator.account_events_read(account=simulator.simulated_hub(owner), now=stay.check_in)

    stay.refresh_from_db()
    assert stay.arrived_at is None
    denied = Event.objects.filter(lock=lock, event_type="lock.access_denied")
    assert denied.count() == 1
    assert denied.get().access_code is None and denied.get().reservation is None


def test_three_wrong_pins_at_check_in_raise_one_lockout_and_text_one_backup(stay, lock):
    for minute in range(5):
        type_pin(lock, WRONG, stay.check_in + timedelta(minutes=minute))

    (alert,) = lockouts(stay)
    assert alert.lock == lock and alert.attempts == 3 and alert.cleared_at is None
    assert alert.last_attempt_at == stay.check_in + timedelta(minutes=2)
    # The door keeps no backup pool: nothing could be texted, and the alert says why.
    assert alert.help_given.startswith("No backup could be texted:")


def test_wrong_pins_spread_out_or_too_few_raise_nothing(stay, lock):
    type_pin(lock, WRONG, stay.check_in)
    type_pin(lock, WRONG, stay.check_in + timedelta(minutes=6))
    type_pin(lock, WRONG, stay.check_in + timedelta(minutes=12))  # the first is 12 min back

    assert lockouts(stay) == []


@pytest.mark.parametrize(
    "offset",
    [-timedelta(hours=2, minutes=30), timedelta(days=1, hours=2)],
    ids=["before-the-watch", "after-the-first-night"],
)
def test_wrong_pins_outside_the_check_in_watch_raise_nothing(stay, lock, offset):
    for minute in range(3):
        type_pin(lock, WRONG, stay.check_in + offset + timedelta(minutes=minute))

    assert lockouts(stay) == []


def test_the_watch_opens_the_owner_s_hours_before_check_in(owner, stay, lock):
    owner.lockout_hours_before = 3
    owner.save()
    for minute in range(3):
        type_pin(lock, WRONG, stay.check_in - timedelta(hours=2, minutes=30 - minute))

    assert len(lockouts(stay)) == 1


def test_no_lockout_once_the_guest_s_own_code_got_in(stay, lock):
    type_pin(lock, stay.pin, stay.check_in)
    for minute in range(1, 4):
        type_pin(lock, WRONG, stay.check_in + timedelta(minutes=minute))

    assert lockouts(stay) == []


def test_the_owner_s_attempts_and_minutes_are_the_rule(owner, stay, lock):
    owner.lockout_attempts, owner.lockout_within_minutes = 2, 30
    owner.save()
    type_pin(lock, WRONG, stay.check_in)
    type_pin(lock, WRONG, stay.check_in + timedelta(minutes=25))

    assert len(lockouts(stay)) == 1


def test_getting_in_clears_the_lockout(stay, lock):
    for minute in range(3):
        type_pin(lock, WRONG, stay.check_in + timedelta(minutes=minute))
    type_pin(lock, stay.pin, stay.check_in + timedelta(minutes=4))

    (alert,) = lockouts(stay)
    assert alert.cleared_at == stay.check_in + timedelta(minutes=4)


def test_a_shared_door_with_two_arrivals_alerts_both_and_texts_neither(owner, hotel, t0):
    room_a = factories.UnitFactory(property=hotel, name="Suite A")
    room_b = factories.UnitFactory(property=hotel, name="Suite B")
    door = factories.simulated_lock(owner=owner, property=hotel, name="Front door", now=t0)
    check_in = t0 + timedelta(days=1)
    ana = book(owner, room_a, t0, check_in=check_in, phone="+351912345678")
    ben = book(owner, room_b, t0, check_in=check_in, guest_name="Ben", phone="+351912345679")
    run(check_in - timedelta(minutes=20))

    for minute in range(3):
        type_pin(door, WRONG, check_in + timedelta(minutes=minute))

    alerts = EntryAlert.objects.filter(lock=door, kind=EntryAlert.Kind.LOCKOUT)
    assert {a.reservation_id for a in alerts} == {ana.pk, ben.pk}
    assert all(a.help_given.startswith("No backup was texted: several guests") for a in alerts)


def test_an_entry_with_a_stay_s_code_after_it_ended_is_a_late_entry(owner, stay, lock):
    # The door refuses to let the code go: it is still on the lock after the early check-out.
    simulator.simulated_refuse_writes(lock=lock, until=stay.check_out, now=stay.check_in)
    left = stay.check_in + timedelta(hours=20)
    reservation_check_out_early(reservation=stay, now=left)
    run(left + timedelta(minutes=1))

    late = type_pin(lock, stay.pin, left + timedelta(hours=2))

    assert late.event_type == "lock.unlocked" and late.reservation_id == stay.pk
    (alert,) = EntryAlert.objects.filter(reservation=stay, kind=EntryAlert.Kind.LATE_ENTRY)
    assert alert.event == late and alert.lock == lock and alert.cleared_at is None
    assert Reservation.objects.get(pk=stay.pk).arrived_at is None  # never came in during it


def test_a_backup_s_entry_is_an_arrival_too_and_says_it_was_a_backup(owner, stay, lock):
    backup_pool_enable(lock=lock, now=stay.check_in - timedelta(minutes=15))
    run(stay.check_in - timedelta(minutes=15))
    (door,) = reservation_backups_give(reservation=stay, now=stay.check_in)
    run(stay.check_in)

    entry = type_pin(lock, door.backup.code, stay.check_in + timedelta(minutes=1))

    assert entry.reservation_id == stay.pk and entry.data["is_backup"] is True
    assert Reservation.objects.get(pk=stay.pk).arrived_at == entry.occurred_at
