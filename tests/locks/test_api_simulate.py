"""The simulated locks' endpoints: connect, disconnect, factory reset, codes at the keypad."""

from datetime import timedelta

import pytest
from django.utils import timezone
from seam.exceptions import SeamHttpApiError

from locks import scheduler
from locks.models import Event, SimulatedDevice
from tests.locks.seam_api import call, reconcile


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def on_device(client, key, path, lock, **fields):
    """A POST to the API about the lock's device, with these fields."""
    return call(client, "POST", path, key, {"device_id": str(lock.public_id), **fields})


def keypad(client, key, lock, pin):
    return on_device(client, key, "locks/simulate/keypad_code_entry", lock, code=pin)


def test_it_opens_the_door_for_a_code_that_is_set(client, key, seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    reconcile()
    status, body = keypad(client, key, lock, "4826")
    assert status == 200
    assert body["action_attempt"]["action_type"] == "SIMULATE_KEYPAD_CODE_ENTRY"
    assert body["action_attempt"]["status"] == "success"
    assert body["event"]["event_type"] == "lock.unlocked"
    assert body["event"]["access_code_id"] == code.access_code_id
    assert Event.objects.filter(event_type="lock.unlocked", access_code_id=code.access_code_id)


def test_it_keeps_the_door_shut_for_an_unknown_or_removed_code(client, key, seam, lock):
    status, body = keypad(client, key, lock, "9157")
    assert (status, body["event"]["event_type"]) == (200, "lock.access_denied")
    assert body["event"]["access_code_id"] is None
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    reconcile()
    seam.access_codes.delete(access_code_id=code.access_code_id)
    reconcile()
    _, body = keypad(client, key, lock, "4826")
    assert body["event"]["event_type"] == "lock.access_denied"
    assert Event.objects.filter(event_type="lock.access_denied").count() == 2


def test_the_sdk_reads_a_keypad_entry_as_a_finished_action_attempt(seam, lock):
    attempt = seam.locks.simulate.keypad_code_entry(device_id=str(lock.public_id), code="9157")
    assert attempt.status == "success"


def test_it_refuses_keypad_entry_on_a_lock_that_is_not_simulated(client, key, lock):
    lock.driver = "seam"
    lock.save(update_fields=["driver"])
    status, body = keypad(client, key, lock, "4826")
    assert (status, body["error"]["type"]) == (400, "invalid_input")


def test_it_takes_a_lock_offline_and_back(seam, lock):
    seam.devices.simulate.disconnect(device_id=str(lock.public_id))
    assert device_of(lock).online is False
    seam.devices.simulate.connect(device_id=str(lock.public_id))
    assert device_of(lock).online is True


def test_a_code_removed_at_the_keypad_is_put_back(client, key, seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    reconcile()
    status, _ = on_device(client, key, "devices/simulate/remove_code", lock, code="4826")
    assert status == 200 and not device_of(lock).codes.exists()
    # Nobody tells Innkeeper; its next scheduled reading of the lock notices.
    scheduler.run_due_locks(now=timezone.now() + timedelta(minutes=16))
    assert list(device_of(lock).codes.values_list("code", flat=True)) == ["4826"]
    assert seam.access_codes.get(access_code_id=code.access_code_id).status == "set"
    status, body = on_device(client, key, "devices/simulate/remove_code", lock, code="1357")
    assert (status, body["error"]["type"]) == (404, "access_code_not_found")


def test_an_unmanaged_code_is_listed_once_the_lock_is_read(seam, lock):
    made = seam.access_codes.simulate.create_unmanaged_access_code(
        device_id=str(lock.public_id), code="8642", name="Cleaner"
    )
    assert (made.code, made.is_managed) == ("8642", False)
    assert seam.access_codes.unmanaged.list(device_id=str(lock.public_id)) == []
    reconcile()
    [found] = seam.access_codes.unmanaged.list(device_id=str(lock.public_id))
    assert (found.code, found.name, found.is_managed) == ("8642", "Cleaner", False)
    assert seam.access_codes.list(device_id=str(lock.public_id)) == []
    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.create(device_id=str(lock.public_id), code="8642")
    assert exc.value.code == "duplicate_access_code"


def test_it_refuses_an_unmanaged_code_the_lock_would_reject(client, key, lock):
    status, body = on_device(
        client, key, "access_codes/simulate/create_unmanaged_access_code", lock, code="12"
    )
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert not device_of(lock).codes.exists()


def test_a_factory_reset_wipes_the_lock(client, key, seam, lock):
    seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    reconcile()
    status, _ = on_device(client, key, "devices/simulate/factory_reset", lock)
    assert status == 200
    assert device_of(lock).wiped and not device_of(lock).codes.exists()
    reconcile()
    assert seam.devices.get(device_id=str(lock.public_id)).properties.online is False
