from datetime import timedelta

from locks import access_codes, devices, simulator, unmanaged
from locks.drivers.simulated import keypad_entry
from locks.models import DiscoveredDevice, Event, SimulatedDevice
from locks.scheduler import run_due_locks


def test_a_reset_lock_replaced_from_the_inbox_gets_its_codes_back(owner, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Cleaner")
    run_due_locks(now=t0)
    hub = simulator.simulated_hub(owner)
    devices.account_discover(account=hub, now=t0)
    assert devices.inbox(owner) == []

    new = simulator.simulated_factory_reset(lock=lock, now=t0)
    run_due_locks(now=t0 + timedelta(minutes=6))
    devices.account_discover(account=hub, now=t0 + timedelta(minutes=6))
    (waiting,) = devices.inbox(owner)
    assert waiting.device_id == new.device_id
    assert devices.replacement_suggestions(waiting) == [lock]

    devices.lock_replace_device(
        owner=owner, lock=lock, device=waiting, now=t0 + timedelta(minutes=7)
    )
    run_due_locks(now=t0 + timedelta(minutes=7))

    assert keypad_entry(SimulatedDevice.objects.get(pk=new.pk), code.code, t0) is not None
    assert DiscoveredDevice.objects.get(device_id=new.device_id).status == "registered"
    assert Event.objects.filter(lock=lock, event_type="device.replaced").exists()


def test_a_reset_that_keeps_the_device_id_needs_no_question(owner, lock, t0):
    first, _ = access_codes.access_code_create(lock=lock, now=t0, name="A")
    access_codes.access_code_create(lock=lock, now=t0, name="B")
    run_due_locks(now=t0)
    simulator.simulated_factory_reset(lock=lock, now=t0, keep_device_id=True)
    run_due_locks(now=t0 + timedelta(minutes=16))
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    assert keypad_entry(device, first.code, t0) is not None
    assert Event.objects.filter(lock=lock, event_type="device.codes_wiped").count() == 1


def test_a_code_found_on_the_lock_can_be_taken_over_or_removed(owner, lock, t0):
    from locks.models import AccessCode

    simulator.simulated_add_unmanaged_code(lock=lock, code="5927", name="Gardener", now=t0)
    simulator.simulated_add_unmanaged_code(lock=lock, code="7316", name="Old master", now=t0)
    run_due_locks(now=t0)
    gardener = AccessCode.objects.get(code="5927", removed_at__isnull=True)
    master = AccessCode.objects.get(code="7316", removed_at__isnull=True)

    unmanaged.unmanaged_code_take_over(access_code=gardener, now=t0)
    unmanaged.unmanaged_code_remove(access_code=master, now=t0)
    run_due_locks(now=t0 + timedelta(minutes=1))

    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    gardener.refresh_from_db()
    assert (gardener.is_managed, gardener.status) == (True, "set")
    assert keypad_entry(device, "5927", t0) is not None
    assert keypad_entry(device, "7316", t0) is None
