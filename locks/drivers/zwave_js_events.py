"""What Z-Wave locks report at their doors: Notification CC "Access Control" reports, pushed.

A Z-Wave lock sends a notification when its bolt turns (by hand, by radio, at the keypad with
the user slot), when a wrong code is tried too often, when a code is added or deleted at the
keypad. Z-Wave JS passes them on over the websocket as they come and keeps no history, so there
is no feed to read from a cursor: `zwave_listen` stays connected and hands each report, as a
`LockEventReading`, to a callback (`locks.door_listener` stores them). What happens while no one
listens is not reported later; the codes themselves are still checked by every pass.
"""

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Callable
from datetime import UTC, datetime

import aiohttp
from zwave_js_server.client import Client
from zwave_js_server.const import CommandClass
from zwave_js_server.model.notification import NotificationNotification

from locks.drivers.base import (
    ACCESS_DENIED,
    KEYCODE,
    LOCKED,
    MANUAL,
    REMOTE,
    UNKNOWN,
    UNLOCKED,
    LockEventReading,
)
from locks.drivers.zwave_js import device_id_of, is_lock

ACCESS_CONTROL, HOME_SECURITY = 6, 7  # the Notification CC's notification types
# (notification type, event) -> (event type, method). Access Control 16: the keypad disabled
# itself after too many wrong codes; 19: a code too long typed at the keypad; 20/21: an unlock
# or lock by radio with a code the lock does not hold. Home Security 4: "tampering, invalid
# code", how many locks say a wrong PIN was typed.
DOOR_EVENTS = {
    (ACCESS_CONTROL, 1): (LOCKED, MANUAL),
    (ACCESS_CONTROL, 2): (UNLOCKED, MANUAL),
    (ACCESS_CONTROL, 3): (LOCKED, REMOTE),
    (ACCESS_CONTROL, 4): (UNLOCKED, REMOTE),
    (ACCESS_CONTROL, 5): (LOCKED, KEYCODE),
    (ACCESS_CONTROL, 6): (UNLOCKED, KEYCODE),
    (ACCESS_CONTROL, 9): (LOCKED, UNKNOWN),  # auto-lock
    (ACCESS_CONTROL, 16): (ACCESS_DENIED, KEYCODE),
    (ACCESS_CONTROL, 19): (ACCESS_DENIED, KEYCODE),
    (ACCESS_CONTROL, 20): (ACCESS_DENIED, REMOTE),
    (ACCESS_CONTROL, 21): (ACCESS_DENIED, REMOTE),
    (HOME_SECURITY, 4): (ACCESS_DENIED, KEYCODE),
}
# Codes changed at the lock itself (all deleted, one deleted, one added): not a door event, but
# the lock's codes should be read again soon.
CODES_CHANGED = {(ACCESS_CONTROL, 12), (ACCESS_CONTROL, 13), (ACCESS_CONTROL, 14)}
# Reconnect after a lost connection, at most this often (seconds).
RECONNECT_SECONDS = 5
_sequence = itertools.count()
logger = logging.getLogger(__name__)


def reading_of(
    device_id: str, kind: int, event: int, parameters: dict, at: datetime
) -> LockEventReading | None:
    """A notification (type `kind`, `event`) as what the lock reported at its door; None for
    one that is not about the door."""
    if (kind, event) not in DOOR_EVENTS:
        return None
    event_type, method = DOOR_EVENTS[kind, event]
    user = parameters.get("userId") if isinstance(parameters, dict) else None
    return LockEventReading(
        # Pushed reports carry no id of their own: the time received and a counter make one.
        ref=f"{device_id}:{at.strftime('%Y%m%dT%H%M%S.%f')}:{next(_sequence)}:{kind}.{event}",
        device_id=device_id,
        event_type=event_type,
        occurred_at=at,
        method=method,
        code_ref=str(user) if isinstance(user, int) and method == KEYCODE else "",
    )


async def zwave_listen(
    url: str,
    *,
    deliver: Callable[[list[LockEventReading]], None],
    codes_changed: Callable[[str], None],
    connected: Callable[[bool, str], None],
    stop: asyncio.Event,
) -> None:
    """Listen to the server at `url` until `stop` is set, reconnecting when the connection is
    lost. `deliver` gets door events, `codes_changed` the device whose codes changed at the
    lock, `connected` each change of the connection (and why it failed); the callbacks are
    synchronous and run in a thread (they may use the database)."""
    while not stop.is_set():
        try:
            await _listen_once(url, deliver, codes_changed, connected, stop)
        except Exception as exc:  # noqa: BLE001 - any failure is a lost connection: reconnect
            await asyncio.to_thread(connected, False, type(exc).__name__)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), RECONNECT_SECONDS)


async def _listen_once(url, deliver, codes_changed, connected, stop: asyncio.Event) -> None:
    async with aiohttp.ClientSession() as http:
        client = Client(url, http)
        await client.connect()
        ready = asyncio.Event()
        listening = asyncio.create_task(client.listen(ready))
        waiting = asyncio.create_task(ready.wait())
        stopping = asyncio.create_task(stop.wait())
        # Reports are handed on one at a time, in the order they came.
        queue: asyncio.Queue = asyncio.Queue()
        handing = asyncio.create_task(_hand_on(queue))
        try:
            await asyncio.wait({listening, waiting}, return_when=asyncio.FIRST_COMPLETED)
            if not ready.is_set():
                listening.result()
                return
            driver = client.driver
            home = driver.controller.home_id

            def on_notification(event: dict) -> None:
                note = event.get("notification")
                if not isinstance(note, NotificationNotification):
                    return
                if note.command_class != CommandClass.NOTIFICATION:
                    return
                device_id = device_id_of(home, note.node_id)
                if (note.type_, note.event) in CODES_CHANGED:
                    queue.put_nowait((codes_changed, device_id))
                    return
                at = datetime.now(UTC)
                reading = reading_of(device_id, note.type_, note.event, note.parameters, at)
                if reading is not None:
                    queue.put_nowait((deliver, [reading]))

            def on_node_added(event: dict) -> None:
                node = event.get("node")
                if node is not None and is_lock(node):
                    node.on("notification", on_notification)

            for node in driver.controller.nodes.values():
                if is_lock(node):
                    node.on("notification", on_notification)
            driver.controller.on("node added", on_node_added)
            await asyncio.to_thread(connected, True, "")
            await asyncio.wait({listening, stopping}, return_when=asyncio.FIRST_COMPLETED)
            await queue.join()
            if not stop.is_set():
                await asyncio.to_thread(connected, False, "the server closed the connection")
        finally:
            tasks = (listening, waiting, stopping, handing)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


async def _hand_on(queue: asyncio.Queue) -> None:
    while True:
        callback, argument = await queue.get()
        try:
            await asyncio.to_thread(callback, argument)
        except Exception:  # noqa: BLE001 - one report that could not be stored stops no other
            logger.exception("A Z-Wave report could not be handed on")
        finally:
            queue.task_done()
