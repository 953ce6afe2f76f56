"""The connection to a Z-Wave JS Server, for the `zwave_js` driver: one short-lived session a call.

The driver's interface is synchronous; `zwave-js-server-python` (Home Assistant's client) is
asyncio. Each call runs in its own event loop (`asyncio.run`): connect to the server's websocket,
start listening (the server answers with its state: the network's nodes and their values),
do the call's work, close. Everything is under one deadline (`CALL_TIMEOUT_SECONDS`), so a dead
server or a node that never answers costs one call at most 8 s and blocks no other lock: each
lock's pass is its own call, in its own loop, with its own connection.

What the library raises is mapped here to `DriverError` with words for people; the library's
own messages are never passed on (a refused user code may be quoted in them).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp
from zwave_js_server.client import Client
from zwave_js_server.const import MIN_SERVER_SCHEMA_VERSION
from zwave_js_server.exceptions import (
    BaseZwaveJSServerError,
    CannotConnect,
    FailedCommand,
    FailedZWaveCommand,
    InvalidServerVersion,
)
from zwave_js_server.model.driver import Driver

from locks.drivers.base import CALL_TIMEOUT_SECONDS, DriverError
from locks.issue_codes import ACCOUNT_DISCONNECTED, PROVIDER_ISSUE

T = TypeVar("T")
# The library says "Connected to Home ..." at INFO on every connection: once a call here.
logging.getLogger("zwave_js_server").setLevel(logging.WARNING)


class ServerGone(Exception):
    """The server closed the connection while a call was under way."""


def url_problem(url: str) -> str:
    """What is wrong with a Z-Wave JS Server address, in words for the form ("" if nothing)."""
    if not url:
        return "Give the Z-Wave JS Server's address, e.g. ws://192.168.1.20:3000."
    if not url.startswith(("ws://", "wss://")):
        return "The address starts with ws:// (or wss://), e.g. ws://192.168.1.20:3000."
    return ""


def zwave_call(
    url: str,
    work: Callable[[Driver], Awaitable[T]],
    *,
    timeout: float = CALL_TIMEOUT_SECONDS,
) -> T:
    """Run `work(driver)` against the server at `url` within `timeout` seconds; `driver` is the
    library's view of the network (its controller, nodes and values), as the server sent it."""
    if problem := url_problem(url):
        raise DriverError(problem, permanent=True, error_code=ACCOUNT_DISCONNECTED)
    try:
        return asyncio.run(_session(url, work, timeout))
    except DriverError:
        raise
    except TimeoutError:
        raise DriverError(
            f"The Z-Wave JS Server or the lock did not answer within {timeout:g} seconds.",
            error_code=PROVIDER_ISSUE,
        ) from None
    except InvalidServerVersion as exc:
        raise DriverError(
            f"The Z-Wave JS Server at {url} speaks another version of its API (Innkeeper needs "
            f"schema {MIN_SERVER_SCHEMA_VERSION}): update the server or Innkeeper.",
            permanent=True,
            error_code=ACCOUNT_DISCONNECTED,
        ) from exc
    except (CannotConnect, aiohttp.ClientError, OSError) as exc:
        raise DriverError(
            f"Could not reach the Z-Wave JS Server at {url}; will retry.",
            error_code=PROVIDER_ISSUE,
        ) from exc
    except ServerGone:
        raise DriverError(
            "The Z-Wave JS Server closed the connection during the call; will retry.",
            error_code=PROVIDER_ISSUE,
        ) from None
    except FailedZWaveCommand as exc:
        raise DriverError(
            f"Z-Wave JS could not carry out the command (Z-Wave error {exc.zwave_error_code}); "
            "will retry.",
            error_code=PROVIDER_ISSUE,
        ) from None
    except FailedCommand as exc:
        raise DriverError(
            f"The Z-Wave JS Server refused the command ({exc.error_code}); will retry.",
            error_code=PROVIDER_ISSUE,
        ) from None
    except BaseZwaveJSServerError as exc:
        raise DriverError(
            f"The Z-Wave JS Server sent an unexpected answer ({type(exc).__name__}); will retry.",
            error_code=PROVIDER_ISSUE,
        ) from None


async def _session(url: str, work: Callable[[Driver], Awaitable[T]], timeout: float) -> T:
    async with asyncio.timeout(timeout):
        async with aiohttp.ClientSession() as http:
            client = Client(url, http)
            await client.connect()
            ready = asyncio.Event()
            listening = asyncio.create_task(client.listen(ready))
            waiting = asyncio.create_task(ready.wait())
            try:
                await asyncio.wait({listening, waiting}, return_when=asyncio.FIRST_COMPLETED)
                if not ready.is_set():
                    listening.result()  # raises what ended it
                    raise ServerGone
                assert client.driver is not None
                try:
                    return await work(client.driver)
                except asyncio.CancelledError:
                    # The library cancels what was waiting for an answer when the connection
                    # closes; our own deadline cancels us too, and is left to raise.
                    current = asyncio.current_task()
                    if listening.done() and current is not None and not current.cancelling():
                        raise ServerGone from None
                    raise
            finally:
                waiting.cancel()
                listening.cancel()
                await asyncio.gather(listening, waiting, return_exceptions=True)
