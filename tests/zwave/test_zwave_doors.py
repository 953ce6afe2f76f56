"""Z-Wave doors through Innkeeper's own services: connected, registered, a stay's code kept on
its slot by the reconciler (programmed, read back, put back after a deletion at the keypad,
taken off at the end), a full lock, a dead node escalating, and the keypad's reports becoming
entries of the stay."""

import asyncio
import threading
from datetime import timedelta

import pytest

from backups.services import backup_pool_enable
from locks import scheduler
from locks.access_codes import access_code_create, access_code_delete
from locks.devices import account_discover, device_register, zwave_account_connect
from locks.door_events import account_events_pushed
from locks.drivers.zwave_js import ZWaveJSDriver
from locks.drivers.zwave_js_events import zwave_listen
from locks.errors import ServiceError
from locks.models import AccessCode, DiscoveredDevice, Event
from tests.zwave.network import BIG, SMALL, network_of

Status = AccessCode.Status


@pytest.fixture
def net(zwave_stack):
    return network_of(zwave_stack)


@pytest.fixture
def door(net, owner, hotel, room, t0):
    """The small lock (5 slots) registered as Room 101's door from the inbox."""
    account = net.account(owner)
    account_discover(account=account, now=t0)
    device = account.devices.get(device_id=net.device_id(SMALL))
    return device_register(owner=owner, device=device, property=hotel, unit=room, now=t0)


def test_a_manager_connects_the_server_and_its_locks_wait_in_the_inbox(net, owner, t0):
    account = zwave_account_connect(owner=owner, name="Home", url=net.url, now=t0)

    assert account.account_ref == str(net.home_id)
    new = account.devices.filter(status=DiscoveredDevice.Status.NEW)
    assert set(new.values_list("device_id", flat=True)) == {
        net.device_id(BIG),
        net.device_id(SMALL),
    }
    with pytest.raises(ServiceError, match="already connected"):
        zwave_account_connect(owner=owner, name="Again", url=net.url, now=t0)


def test_an_unreachable_server_is_a_clear_form_error(owner, t0):
    with pytest.raises(ServiceError) as refused:
        zwave_account_connect(owner=owner, name="Home", url="ws://127.0.0.1:9", now=t0)
    assert refused.value.field == "url"
    assert "Could not reach the Z-Wave JS Server" in refused.value.message


def test_a_code_is_programmed_read_back_put_back_and_removed(net, door, t0):
    code, _ = access_code_create(lock=door, now=t0, code="4831")
    scheduler.run_due_locks(now=t0)

    code.refresh_from_db()
    assert code.status == Status.SET
    assert net.hands.slots(SMALL) == {int(code.device_ref): "4831"}

    net.hands.code_deleted_at_keypad(SMALL, int(code.device_ref))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=16))
    code.refresh_from_db()
    assert code.status == Status.SET
    assert list(net.hands.slots(SMALL).values()) == ["4831"]
    assert Event.objects.filter(
        access_code=code, event_type="access_code.deleted_external_to_seam"
    ).exists()

    access_code_delete(access_code=code, now=t0 + timedelta(minutes=20))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=20))
    assert net.hands.slots(SMALL) == {}


def test_codes_found_on_the_lock_are_unmanaged_and_a_full_lock_makes_a_code_wait(net, door, t0):
    for slot in range(1, 6):
        net.hands.code_typed_in(SMALL, slot, f"70{slot}0")
    code, _ = access_code_create(lock=door, now=t0, code="4831")
    scheduler.run_due_locks(now=t0)

    code.refresh_from_db()
    assert code.status != Status.SET
    assert code.has_error("no_space_for_access_code_on_device")
    unmanaged = AccessCode.objects.filter(lock=door, is_managed=False)
    assert sorted(unmanaged.values_list("device_ref", flat=True)) == ["1", "2", "3", "4", "5"]
    assert len(net.hands.slots(SMALL)) == 5  # nothing of theirs was touched


def test_a_dead_node_is_offline_then_its_code_escalates(net, door, t0):
    net.hands.dead(SMALL)
    code, _ = access_code_create(lock=door, now=t0, code="4831")
    for minute in range(0, 61, 5):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    door.refresh_from_db()
    code.refresh_from_db()
    assert not door.online
    assert code.status != Status.SET
    assert code.has_error("failed_to_set_on_device") or code.has_warning(
        "delay_in_setting_on_device"
    )


def _heard(net, act) -> list:
    """What the listener hears while `act` runs (the readings, not yet stored)."""
    heard, up = [], threading.Event()

    async def listen():
        stop = asyncio.Event()

        def connected(ok, why):
            if ok:
                up.set()

        task = asyncio.create_task(
            zwave_listen(
                net.url,
                deliver=heard.extend,
                codes_changed=lambda d: None,
                connected=connected,
                stop=stop,
            )
        )
        await asyncio.to_thread(up.wait, 10)
        await asyncio.to_thread(act)
        await asyncio.sleep(0.3)
        stop.set()
        await task

    asyncio.run(listen())
    return heard


def test_a_keypad_entry_becomes_an_entry_with_its_code(net, door, owner, t0):
    code, _ = access_code_create(lock=door, now=t0, code="4831")
    scheduler.run_due_locks(now=t0)
    code.refresh_from_db()

    def guest_arrives():
        net.hands.wrong_code(SMALL)
        net.hands.keypad_entry(SMALL, int(code.device_ref))

    readings = _heard(net, guest_arrives)
    stored = account_events_pushed(account=door.account, readings=readings, now=t0)

    assert [(e.event_type, e.data["method"]) for e in stored] == [
        ("lock.access_denied", "keycode"),
        ("lock.unlocked", "keycode"),
    ]
    assert stored[1].access_code == code and stored[1].lock == door
    # Stored once, whoever hands them in again.
    assert account_events_pushed(account=door.account, readings=readings, now=t0) == []


def test_a_lock_full_of_backups_makes_room_for_a_new_code_in_the_same_pass(net, door, t0):
    """The pool yields a slot: the backup's slot, cleared a moment ago, takes the new code."""
    backup_pool_enable(lock=door, now=t0, size=5)
    scheduler.run_due_locks(now=t0)
    assert len(net.hands.slots(SMALL)) == 5

    later = t0 + timedelta(minutes=1)
    code, _ = access_code_create(lock=door, now=later, code="4831")
    scheduler.run_due_locks(now=later)

    code.refresh_from_db()
    assert code.status == Status.SET and code.errors == []
    assert net.hands.slots(SMALL)[int(code.device_ref)] == "4831"


def test_the_server_going_away_mid_pass_leaves_the_code_to_the_next_pass(
    net, door, t0, monkeypatch
):
    """The pass reads the lock, then the server goes away before its write: the write fails as
    one retrying can help, nothing is lost, and the next pass after it is back programs it."""
    write = ZWaveJSDriver.set_code

    def server_gone_first(self, device_id, spec):
        net.hands.server_stop()
        return write(self, device_id, spec)

    monkeypatch.setattr(ZWaveJSDriver, "set_code", server_gone_first)
    code, _ = access_code_create(lock=door, now=t0, code="4831")
    scheduler.run_due_locks(now=t0)

    code.refresh_from_db()
    assert code.status == Status.UNSET and code.next_attempt_at is not None
    assert net.hands.slots(SMALL) == {}

    monkeypatch.setattr(ZWaveJSDriver, "set_code", write)
    net.hands.server_start()
    scheduler.run_due_locks(now=code.next_attempt_at)
    code.refresh_from_db()
    assert code.status == Status.SET
    assert net.hands.slots(SMALL) == {int(code.device_ref): "4831"}
