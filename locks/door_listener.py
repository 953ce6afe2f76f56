"""Listening to locks that push what happens at their doors: Z-Wave JS accounts.

Seam and the simulated hub keep a feed that the tick reads from a cursor (`locks.door_events`).
A Z-Wave JS Server keeps none: a lock's report goes out on the websocket once, to whoever is
connected. So one process (`manage.py listen_doors`, started by `manage.py serve`) keeps one
connection per Z-Wave JS account, each in a thread with its own event loop
(`drivers.zwave_js_events.zwave_listen`), and stores each report as it comes, through the same
`door_events` functions a feed's read uses (stored once, on its door and code, then the
`door_events` hook). The accounts are looked up again every `REFRESH_SECONDS`: a new one is
listened to, a removed one (or one with a new address) is let go.

A report that says codes changed at the lock itself (added or deleted at the keypad) makes the
lock due for a pass at once, so drift is put right within a minute rather than at the next poll.
Reading events never writes a code: the reconciler stays the only writer.
"""

import asyncio
import logging
import threading

from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from locks.door_events import account_events_pushed, account_listening
from locks.drivers.base import LockEventReading
from locks.drivers.zwave_js_events import zwave_listen
from locks.models import DriverAccount, Lock
from locks.scheduler import lock_check_committed

ZWAVE_JS = "zwave_js"
REFRESH_SECONDS = 30
logger = logging.getLogger(__name__)


class AccountListener:
    """One account's connection, in a thread of its own, until `stop()`."""

    def __init__(self, account: DriverAccount):
        self.account = account
        self.url = (account.credentials or {}).get("url", "")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self.thread = threading.Thread(
            target=self._run, name=f"listen-doors-{account.pk}", daemon=True
        )

    def start(self) -> "AccountListener":
        self.thread.start()
        self._started.wait(5)
        return self

    def stop(self, timeout: float = 10) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(timeout)

    def _run(self) -> None:
        async def main():
            self._loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._started.set()
            await zwave_listen(
                self.url,
                deliver=self._deliver,
                codes_changed=self._codes_changed,
                connected=self._connected,
                stop=self._stop,
            )

        try:
            asyncio.run(main())
        finally:
            self._started.set()
            close_old_connections()

    # The callbacks run in worker threads of the loop (never inside it), so they may use the ORM.

    def _deliver(self, readings: list[LockEventReading]) -> None:
        account_events_pushed(account=self.account, readings=readings, now=timezone.now())

    def _codes_changed(self, device_id: str) -> None:
        now = timezone.now()
        for lock in Lock.objects.filter(
            owner=self.account.owner, driver=ZWAVE_JS, device_id=device_id
        ):
            lock_check_committed(lock=lock, now=now)

    def _connected(self, ok: bool, why: str) -> None:
        if not ok:
            logger.warning("Z-Wave JS account %s: not listening (%s)", self.account.pk, why)
        account_listening(account=self.account, listening=ok, why=why, now=timezone.now())


def listeners_sync(listeners: dict[int, AccountListener]) -> dict[int, AccountListener]:
    """Start a listener for every Z-Wave JS account not listened to yet; stop those whose
    account is gone or has another address. Returns the listeners now running."""
    accounts = {
        a.pk: a for a in DriverAccount.objects.filter(driver=ZWAVE_JS).select_related("owner")
    }
    running = {}
    for pk, listener in listeners.items():
        account = accounts.get(pk)
        if account is None or (account.credentials or {}).get("url", "") != listener.url:
            listener.stop()
        elif listener.thread.is_alive():
            running[pk] = listener
    for pk, account in accounts.items():
        if pk not in running:
            running[pk] = AccountListener(account).start()
    return running


def listen_doors(*, stop: threading.Event, refresh_seconds: float = REFRESH_SECONDS) -> None:
    """Listen to every Z-Wave JS account until `stop` is set."""
    listeners: dict[int, AccountListener] = {}
    try:
        while not stop.is_set():
            try:
                listeners = listeners_sync(listeners)
            except DatabaseError:  # busy or gone for a moment: the running ones go on
                logger.exception("Could not look up the Z-Wave JS accounts; trying again soon")
            close_old_connections()
            stop.wait(refresh_seconds)
    finally:
        for listener in listeners.values():
            listener.stop()
