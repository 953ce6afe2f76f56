"""The zwave_js driver against the real Z-Wave JS stack (mock controller, real zwave-js and
Z-Wave JS Server): discovery, slots written and read back from the lock, a full lock, a
duplicate, a dead node, the server gone."""

import pytest

from locks.drivers import CodeSpec, DriverError
from locks.issue_codes import (
    CODE_CONSTRAINTS_VIOLATED,
    DEVICE_DISCONNECTED,
    DEVICE_REMOVED,
    DUPLICATE_CODE_ON_DEVICE,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PROVIDER_ISSUE,
)
from tests.zwave.network import BIG, SMALL, network_of


@pytest.fixture
def net(zwave_stack):
    return network_of(zwave_stack)


def test_discovery_lists_the_locks_with_their_slots_battery_and_bolt(net):
    found = {d.device_id: d for d in net.driver().discover(str(net.home_id))}

    assert set(found) == {net.device_id(BIG), net.device_id(SMALL)}
    big, small = found[net.device_id(BIG)], found[net.device_id(SMALL)]
    assert "BE469" in big.model_name
    assert big.max_active_codes == 30 and small.max_active_codes == 5
    assert big.battery_level == pytest.approx(0.9) and small.battery_level == pytest.approx(0.15)
    assert big.online and big.locked is True
    assert big.supports_native_scheduling is False
    assert "access_code" in big.capabilities and big.can_remotely_unlock


def test_a_code_goes_into_a_free_slot_and_is_read_back_from_the_lock(net):
    driver = net.driver()
    net.hands.code_typed_in(SMALL, 1, "9911")  # someone else's code, in slot 1

    ref = driver.set_code(net.device_id(SMALL), CodeSpec(code="4831", name="Guest"))

    assert ref == "2"  # slot 1 was not free: never overwritten
    assert net.hands.slots(SMALL) == {1: "9911", 2: "4831"}
    info, codes = driver.read(net.device_id(SMALL))
    assert {(c.ref, c.code) for c in codes} == {("1", "9911"), ("2", "4831")}
    assert info.max_active_codes == 5

    driver.remove_code(net.device_id(SMALL), ref)
    assert net.hands.slots(SMALL) == {1: "9911"}
    assert [c.ref for c in driver.list_codes(net.device_id(SMALL))] == ["1"]
    driver.remove_code(net.device_id(SMALL), ref)  # already gone: not an error


def test_a_code_deleted_at_the_keypad_is_seen_at_the_next_read(net):
    driver = net.driver()
    ref = driver.set_code(net.device_id(SMALL), CodeSpec(code="4831", name="Guest"))
    net.hands.code_deleted_at_keypad(SMALL, int(ref))

    assert driver.list_codes(net.device_id(SMALL)) == []


def test_a_full_lock_says_so_and_a_duplicate_pin_is_refused_for_good(net):
    driver = net.driver()
    for slot in range(1, 6):
        net.hands.code_typed_in(SMALL, slot, f"70{slot}0")

    with pytest.raises(DriverError) as full:
        driver.set_code(net.device_id(SMALL), CodeSpec(code="4831", name="Guest"))
    assert full.value.error_code == NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE
    assert not full.value.permanent

    with pytest.raises(DriverError) as twice:
        driver.set_code(net.device_id(SMALL), CodeSpec(code="7030", name="Guest"))
    assert twice.value.error_code == DUPLICATE_CODE_ON_DEVICE and twice.value.permanent
    assert "7030" not in twice.value.message

    with pytest.raises(DriverError) as short:
        driver.set_code(net.device_id(BIG), CodeSpec(code="123", name="Guest"))
    assert short.value.error_code == CODE_CONSTRAINTS_VIOLATED and short.value.permanent


def test_a_dead_node_is_offline_and_refuses_writes_for_now(net):
    driver = net.driver()
    net.hands.dead(SMALL)

    assert not next(d for d in driver.discover("") if d.device_id == net.device_id(SMALL)).online
    with pytest.raises(DriverError) as read:
        driver.read(net.device_id(SMALL))
    assert read.value.error_code == DEVICE_DISCONNECTED and not read.value.permanent
    # The other lock is not held up.
    assert driver.read(net.device_id(BIG))[0].online

    net.hands.alive(SMALL)
    assert driver.read(net.device_id(SMALL))[0].online


def test_a_node_of_another_network_is_gone_for_good(net):
    with pytest.raises(DriverError) as gone:
        net.driver().read_device(f"{net.home_id + 1}:{SMALL}")
    assert gone.value.error_code == DEVICE_REMOVED and gone.value.permanent


def test_the_server_gone_is_a_retryable_failure(net):
    driver = net.driver()
    net.hands.server_stop()
    try:
        with pytest.raises(DriverError) as down:
            driver.read(net.device_id(BIG))
        assert down.value.error_code == PROVIDER_ISSUE and not down.value.permanent
        assert net.url in down.value.message
    finally:
        net.hands.server_start()
    assert driver.read(net.device_id(BIG))[0].online


def test_remote_unlock_and_lock_are_confirmed_by_the_lock(net):
    driver = net.driver()

    driver.unlock(net.device_id(BIG))
    assert net.hands.door(BIG) == "unlocked"
    assert driver.read_device(net.device_id(BIG)).locked is False

    driver.lock(net.device_id(BIG))
    assert net.hands.door(BIG) == "locked"
