"""A lock's health over time, as the history and the API's events/list tell it."""

from datetime import timedelta

from locks import access_codes, devices, simulator
from locks.models import SimulatedDevice
from locks.tenancy import services as tenancy
from reservations.alerts import open_alerts
from tests import factories
from tests.backups.lockside import run

SINCE = "2020-01-01T00:00:00Z"


def types(seam, lock) -> list[str]:
    events = seam.events.list(since=SINCE, device_id=str(lock.public_id))
    return [e.event_type for e in reversed(events)]


def test_a_locks_life_is_listed_through_events_list(seam, owner, hotel, lock, t0):
    hub = simulator.simulated_hub(owner)
    devices.account_discover(account=hub, now=t0)
    simulator.simulated_set_online(lock=lock, online=False, now=t0 + timedelta(minutes=1))
    run(t0 + timedelta(minutes=1))
    run(t0 + timedelta(minutes=20))  # still offline: said once
    simulator.simulated_set_online(lock=lock, online=True, now=t0 + timedelta(minutes=30))
    run(t0 + timedelta(minutes=30))
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(battery_level=0.12)
    run(t0 + timedelta(minutes=46))
    run(t0 + timedelta(minutes=62))  # still low: said once
    SimulatedDevice.objects.filter(device_id=lock.device_id).delete()
    devices.account_discover(account=hub, now=t0 + timedelta(minutes=70))

    assert types(seam, lock) == [
        "device.added",
        "device.disconnected",
        "device.connected",
        "device.low_battery",
        "device.removed",
    ]
    (low,) = seam.events.list(since=SINCE, event_type="device.low_battery")
    assert low.battery_level == 0.12


def test_the_low_battery_event_follows_the_owners_level(seam, owner, lock, t0):
    tenancy.owner_settings_update(owner=owner, low_battery_percent=40)
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(battery_level=0.35)
    run(t0 + timedelta(minutes=16))
    assert types(seam, lock)[-1] == "device.low_battery"
    (alert,) = open_alerts(owner, t0 + timedelta(minutes=16))
    assert alert.kind == "low_battery"


def test_an_offline_lock_stays_alone_in_its_trouble(owner, hotel, room, lock, t0):
    street = factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=t0)
    code, _ = access_codes.access_code_create(lock=street, now=t0, name="Cleaner")
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    street.refresh_from_db()
    code.refresh_from_db()
    assert street.online and code.status == "set"
    assert [a.lock for a in open_alerts(owner, t0)] == [lock]
