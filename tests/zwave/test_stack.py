"""The Z-Wave JS stack the zwave_js driver's tests run against, through Home Assistant's own
client (zwave-js-server-python): the mock locks are there with what a lock has, a code written
to a slot is on the lock, and what happens at a lock's keypad reaches the client."""

import asyncio
from contextlib import asynccontextmanager

import aiohttp
from zwave_js_server.client import Client
from zwave_js_server.const import CommandClass, NodeStatus
from zwave_js_server.exceptions import CannotConnect, FailedZWaveCommand
from zwave_js_server.util.lock import get_usercode_from_node

from tests.zwave.stack import LOCK, SLOTS, SMALL_LOCK

ENTRY_CONTROL_CCS = {
    CommandClass.USER_CODE,
    CommandClass.DOOR_LOCK,
    CommandClass.BATTERY,
    CommandClass.NOTIFICATION,
    CommandClass.MANUFACTURER_SPECIFIC,
}


@asynccontextmanager
async def connected(ws_url: str):
    """A client listening to the server, its state loaded (what a driver's pass starts with)."""
    async with aiohttp.ClientSession() as session:
        client = Client(ws_url, session)
        await client.connect()
        ready = asyncio.Event()
        listening = asyncio.create_task(client.listen(ready))
        await asyncio.wait_for(ready.wait(), timeout=30)
        try:
            yield client
        finally:
            await client.disconnect()
            await asyncio.wait_for(listening, timeout=10)


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, timeout=60))


def test_the_mock_locks_are_on_the_network_with_a_locks_command_classes(zwave_stack):
    async def look():
        async with connected(zwave_stack.ws_url) as client:
            return client.driver.controller.nodes

    nodes = run(look())

    big, small = nodes[LOCK], nodes[SMALL_LOCK]
    assert (big.device_config.manufacturer, big.device_config.label) == ("Allegion", "BE469")
    assert (small.device_config.manufacturer, small.device_config.label) == (
        "Yale",
        "YRD226-ZW3",
    )
    for node, slots, battery in ((big, 30, 90), (small, 5, 15)):
        assert node.status == NodeStatus.ALIVE
        assert {cc.id for cc in node.command_classes} >= ENTRY_CONTROL_CCS
        user_codes = [
            value
            for value in node.values.values()
            if value.command_class == CommandClass.USER_CODE and value.property_ == "userCode"
        ]
        assert sorted(value.property_key for value in user_codes) == list(range(1, slots + 1))
        assert SLOTS[node.node_id] == slots
        battery_level = node.values[f"{node.node_id}-128-0-level"]
        assert battery_level.value == battery


def test_a_code_written_to_a_slot_is_on_the_lock_and_reads_back(zwave_stack):
    async def write_and_read():
        async with connected(zwave_stack.ws_url) as client:
            node = client.driver.controller.nodes[LOCK]
            value = node.values[f"{LOCK}-99-0-userCode-1"]
            await node.async_set_value(value, "4821", wait_for_result=True)
            return await get_usercode_from_node(node, 1)  # asks the lock

    slot = run(write_and_read())

    assert (slot["usercode"], slot["in_use"]) == ("4821", True)
    assert zwave_stack.slots(LOCK) == {1: "4821"}


def test_a_pin_typed_at_the_keypad_reaches_the_client_with_its_slot(zwave_stack):
    zwave_stack.set_slot(LOCK, 3, "1357")

    async def listen_for_an_entry():
        async with connected(zwave_stack.ws_url) as client:
            node = client.driver.controller.nodes[LOCK]
            arrived = asyncio.get_running_loop().create_future()
            node.on("notification", lambda event: arrived.set_result(event["notification"]))
            await asyncio.to_thread(zwave_stack.keypad_entry, LOCK, 3)
            notification = await asyncio.wait_for(arrived, timeout=10)
            return notification, node.values[f"{LOCK}-98-0-currentMode"].value

    notification, door_mode = run(listen_for_an_entry())

    assert (notification.label, notification.event_label) == (
        "Access Control",
        "Keypad unlock operation",
    )
    assert notification.parameters == {"userId": 3}
    assert door_mode == 0  # unsecured


def test_a_code_deleted_at_the_keypad_is_reported_by_the_lock(zwave_stack):
    zwave_stack.set_slot(LOCK, 4, "2468")

    async def delete_at_the_keypad():
        async with connected(zwave_stack.ws_url) as client:
            node = client.driver.controller.nodes[LOCK]
            await get_usercode_from_node(node, 4)
            before = node.values[f"{LOCK}-99-0-userIdStatus-4"].value
            await asyncio.to_thread(zwave_stack.delete_slot, LOCK, 4)
            return before, node.values[f"{LOCK}-99-0-userIdStatus-4"].value

    before, after = run(delete_at_the_keypad())

    assert (before, after) == (1, 0)  # enabled, then available
    assert zwave_stack.slots(LOCK) == {}


def test_a_dead_lock_refuses_commands_until_it_answers_again(zwave_stack):
    async def kill_and_revive():
        async with connected(zwave_stack.ws_url) as client:
            node = client.driver.controller.nodes[LOCK]
            await asyncio.to_thread(zwave_stack.node_dead, LOCK)
            await asyncio.sleep(0.1)  # the server's "dead" event
            dead_status = node.status
            try:
                await node.async_set_value(f"{LOCK}-99-0-userCode-2", "1111", wait_for_result=True)
                refused = None
            except FailedZWaveCommand as error:
                refused = error.zwave_error_code
            await asyncio.to_thread(zwave_stack.node_alive, LOCK)
            await asyncio.sleep(0.1)
            return dead_status, refused, node.status

    dead_status, refused, revived_status = run(kill_and_revive())

    assert dead_status == NodeStatus.DEAD
    assert refused is not None
    assert revived_status == NodeStatus.ALIVE
    assert zwave_stack.slots(LOCK) == {}


def test_the_server_going_away_closes_the_websocket_and_it_comes_back(zwave_stack):
    async def stop_and_start():
        async with aiohttp.ClientSession() as session:
            client = Client(zwave_stack.ws_url, session)
            await client.connect()
            ready = asyncio.Event()
            listening = asyncio.create_task(client.listen(ready))
            await ready.wait()
            await asyncio.to_thread(zwave_stack.server_stop)
            await asyncio.wait_for(asyncio.gather(listening, return_exceptions=True), 10)
            try:
                await Client(zwave_stack.ws_url, session).connect()
                refused = False
            except CannotConnect:
                refused = True
            await asyncio.to_thread(zwave_stack.server_start)
        async with connected(zwave_stack.ws_url) as client:
            return client.connected, refused, client.driver.controller.nodes[LOCK].status

    was_connected, refused_while_stopped, status = run(stop_and_start())

    assert refused_while_stopped
    assert was_connected
    assert status == NodeStatus.ALIVE


def test_reset_leaves_the_locks_blank_and_the_server_told_so(zwave_stack):
    zwave_stack.set_slot(SMALL_LOCK, 2, "8080")
    zwave_stack.keypad_disabled(SMALL_LOCK)
    zwave_stack.battery(SMALL_LOCK, 3)

    zwave_stack.reset()

    async def look():
        async with connected(zwave_stack.ws_url) as client:
            node = client.driver.controller.nodes[SMALL_LOCK]
            return (
                node.values[f"{SMALL_LOCK}-99-0-userIdStatus-2"].value,
                node.values[f"{SMALL_LOCK}-113-0-Access Control-Keypad state"].value,
                node.values[f"{SMALL_LOCK}-128-0-level"].value,
            )

    assert run(look()) == (0, 0, 15)
    assert zwave_stack.slots(SMALL_LOCK) == {}


def test_a_lock_refuses_a_pin_another_slot_holds_and_says_so(zwave_stack):
    zwave_stack.set_slot(LOCK, 1, "1234")

    async def write_a_duplicate():
        async with connected(zwave_stack.ws_url) as client:
            node = client.driver.controller.nodes[LOCK]
            said = asyncio.get_running_loop().create_future()
            node.on("notification", lambda event: said.set_result(event["notification"]))
            value = node.values[f"{LOCK}-99-0-userCode-2"]
            await node.async_set_value(value, "1234", wait_for_result=True)
            notification = await asyncio.wait_for(said, timeout=10)
            return notification.event_label, await get_usercode_from_node(node, 2)

    event_label, slot = run(write_a_duplicate())

    assert event_label == "New user code not added due to duplicate code"
    assert slot["in_use"] is False
    assert zwave_stack.slots(LOCK) == {1: "1234"}
