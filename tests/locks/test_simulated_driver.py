"""The simulated lock behaves like real hardware: rules, slots, outages, resets, the keypad."""

from datetime import timedelta

import pytest

from locks.drivers import CodeSpec, DriverError, get_driver
from locks.drivers import simulated as simulated_driver
from locks.drivers.base import CALL_TIMEOUT_SECONDS
from locks.drivers.simulated import keypad_entry
from locks.issue_codes import PROVIDER_ISSUE
from locks.models import SimulatedDevice
from locks.simulator import (
    simulated_device_create,
    simulated_factory_reset,
    simulated_refuse_writes,
)
from tests import factories


@pytest.fixture
def driver(t0):
    return get_driver("simulated", now=t0)


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def refused(call):
    with pytest.raises(DriverError) as raised:
        call()
    return raised.value


def test_it_programs_and_lists_a_code(driver, lock):
    ref = driver.set_code(lock.device_id, CodeSpec(code="4831", name="Guest"))

    [on_lock] = driver.list_codes(lock.device_id)
    assert (on_lock.ref, on_lock.code, on_lock.name) == (ref, "4831", "Guest")
    assert device_of(lock).writes == 1


def test_it_rejects_a_pin_against_its_constraints_without_saying_the_pin(driver, owner, hotel, t0):
    strict = factories.simulated_lock(owner=owner, property=hotel, now=t0, model="strict")

    error = refused(lambda: driver.set_code(strict.device_id, CodeSpec(code="120345", name="")))

    assert error.error_code == "code_constraints_violated"
    assert error.permanent
    assert "120345" not in error.message
    assert driver.list_codes(strict.device_id) == []


def test_it_rejects_a_pin_it_already_holds(driver, lock):
    driver.set_code(lock.device_id, CodeSpec(code="4831", name=""))

    error = refused(lambda: driver.set_code(lock.device_id, CodeSpec(code="4831", name="")))

    assert error.error_code == "duplicate_code_on_device"
    assert len(driver.list_codes(lock.device_id)) == 1


def test_it_rejects_a_code_when_every_slot_is_taken(driver, owner, hotel, t0):
    small = factories.simulated_lock(owner=owner, property=hotel, now=t0, max_active_codes=1)
    driver.set_code(small.device_id, CodeSpec(code="4831", name=""))

    error = refused(lambda: driver.set_code(small.device_id, CodeSpec(code="5927", name="")))

    assert error.error_code == "no_space_for_access_code_on_device"


def test_a_full_lock_refuses_for_now_not_for_good(driver, owner, hotel, t0):
    small = factories.simulated_lock(owner=owner, property=hotel, now=t0, max_active_codes=1)
    driver.set_code(small.device_id, CodeSpec(code="4831", name=""))

    error = refused(lambda: driver.set_code(small.device_id, CodeSpec(code="5927", name="")))

    assert not error.permanent  # the same write succeeds once a slot frees up


def test_a_busy_lock_refuses_writes_but_counts_them_and_still_reads(driver, lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(minutes=10), now=t0)

    error = refused(lambda: driver.set_code(lock.device_id, CodeSpec(code="4831", name="")))

    assert error.error_code == "provider_issue"
    assert not error.permanent
    assert device_of(lock).writes == 1
    assert driver.read_device(lock.device_id).online
    later = get_driver("simulated", now=t0 + timedelta(minutes=10))
    later.set_code(lock.device_id, CodeSpec(code="4831", name=""))
    assert [c.code for c in later.list_codes(lock.device_id)] == ["4831"]


def test_an_offline_lock_answers_nothing_and_receives_no_write(driver, lock):
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(online=False)

    for call in (
        lambda: driver.read_device(lock.device_id),
        lambda: driver.list_codes(lock.device_id),
        lambda: driver.set_code(lock.device_id, CodeSpec(code="4831", name="")),
    ):
        assert refused(call).error_code == "device_disconnected"
    assert device_of(lock).writes == 0


def test_each_call_takes_the_devices_latency_and_gives_up_at_the_timeout(driver, lock, monkeypatch):
    waited = []
    monkeypatch.setattr(simulated_driver.time, "sleep", waited.append)
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(latency_ms=200)
    driver.read(lock.device_id)
    driver.set_code(lock.device_id, CodeSpec(code="4831", name="Guest"))
    assert waited == [0.2, 0.2]  # a call each, the read's two answers in one

    SimulatedDevice.objects.filter(device_id=lock.device_id).update(latency_ms=9000)
    error = refused(lambda: driver.list_codes(lock.device_id))
    assert waited[-1] == CALL_TIMEOUT_SECONDS  # given up, not waited for
    assert (error.error_code, error.permanent) == (PROVIDER_ISSUE, False)
    assert "did not answer within 8 seconds" in error.message


def test_removing_a_code_that_is_gone_is_not_an_error(driver, lock):
    ref = driver.set_code(lock.device_id, CodeSpec(code="4831", name=""))
    driver.remove_code(lock.device_id, ref)
    driver.remove_code(lock.device_id, ref)

    assert driver.list_codes(lock.device_id) == []


def test_a_native_lock_keeps_the_window_and_a_plain_one_ignores_it(driver, owner, hotel, lock, t0):
    native = factories.simulated_lock(owner=owner, property=hotel, now=t0, model="scheduling")
    window = CodeSpec(code="4831", name="", starts_at=t0, ends_at=t0 + timedelta(days=1))

    driver.set_code(native.device_id, window)
    driver.set_code(lock.device_id, window)

    [held] = driver.list_codes(native.device_id)
    [plain] = driver.list_codes(lock.device_id)
    assert (held.starts_at, held.ends_at) == (t0, t0 + timedelta(days=1))
    assert (plain.starts_at, plain.ends_at) == (None, None)


def test_the_keypad_opens_only_for_a_pin_on_the_lock(driver, lock, t0):
    driver.set_code(lock.device_id, CodeSpec(code="4831", name=""))

    assert keypad_entry(device_of(lock), "4831", t0) is not None
    assert keypad_entry(device_of(lock), "4832", t0) is None


def test_a_factory_reset_wipes_the_lock_and_it_returns_under_a_new_id(driver, owner, lock, t0):
    driver.set_code(lock.device_id, CodeSpec(code="4831", name=""))

    successor = simulated_factory_reset(lock=lock, now=t0)

    assert refused(lambda: driver.read_device(lock.device_id)).error_code == "device_disconnected"
    assert keypad_entry(device_of(lock), "4831", t0) is None
    assert successor.device_id != lock.device_id
    assert driver.list_codes(successor.device_id) == []
    assert [d.device_id for d in driver.discover(owner.slug)] == [successor.device_id]


def test_an_unknown_device_is_reported_as_removed(db, driver):
    error = refused(lambda: driver.read_device("no-such-device"))

    assert error.error_code == "device_removed"
    assert error.permanent


def test_the_device_reports_its_model(driver, owner):
    device = simulated_device_create(owner=owner, name="Gate", model="scheduling")

    info = driver.read_device(device.device_id)

    assert info.supports_native_scheduling
    assert info.supported_code_lengths == [4, 6]
    assert info.max_active_codes == 50
