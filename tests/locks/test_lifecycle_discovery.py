"""Discovery: new devices land in the inbox, vanished ones are noticed, and a person decides."""

from datetime import timedelta

import pytest

from locks import devices, simulator
from locks.errors import ServiceError
from locks.models import DiscoveredDevice, Event, Lock, SimulatedDevice

Status = DiscoveredDevice.Status


@pytest.fixture
def hub(owner):
    return simulator.simulated_hub(owner)


def test_a_new_device_waits_in_the_inbox_and_registered_ones_do_not(owner, lock, hub, t0):
    simulator.simulated_device_create(owner=owner, name="Room 102 door", model="strict")
    devices.account_discover(account=hub, now=t0)

    (waiting,) = devices.inbox(owner)
    assert (waiting.name, waiting.model_name) == ("Room 102 door", "Simulated 6-slot lever lock")
    assert waiting.takes_codes
    registered = DiscoveredDevice.objects.get(device_id=lock.device_id)
    assert registered.status == Status.REGISTERED
    assert devices.replacement_suggestions(waiting) == []  # every lock answers


def test_registering_it_makes_a_door_with_its_history(owner, hotel, hub, t0):
    unit = hotel.units.create(name="Room 102")
    simulator.simulated_device_create(owner=owner, name="Lever 7", model="strict")
    devices.account_discover(account=hub, now=t0)
    (waiting,) = devices.inbox(owner)

    door = devices.device_register(
        owner=owner, device=waiting, property=hotel, unit=unit, name="Room 102 door", now=t0
    )
    assert (door.name, door.unit, door.max_active_codes) == ("Room 102 door", unit, 6)
    assert door.account == hub
    assert Event.objects.filter(lock=door, event_type="device.added").count() == 1
    assert devices.inbox(owner) == []
    devices.account_discover(account=hub, now=t0 + timedelta(minutes=5))
    assert devices.inbox(owner) == []
    with pytest.raises(ServiceError, match="already a lock here"):
        devices.device_register(owner=owner, device=waiting, property=hotel, now=t0)


def test_a_device_without_a_keypad_cannot_be_a_door(owner, hotel, hub, t0):
    simulator.simulated_device_create(owner=owner, name="Garage bolt", has_keypad=False)
    devices.account_discover(account=hub, now=t0)
    (waiting,) = devices.inbox(owner)
    assert not waiting.takes_codes

    with pytest.raises(ServiceError, match="cannot hold access codes"):
        devices.device_register(owner=owner, device=waiting, property=hotel, now=t0)
    assert not Lock.objects.filter(device_id=waiting.device_id).exists()
    assert devices.inbox(owner) == [waiting]


def test_a_vanished_lock_is_recorded_once_as_removed(owner, lock, hub, t0):
    devices.account_discover(account=hub, now=t0)
    SimulatedDevice.objects.filter(device_id=lock.device_id).delete()

    devices.account_discover(account=hub, now=t0 + timedelta(minutes=5))
    devices.account_discover(account=hub, now=t0 + timedelta(minutes=10))

    assert DiscoveredDevice.objects.get(device_id=lock.device_id).status == Status.GONE
    (removed,) = Event.objects.filter(lock=lock, event_type="device.removed")
    assert "no longer lists" in removed.message


def test_a_lock_registered_before_discovery_ran_is_noticed_when_it_vanishes(owner, lock, hub, t0):
    SimulatedDevice.objects.filter(device_id=lock.device_id).delete()
    devices.account_discover(account=hub, now=t0)
    assert DiscoveredDevice.objects.get(device_id=lock.device_id).status == Status.GONE
    assert Event.objects.filter(lock=lock, event_type="device.removed").count() == 1
    assert devices.inbox(owner) == []


def test_an_ignored_device_stays_out_of_the_inbox_until_brought_back(owner, hub, t0):
    simulator.simulated_device_create(owner=owner, name="Neighbour's lock")
    devices.account_discover(account=hub, now=t0)
    (waiting,) = devices.inbox(owner)

    devices.device_ignore(owner=owner, device=waiting, now=t0)
    devices.account_discover(account=hub, now=t0 + timedelta(minutes=5))
    assert devices.inbox(owner) == []

    devices.device_unignore(owner=owner, device=waiting, now=t0 + timedelta(minutes=6))
    assert devices.inbox(owner) == [waiting]


def test_another_owners_device_cannot_be_decided_on(owner, other_owner, hotel, t0):
    simulator.simulated_device_create(owner=other_owner, name="Hilltop side door")
    devices.account_discover(account=simulator.simulated_hub(other_owner), now=t0)
    (theirs,) = devices.inbox(other_owner)
    assert devices.inbox(owner) == []
    with pytest.raises(ServiceError) as exc:
        devices.device_register(owner=owner, device=theirs, property=hotel, now=t0)
    assert exc.value.status == 404
    with pytest.raises(ServiceError):
        devices.device_ignore(owner=owner, device=theirs, now=t0)


def test_discovery_runs_for_the_accounts_that_are_due(owner, other_owner, t0):
    mine, theirs = simulator.simulated_hub(owner), simulator.simulated_hub(other_owner)
    assert devices.accounts_discover_due(now=t0) == 2
    assert devices.accounts_discover_due(now=t0 + timedelta(minutes=4)) == 0
    simulator.simulated_device_create(owner=owner, name="New door")
    assert devices.accounts_discover_due(now=t0 + timedelta(minutes=5)) == 2
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.next_discovery_at == t0 + timedelta(minutes=10)
    assert [d.name for d in devices.inbox(owner)] == ["New door"]
