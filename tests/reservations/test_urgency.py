"""The nav's badge counts the red alerts from kept spans of time: it agrees with the Alerts page
as time passes and as stays and locks change, and costs one query."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from locks import simulator
from locks.tenancy import services as tenancy
from reservations.alerts import RED, open_alerts
from reservations.stays import reservation_cancel
from reservations.urgency import urgent_count
from tests import factories
from tests.backups.lockside import run
from tests.reservations.front_desk import book


def red_on_the_page(owner, at) -> int:
    return sum(alert.severity == RED for alert in open_alerts(owner, at))


def assert_badge(owner, at, expected: int) -> None:
    assert urgent_count(owner, at) == red_on_the_page(owner, at) == expected


def test_an_offline_door_turns_red_a_day_before_the_arrival_with_no_pass(owner, room, lock, t0):
    book(owner, room, t0, check_in=t0 + timedelta(hours=30))
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)

    assert_badge(owner, t0, 0)
    assert_badge(owner, t0 + timedelta(hours=7), 1)
    assert_badge(owner, t0 + timedelta(hours=30, minutes=1), 0)


def test_a_booking_at_an_offline_door_counts_at_once_and_a_cancellation_clears_it(
    owner, room, lock, t0
):
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    assert_badge(owner, t0, 0)

    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=4))
    assert_badge(owner, t0, 1)
    reservation_cancel(reservation=stay, now=t0)
    assert_badge(owner, t0, 0)


def test_a_shared_door_counts_once_for_many_arrivals(owner, hotel, room, t0):
    entrance = factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=t0)
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    book(owner, room, t0, check_in=t0 + timedelta(hours=3))
    book(owner, other_room, t0, check_in=t0 + timedelta(hours=20), guest_name="Bo Chen")
    simulator.simulated_set_online(lock=entrance, online=False, now=t0)
    run(t0)

    assert_badge(owner, t0, 1)
    # Between the two arrivals the door still threatens the second one.
    assert_badge(owner, t0 + timedelta(hours=5), 1)


def test_a_door_back_online_clears_the_badge_after_its_pass(owner, room, lock, t0):
    book(owner, room, t0, check_in=t0 + timedelta(hours=4))
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    assert_badge(owner, t0, 1)

    simulator.simulated_set_online(lock=lock, online=True, now=t0 + timedelta(minutes=20))
    run(t0 + timedelta(minutes=20))
    assert_badge(owner, t0 + timedelta(minutes=20), 0)


def test_a_guest_code_the_lock_refuses_is_red_until_the_stay_ends(owner, room, lock, t0):
    tenancy.owner_settings_update(owner=owner, delay_warning_minutes=5, failure_error_minutes=10)
    simulator.simulated_refuse_writes(lock=lock, until=t0 + timedelta(days=5), now=t0)
    book(owner, room, t0, check_in=t0 + timedelta(hours=2), nights=1)
    run(t0 + timedelta(minutes=90))
    at = t0 + timedelta(minutes=101)
    run(at)

    assert_badge(owner, at, 1)
    assert_badge(owner, t0 + timedelta(hours=20), 1)
    # A day after check-in the stay is over (buffers aside): nobody is at the door.
    assert urgent_count(owner, t0 + timedelta(hours=27)) == 0


def test_another_owners_red_alerts_are_not_counted(owner, other_owner, other_lock, t0):
    unit = factories.UnitFactory(property=other_lock.property, name="Loft")
    book(other_owner, unit, t0, check_in=t0 + timedelta(hours=2))
    simulator.simulated_set_online(lock=other_lock, online=False, now=t0)
    run(t0)
    assert urgent_count(other_owner, t0) == 1
    assert urgent_count(owner, t0) == 0


def test_the_badge_is_one_query_for_any_number_of_locks(owner, hotel, t0):
    for n in range(12):
        unit = factories.UnitFactory(property=hotel)
        door = factories.simulated_lock(owner=owner, property=hotel, unit=unit, now=t0)
        book(owner, unit, t0, check_in=t0 + timedelta(hours=3 + n))
        simulator.simulated_set_online(lock=door, online=False, now=t0)
    run(t0)
    with CaptureQueriesContext(connection) as queries:
        assert urgent_count(owner, t0) == 12
    assert len(queries) == 1
