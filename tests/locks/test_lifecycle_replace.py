"""A factory-reset lock: the door keeps its stays, codes and backups, on whatever device it has."""

from datetime import timedelta

from backups.services import backup_pool_enable
from locks import access_codes, devices, simulator
from locks.drivers.simulated import keypad_entry
from locks.models import DiscoveredDevice, Event, SimulatedDevice
from reservations.selectors import guest_code_state
from tests.backups.lockside import device, opens, pins_on_lock, pool, ready, run
from tests.reservations.front_desk import book


def test_a_reset_lock_replaced_from_the_inbox_opens_for_its_guests_again(owner, room, lock, t0):
    hub = simulator.simulated_hub(owner)
    devices.account_discover(account=hub, now=t0)
    backup_pool_enable(lock=lock, now=t0)
    here = book(owner, room, t0, check_in=t0 + timedelta(hours=1), guest_name="Ana Lima")
    later = book(owner, room, t0, check_in=t0 + timedelta(days=3), guest_name="Rui Costa")
    run(t0 + timedelta(minutes=30))
    assert opens(lock, here.pin, here.check_in)
    assert len(ready(lock)) == 5
    old = device(lock)

    # Someone factory resets the lock: it forgets every code and comes back under a new id.
    reset_at = t0 + timedelta(minutes=40)
    new = simulator.simulated_factory_reset(lock=lock, now=reset_at)
    run(reset_at)
    lock.refresh_from_db()
    assert not lock.online
    assert guest_code_state(here, reset_at).state == "at_risk"
    assert keypad_entry(new, here.pin, here.check_in) is None

    # Discovery finds the new device and asks; the reset lock is the first suggestion.
    devices.account_discover(account=hub, now=reset_at + timedelta(minutes=5))
    (waiting,) = devices.inbox(owner)
    assert waiting.device_id == new.device_id
    assert devices.replacement_suggestions(waiting)[0] == lock
    assert DiscoveredDevice.objects.get(device_id=old.device_id).status == "gone"

    replaced_at = reset_at + timedelta(minutes=6)
    devices.lock_replace_device(owner=owner, lock=lock, device=waiting, now=replaced_at)
    run(replaced_at)
    lock.refresh_from_db()

    # The same door, now on the new device, with every code it should have.
    assert (lock.device_id, lock.online, lock.name, lock.unit) == (
        new.device_id,
        True,
        "Room 101 door",
        room,
    )
    assert opens(lock, here.pin, here.check_in + timedelta(hours=1))
    assert guest_code_state(here, replaced_at).state == "ready"
    assert len(ready(lock)) == 5
    assert {b.code for b in pool(lock)} <= pins_on_lock(lock)
    assert later.pin not in pins_on_lock(lock)  # not due yet, as before the reset
    run(later.check_in - timedelta(minutes=30))
    assert opens(lock, later.pin, later.check_in)
    assert not opens(lock, here.pin, here.check_out + timedelta(minutes=1))

    # The old device is retired, and the lock's history says what happened.
    assert DiscoveredDevice.objects.get(device_id=old.device_id).status == "retired"
    assert DiscoveredDevice.objects.get(device_id=new.device_id).status == "registered"
    (replaced,) = Event.objects.filter(lock=lock, event_type="device.replaced")
    assert replaced.data == {"old_device_id": old.device_id, "new_device_id": new.device_id}
    # The hub said at the reset that the device left: the door went silent then, as removed.
    assert Event.objects.filter(lock=lock, event_type="device.removed").count() == 1
    assert here.pin not in replaced.message


def test_nothing_is_replaced_without_a_person(owner, lock, t0):
    hub = simulator.simulated_hub(owner)
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Cleaner")
    run(t0)
    new = simulator.simulated_factory_reset(lock=lock, now=t0 + timedelta(minutes=1))
    for minutes in range(1, 60, 5):
        run(t0 + timedelta(minutes=minutes))
        devices.account_discover(account=hub, now=t0 + timedelta(minutes=minutes))
    lock.refresh_from_db()
    assert lock.device_id != new.device_id and not lock.online
    assert not new.codes.exists()
    assert [d.device_id for d in devices.inbox(owner)] == [new.device_id]


def test_a_reset_that_keeps_the_device_id_puts_every_code_back(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=1))
    cleaner, _ = access_codes.access_code_create(lock=lock, now=t0, name="Cleaner")
    run(t0 + timedelta(minutes=30))
    assert opens(lock, stay.pin, stay.check_in) and opens(lock, cleaner.code, stay.check_in)

    simulator.simulated_factory_reset(
        lock=lock, now=t0 + timedelta(minutes=35), keep_device_id=True
    )
    assert pins_on_lock(lock) == set()
    run(t0 + timedelta(minutes=35))

    assert opens(lock, stay.pin, stay.check_in) and opens(lock, cleaner.code, stay.check_in)
    run(t0 + timedelta(minutes=50))
    (wiped,) = Event.objects.filter(lock=lock, event_type="device.codes_wiped")
    assert "putting them back" in wiped.message
    assert devices.inbox(owner) == []
    assert SimulatedDevice.objects.filter(owner=owner).count() == 1
