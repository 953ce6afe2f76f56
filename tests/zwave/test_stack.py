"""The Z-Wave JS stack the zwave_js driver's tests run against, through Home Assistant's own
client (zwave-js-server-python): the mock locks are there with what a lock has, a code written
to a slot is on the lock, and what happens at a lock's keypad reaches the client."""

import asyncio
from contextlib import asynccontextmanager

import aiohttp
from zwave_js_server.client import Client
from zwave_js_server.const import CommandClass, NodeStatus
from zwave_js_server.util.lock import get_usercode_from_node, set_usercode

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
            await set_usercode(node, 1, "4821")
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
