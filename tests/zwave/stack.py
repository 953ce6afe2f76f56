"""The real Z-Wave JS stack for the zwave_js driver's tests (tests/zwave/mock_stack.mjs).

One Node process: zwave-js (pinned in package-lock.json beside this file) on a mock Z-Wave
controller with two mock door locks, Z-Wave JS Server on a free loopback port, and a loopback
control endpoint through which the tests make a lock act by itself and read what it holds.
Started once per test run (once per xdist worker); `zwave_stack` resets it before each test.
`make test` installs it with npm first (.ci/zwave-stack.sh). Without node or the packages the
tests skip locally, but fail in CI (CI=true): there they must run.

Use it from any test module:

    from tests.zwave.stack import zwave_stack, zwave_stack_server  # noqa: F401 (fixtures)

    def test_something(zwave_stack):
        zwave_stack.ws_url            # what a manager types on the Devices page
        zwave_stack.keypad_entry(LOCK, slot=3)
        assert zwave_stack.slots(LOCK) == {3: "4321"}
"""

import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "mock_stack.mjs"
# Installed beside the tests by .ci/zwave-stack.sh, from this folder's package-lock.json.
PACKAGES = ("zwave-js", "@zwave-js/server", "@zwave-js/testing")
START_SECONDS = 60

# The mock locks (node ids on the mock network; the controller is node 1).
LOCK = 2  # Allegion (Schlage) BE469 Touchscreen Deadbolt, 30 user-code slots, battery 90 %
SMALL_LOCK = 3  # Yale YRD226-ZW3 Assure, 5 user-code slots (to fill up), battery 15 %
SLOTS = {LOCK: 30, SMALL_LOCK: 5}


class Unavailable(Exception):
    """The stack cannot run here, and why."""


def missing() -> str:
    """What the stack needs and this machine lacks ("" when nothing)."""
    if shutil.which("node") is None:
        return "node is not installed"
    for package in PACKAGES:
        if not (HERE / "node_modules" / package / "package.json").exists():
            return f"{package} is not installed (make test runs .ci/zwave-stack.sh: npm ci)"
    return ""


class ZWaveStack:
    """The running stack: its websocket URL, and what the tests make the mock locks do."""

    def __init__(self, process: subprocess.Popen, ready: dict, log: Path | None = None):
        self.process = process
        self.log = log
        self.ws_url: str = ready["ws_url"]
        self.ws_port: int = ready["ws_port"]
        self.nodes: list[int] = ready["nodes"]
        self.control_url = f"http://127.0.0.1:{ready['control_port']}"
        self.http = httpx.Client(base_url=self.control_url, timeout=30)

    def _call(self, method: str, path: str, **body) -> dict | list:
        if self.process.poll() is not None:
            raise AssertionError(
                f"the mock Z-Wave stack has exited ({self.process.returncode})"
                + (_tail(self.log) if self.log else "")
            )
        response = self.http.request(method, path, json=body if body else None)
        answer = response.json()
        if response.status_code != 200:
            raise AssertionError(f"mock Z-Wave stack: {method} {path}: {answer.get('error')}")
        return answer

    # -- at the lock's keypad and door ------------------------------------------------------
    def keypad_entry(self, node_id: int, slot: int) -> None:
        """The PIN in `slot` typed at the keypad: the door unlocks. Z-Wave JS Server sends a
        Notification (Access Control, "Keypad unlock operation", parameters {"userId": slot})
        and the Door Lock CC's currentMode becomes 0 (unsecured)."""
        self._call("POST", f"/nodes/{node_id}/keypad_entry", slot=slot)

    def keypad_lock(self, node_id: int, slot: int) -> None:
        """Locked from the keypad by the holder of `slot` (Access Control event 5)."""
        self._call("POST", f"/nodes/{node_id}/keypad_lock", slot=slot)

    def invalid_code(self, node_id: int) -> None:
        """A wrong PIN typed (Home Security, "Tampering, invalid code")."""
        self._call("POST", f"/nodes/{node_id}/invalid_code")

    def keypad_disabled(self, node_id: int) -> None:
        """Too many wrong PINs: the keypad locks itself out (Access Control event 0x10)."""
        self._call("POST", f"/nodes/{node_id}/keypad_disabled")

    def manual_unlock(self, node_id: int) -> None:
        """The thumb-turn, from inside (Access Control event 2)."""
        self._call("POST", f"/nodes/{node_id}/manual_unlock")

    def manual_lock(self, node_id: int) -> None:
        self._call("POST", f"/nodes/{node_id}/manual_lock")

    # -- the lock's user-code memory ------------------------------------------------------------
    def slots(self, node_id: int) -> dict[int, str]:
        """What the lock itself holds, {slot: PIN}, for every slot in use (enabled or
        disabled); never what Z-Wave JS believes."""
        return {
            entry["slot"]: entry["code"]
            for entry in self.slot_details(node_id)
            if entry["status"] != "available"
        }

    def slot_details(self, node_id: int) -> list[dict]:
        """Every slot: {"slot": 1, "status": "available" | "enabled" | "disabled", "code"}."""
        return self._call("GET", f"/nodes/{node_id}/slots")["slots"]

    def set_slot(self, node_id: int, slot: int, code: str, report: bool = True) -> None:
        """A code put on the lock at the lock itself (an unmanaged code). With `report` the lock
        tells Z-Wave JS (a User Code Report, and Access Control "New user code added")."""
        self._call("PUT", f"/nodes/{node_id}/slots/{slot}", code=code, report=report)

    def delete_slot(self, node_id: int, slot: int, report: bool = True) -> None:
        """The code in `slot` deleted at the keypad. With `report` the lock tells Z-Wave JS
        (a User Code Report "available", and Access Control "Single user code deleted");
        without, Z-Wave JS still believes the code is there until it asks the lock."""
        self._call("POST", f"/nodes/{node_id}/slots/{slot}/delete", report=report)

    # -- the lock's radio and battery -----------------------------------------------------------
    def node_dead(self, node_id: int) -> None:
        """The lock stops answering; returns once Z-Wave JS has marked the node dead."""
        self._call("POST", f"/nodes/{node_id}/dead")

    def node_alive(self, node_id: int) -> None:
        """The lock answers again (and speaks first); returns once the node is alive."""
        self._call("POST", f"/nodes/{node_id}/alive")

    def battery(self, node_id: int, level: int) -> None:
        """The lock reports a new battery level (Battery CC, percent)."""
        self._call("POST", f"/nodes/{node_id}/battery", level=level)

    def locks(self) -> list[dict]:
        """[{"node_id", "slots", "status": "alive" | "dead", "door": "locked" | "unlocked"}]."""
        return self._call("GET", "/nodes")

    # -- the server -------------------------------------------------------------------------
    def server_stop(self) -> None:
        """Z-Wave JS Server goes away: its clients are disconnected, the port refuses."""
        self._call("POST", "/server/stop")

    def server_start(self) -> None:
        """Z-Wave JS Server comes back on the same port (ws_url stays right)."""
        self._call("POST", "/server/start")

    def reset(self) -> None:
        """Every lock blank (Z-Wave JS told so), locked, alive, its battery as at the start;
        the server up."""
        self._call("POST", "/reset")


def _read_ready_line(process: subprocess.Popen, log: Path) -> dict:
    """The launcher's ready line (zwave-js may print a line of its own before it)."""
    deadline = time.monotonic() + START_SECONDS
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                if line.startswith(b'{"ready":'):
                    return json.loads(line)
            left = deadline - time.monotonic()
            if left <= 0:
                raise Unavailable(
                    f"the Z-Wave JS stack did not come up within {START_SECONDS}s{_tail(log)}"
                )
            if selector.select(timeout=min(left, 1.0)):
                chunk = os.read(process.stdout.fileno(), 4096)
                if not chunk:
                    process.wait(timeout=10)
                    raise Unavailable(
                        f"the Z-Wave JS stack exited with status {process.returncode}{_tail(log)}"
                    )
                buffer += chunk


def _tail(log: Path) -> str:
    text = log.read_text(errors="replace").strip() if log.exists() else ""
    return f":\n{text[-2000:]}" if text else ""


@contextmanager
def running() -> Iterator[ZWaveStack]:
    """The stack, once it says it is ready; stopped afterwards (it exits when stdin closes)."""
    if missing():
        raise Unavailable(missing())
    with tempfile.TemporaryDirectory(prefix="innkeeper-zwave-stack-") as folder:
        log = Path(folder) / "stderr.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [shutil.which("node"), str(LAUNCHER)],
                cwd=HERE,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
            )
        stack = None
        try:
            stack = ZWaveStack(process, _read_ready_line(process, log), log)
            yield stack
        finally:
            if stack is not None:
                stack.http.close()
            process.stdin.close()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            process.stdout.close()


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"The Z-Wave JS stack is needed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def zwave_stack_server():
    """The stack as it is (session-wide, one per xdist worker): prefer `zwave_stack`."""
    try:
        with running() as stack:
            yield stack
    except Unavailable as reason:
        _unavailable(str(reason))


@pytest.fixture
def zwave_stack(zwave_stack_server):
    """The stack, reset: blank locks, locked, alive, the server up."""
    zwave_stack_server.reset()
    return zwave_stack_server
