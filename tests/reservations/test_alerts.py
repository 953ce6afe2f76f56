"""The Alerts a person sees: what is wrong, with which door, before whose arrival, what to do."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from locks import access_codes, devices, simulator
from locks.models import SimulatedDevice
from locks.tenancy import services as tenancy
from reservations.alerts import open_alerts
from tests import factories
from tests.backups.lockside import run
from tests.reservations.front_desk import book


def kinds(owner, now):
    return [(a.kind, a.severity, a.lock.name if a.lock else None) for a in open_alerts(owner, now)]


def test_nothing_wrong_means_no_alerts(owner, lock, t0):
    book(owner, lock.unit, t0, check_in=t0 + timedelta(hours=5))
    run(t0)
    assert open_alerts(owner, t0) == []


def test_an_offline_door_before_an_arrival_is_red_and_first(owner, hotel, room, lock, t0):
    quiet = factories.simulated_lock(
        owner=owner,
        property=hotel,
        unit=factories.UnitFactory(property=hotel),
        name="Attic",
        now=t0,
    )
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=6), guest_name="Ana Lima")
    simulator.simulated_set_online(lock=quiet, online=False, now=t0)
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)

    first, second = open_alerts(owner, t0 + timedelta(minutes=5))
    assert (first.kind, first.severity, first.lock, first.reservation) == (
        "offline_before_arrival",
        "red",
        lock,
        stay,
    )
    assert first.title.startswith("Room 101 door is offline: Ana Lima arrives Mon 1 Jun")
    assert first.title.endswith("; their code cannot be set")
    assert "code is not on it yet" in first.detail
    assert "batteries" in first.action
    assert (second.kind, second.severity, second.lock) == ("offline", "amber", quiet)
    assert second.reservation is None


def test_a_shared_door_is_red_for_any_arrival_at_the_property(owner, hotel, room, t0):
    entrance = factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=t0)
    book(owner, room, t0, check_in=t0 + timedelta(hours=20))
    simulator.simulated_set_online(lock=entrance, online=False, now=t0)
    run(t0)
    assert kinds(owner, t0) == [("offline_before_arrival", "red", "Street door")]
    # An arrival more than a day away does not make it urgent yet.
    assert kinds(owner, t0 - timedelta(hours=5)) == [("offline", "amber", "Street door")]


def test_a_door_that_already_holds_the_guests_code_says_so(owner, hotel, room, t0):
    door = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101 door", now=t0, model="scheduling"
    )
    book(owner, room, t0, check_in=t0 + timedelta(hours=10))
    run(t0)
    simulator.simulated_set_online(lock=door, online=False, now=t0 + timedelta(hours=1))
    run(t0 + timedelta(hours=1))
    (alert,) = open_alerts(owner, t0 + timedelta(hours=1))
    assert alert.kind == "offline_before_arrival"
    assert alert.title.endswith("; their code is on the lock")
    assert "already stored on the lock, so the keypad should still open" in alert.detail


def test_a_low_battery_is_an_amber_alert_at_the_owners_level(owner, lock, t0):
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    device.battery_level = 0.25
    device.save()
    run(t0 + timedelta(minutes=16))
    assert open_alerts(owner, t0 + timedelta(minutes=16)) == []

    tenancy.owner_settings_update(owner=owner, low_battery_percent=30)
    (alert,) = open_alerts(owner, t0 + timedelta(minutes=16))
    assert (alert.kind, alert.severity, alert.lock) == ("low_battery", "amber", lock)
    assert alert.title == "Room 101 door's battery is low (25%)"
    assert "below the 30% alert level" in alert.detail
    assert alert.action == "Replace the batteries soon."


def test_a_guest_code_that_cannot_be_set_before_arrival_is_red(owner, room, lock, t0):
    tenancy.owner_settings_update(owner=owner, delay_warning_minutes=5, failure_error_minutes=10)
    simulator.simulated_refuse_writes(lock=lock, until=t0 + timedelta(days=2), now=t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), guest_name="Ana Lima")
    run(t0 + timedelta(minutes=90))
    run(t0 + timedelta(minutes=101))

    (alert,) = open_alerts(owner, t0 + timedelta(minutes=101))
    assert (alert.kind, alert.severity, alert.reservation) == ("code_failing", "red", stay)
    assert alert.title == (
        "1 code could not be put on Room 101 door: Ana Lima arrives Mon 1 Jun, 15:00 WEST"
    )
    assert "Ana Lima arrives Mon 1 Jun, 15:00 WEST and needs this door" in alert.detail
    assert alert.action.startswith("Give Ana Lima a backup code")
    assert stay.pin not in alert.title + alert.detail + alert.action


def test_a_failing_code_of_nobody_arriving_is_amber(owner, lock, t0):
    tenancy.owner_settings_update(owner=owner, delay_warning_minutes=5, failure_error_minutes=10)
    simulator.simulated_refuse_writes(lock=lock, until=t0 + timedelta(days=2), now=t0)
    access_codes.access_code_create(lock=lock, now=t0, name="Cleaner")
    run(t0)
    run(t0 + timedelta(minutes=11))
    assert kinds(owner, t0 + timedelta(minutes=11)) == [("code_failing", "amber", "Room 101 door")]


def test_a_reset_lock_shows_its_device_gone_and_the_new_one_waiting(owner, lock, t0):
    hub = simulator.simulated_hub(owner)
    simulator.simulated_factory_reset(lock=lock, now=t0)
    run(t0)
    devices.account_discover(account=hub, now=t0 + timedelta(minutes=5))

    alerts = open_alerts(owner, t0 + timedelta(minutes=5))
    assert [(a.kind, a.lock) for a in alerts] == [
        ("device_removed", lock),
        ("replacement_waiting", lock),
    ]
    gone, waiting = alerts
    assert "New devices" in gone.action
    assert waiting.title == "A new device appeared: was a lock reset?"
    assert "Room 101 door stopped answering around then" in waiting.detail
    assert waiting.device.status == "new"

    devices.lock_replace_device(
        owner=owner, lock=lock, device=waiting.device, now=t0 + timedelta(minutes=6)
    )
    run(t0 + timedelta(minutes=6))
    assert open_alerts(owner, t0 + timedelta(minutes=6)) == []


def test_a_gone_device_before_an_arrival_names_the_guest_and_the_arrival(owner, room, lock, t0):
    book(owner, room, t0, check_in=t0 + timedelta(hours=6), guest_name="Ana Costa")
    simulator.simulated_factory_reset(lock=lock, now=t0)
    run(t0)
    gone = next(a for a in open_alerts(owner, t0) if a.kind == "device_removed")
    assert gone.severity == "red"
    assert gone.title == (
        "Room 101 door's device is gone: Ana Costa arrives Mon 1 Jun, 19:00 WEST; "
        "their code cannot be set"
    )


def test_a_low_battery_before_an_arrival_names_the_guest_and_the_arrival(owner, room, lock, t0):
    tenancy.owner_settings_update(owner=owner, low_battery_percent=30)
    book(owner, room, t0, check_in=t0 + timedelta(hours=6), guest_name="Ana Costa")
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    device.battery_level = 0.25
    device.save()
    run(t0 + timedelta(minutes=16))
    (alert,) = open_alerts(owner, t0 + timedelta(minutes=16))
    assert alert.kind == "low_battery"
    assert alert.title == (
        "Room 101 door's battery is low (25%): Ana Costa arrives Mon 1 Jun, 19:00 WEST"
    )


def test_a_device_without_a_keypad_is_shown_as_such(owner, lock, t0):
    simulator.simulated_device_create(owner=owner, name="Garage sensor", has_keypad=False)
    devices.account_discover(account=simulator.simulated_hub(owner), now=t0)
    (alert,) = open_alerts(owner, t0)
    assert alert.title == "A new device appeared; it cannot hold access codes"
    assert alert.lock is None


def test_another_owners_problems_are_not_shown(owner, lock, other_lock, other_owner, t0):
    simulator.simulated_set_online(lock=other_lock, online=False, now=t0)
    run(t0)
    assert open_alerts(owner, t0) == []
    assert kinds(other_owner, t0) == [("offline", "amber", "Hilltop front door")]


def _broken_locks(owner, hotel, t0, count):
    for n in range(count):
        unit = factories.UnitFactory(property=hotel)
        door = factories.simulated_lock(
            owner=owner, property=hotel, unit=unit, name=f"Door {n}", now=t0
        )
        book(owner, unit, t0, check_in=t0 + timedelta(hours=3 + n % 5))
        simulator.simulated_set_online(lock=door, online=n % 2 == 0, now=t0)
        device = SimulatedDevice.objects.get(device_id=door.device_id)
        device.battery_level = 0.1
        device.save()
        simulator.simulated_device_create(owner=owner, name=f"Spare {n}")
    run(t0)
    devices.account_discover(account=simulator.simulated_hub(owner), now=t0)


def test_the_alerts_cost_the_same_queries_for_2_or_20_locks(owner, other_owner, t0):
    small = factories.PropertyFactory(owner=owner, name="Small")
    _broken_locks(owner, small, t0, 2)
    large = factories.PropertyFactory(owner=other_owner, name="Large")
    _broken_locks(other_owner, large, t0, 20)

    with CaptureQueriesContext(connection) as few:
        assert len(open_alerts(owner, t0)) == 2 * 2
    with CaptureQueriesContext(connection) as many:
        assert len(open_alerts(other_owner, t0)) == 20 * 2
    assert len(many) == len(few)
