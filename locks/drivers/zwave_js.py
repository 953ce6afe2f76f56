"""The Z-Wave JS driver: Z-Wave locks on the host's own network, through a Z-Wave JS Server.

No cloud: the manager runs Z-Wave JS Server (standalone, in Z-Wave JS UI, or Home Assistant's
add-on) next to the Z-Wave stick, and connects its `ws://` address on the Devices page. Each
call is one short session with the server (`zwave_js_client`), under CALL_TIMEOUT_SECONDS.

- Devices are the nodes with the User Code command class; their id is `<home id>:<node id>`, so
  a node of another network (another stick) is never mistaken for one of ours.
- Codes live in the lock's user-code slots; a code's reference is its slot number. A PIN goes
  only into a slot the lock reports free (status available, no code), read from the lock just
  before the write, so a slot holding someone else's code is never overwritten; removing clears
  the slot (status available). Which slots are Innkeeper's is the reconciler's knowledge
  (`AccessCode.device_ref`), not the lock's: every other code found is an unmanaged code.
- Every read asks the lock itself for its slots (User Code Get per slot), not the server's
  cache, so a code deleted at the keypad is seen at the next pass and a write is confirmed by
  the lock's own report, never by the command's acknowledgement.
- Z-Wave locks keep no schedules here: codes go on just in time and come off at their end.
- Events are pushed by the lock over the websocket, not kept: `locks.door_listener` listens.
"""

from datetime import datetime

from zwave_js_server.const import CommandClass, NodeStatus
from zwave_js_server.model.driver import Driver
from zwave_js_server.model.node import Node

from locks.drivers.base import CodeOnLock, CodeSpec, DeviceInfo, DriverError
from locks.drivers.zwave_js_client import zwave_call
from locks.issue_codes import (
    CODE_CONSTRAINTS_VIOLATED,
    DEVICE_DISCONNECTED,
    DEVICE_REMOVED,
    DUPLICATE_CODE_ON_DEVICE,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PROVIDER_ISSUE,
)

# User Code CC: a slot's status (userIdStatus).
AVAILABLE, ENABLED, DISABLED = 0, 1, 2
STATUS_NOT_AVAILABLE = 0xFE
# Door Lock CC modes.
UNSECURED, SECURED = 0, 255
# Z-Wave user codes are 4 to 10 digits (User Code CC); the lock may be stricter and say so.
ZWAVE_CODE_LENGTHS = range(4, 11)


def device_id_of(home_id: int | None, node_id: int) -> str:
    return f"{home_id}:{node_id}"


def is_lock(node: Node) -> bool:
    return not node.is_controller_node and any(
        cc.id == CommandClass.USER_CODE for cc in node.command_classes
    )


def _values(node: Node, cc: CommandClass, prop: str) -> list:
    return [
        v
        for v in node.values.values()
        if v.command_class == cc and v.property_ == prop and (v.endpoint or 0) == 0
    ]


def _value(node: Node, cc: CommandClass, prop: str):
    found = _values(node, cc, prop)
    return found[0].value if found else None


def slot_numbers(node: Node) -> list[int]:
    """The lock's user-code slots, as Z-Wave JS learnt them in the node's interview."""
    return sorted(
        int(v.property_key)
        for v in _values(node, CommandClass.USER_CODE, "userIdStatus")
        if isinstance(v.property_key, int)
    )


def is_online(node: Node) -> bool:
    return node.status not in (NodeStatus.DEAD, NodeStatus.ASLEEP)


def device_info(node: Node, home_id: int | None) -> DeviceInfo:
    mode = _value(node, CommandClass.DOOR_LOCK, "currentMode")
    battery = _value(node, CommandClass.BATTERY, "level")
    config = node.device_config
    model = " ".join(p for p in (config.manufacturer, config.label) if p) if config else ""
    door_lock = any(cc.id == CommandClass.DOOR_LOCK for cc in node.command_classes)
    slots = slot_numbers(node)
    return DeviceInfo(
        device_id=device_id_of(home_id, node.node_id),
        name=node.name
        or (f"{model} ({node.location})" if node.location else "")
        or model
        or f"Z-Wave node {node.node_id}",
        model_name=model or (config.description if config else "") or "Z-Wave lock",
        online=is_online(node),
        battery_level=float(battery) / 100 if isinstance(battery, int | float) else None,
        max_active_codes=len(slots) or None,
        supports_native_scheduling=False,
        capabilities=("access_code", "lock"),
        locked=None if mode not in (UNSECURED, SECURED) else mode == SECURED,
        can_remotely_unlock=door_lock,
        can_remotely_lock=door_lock,
    )


def _report(slot: int, report) -> CodeOnLock | None:
    """A slot as the lock reported it (User Code Report): a code when it holds one."""
    if not isinstance(report, dict):
        return None
    status, code = report.get("userIdStatus"), _text(report.get("userCode"))
    if status in (None, AVAILABLE, STATUS_NOT_AVAILABLE) or not isinstance(code, str) or not code:
        return None
    # A disabled code opens nothing but holds its slot: it is on the lock, and named so.
    return CodeOnLock(ref=str(slot), code=code, name="" if status == ENABLED else "disabled")


class ZWaveJSDriver:
    key = "zwave_js"

    def __init__(self, *, url: str = "", now: datetime | None = None, **_options):
        self.url = url
        self.now = now

    # --- the network -----------------------------------------------------------------------

    def _call(self, work):
        return zwave_call(self.url, work)

    @staticmethod
    def _node(driver: Driver, device_id: str, *, reachable: bool = True) -> Node:
        home, _, node = device_id.partition(":")
        controller = driver.controller
        found = controller.nodes.get(int(node)) if node.isdigit() else None
        if found is None or home != str(controller.home_id) or not is_lock(found):
            raise DriverError(
                "The Z-Wave network no longer has this lock (excluded, or another network).",
                permanent=True,
                error_code=DEVICE_REMOVED,
            )
        if reachable and not is_online(found):
            state = "asleep" if found.status == NodeStatus.ASLEEP else "dead"
            raise DriverError(
                f"The lock is offline: Z-Wave JS reports the node {state}.",
                error_code=DEVICE_DISCONNECTED,
            )
        return found

    def home_id(self) -> int | None:
        """The network's home id (connecting proves the server answers)."""

        async def work(driver: Driver):
            return driver.controller.home_id

        return self._call(work)

    def discover(self, account: str) -> list[DeviceInfo]:
        async def work(driver: Driver):
            home = driver.controller.home_id
            return [device_info(n, home) for n in driver.controller.nodes.values() if is_lock(n)]

        return self._call(work)

    def read_device(self, device_id: str) -> DeviceInfo:
        async def work(driver: Driver):
            return device_info(self._node(driver, device_id), driver.controller.home_id)

        return self._call(work)

    def read(self, device_id: str) -> tuple[DeviceInfo, list[CodeOnLock]]:
        """The node and every slot, asked of the lock, in one session."""

        async def work(driver: Driver):
            node = self._node(driver, device_id)
            codes = await _slots_read(node)
            return device_info(node, driver.controller.home_id), codes

        return self._call(work)

    def list_codes(self, device_id: str) -> list[CodeOnLock]:
        async def work(driver: Driver):
            return await _slots_read(self._node(driver, device_id))

        return self._call(work)

    # --- writes ----------------------------------------------------------------------------

    def set_code(self, device_id: str, spec: CodeSpec) -> str:
        if not spec.code.isdigit() or len(spec.code) not in ZWAVE_CODE_LENGTHS:
            raise DriverError(
                "Z-Wave locks take PINs of 4 to 10 digits.",
                permanent=True,
                error_code=CODE_CONSTRAINTS_VIOLATED,
            )

        async def work(driver: Driver):
            node = self._node(driver, device_id)
            slots = slot_numbers(node)
            if not slots:
                raise DriverError(
                    "Z-Wave JS has not learnt the lock's user-code slots yet (its interview is "
                    "not finished); will retry.",
                    error_code=PROVIDER_ISSUE,
                )
            held = {}
            for slot in slots:
                held[slot] = _cached_code(node, slot)
            if spec.code in {c for c in held.values() if c}:
                raise _duplicate()
            for slot in slots:
                if held[slot] is not None:
                    continue
                # Asked of the lock just before writing: a code typed in at the keypad since
                # the pass read the lock is never overwritten.
                now_there = _report(slot, await _slot_get(node, slot))
                if now_there is not None:
                    if now_there.code == spec.code:
                        raise _duplicate()
                    continue
                await node.async_invoke_cc_api(
                    CommandClass.USER_CODE, "set", slot, ENABLED, spec.code, wait_for_result=True
                )
                # The lock's own report of the slot, for the pass's read-back to go by.
                await _slot_get(node, slot)
                return str(slot)
            raise DriverError(
                f"All {len(slots)} user-code slots on the lock are in use.",
                error_code=NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
            )

        return self._call(work)

    def remove_code(self, device_id: str, ref: str) -> None:
        if not ref.isdigit():
            return  # not a slot of this lock: nothing of ours is there

        async def work(driver: Driver):
            node = self._node(driver, device_id)
            if int(ref) not in slot_numbers(node):
                return
            await node.async_invoke_cc_api(
                CommandClass.USER_CODE, "clear", int(ref), wait_for_result=True
            )
            # Asked of the lock again: that confirms it, and the server's own copy of the slot
            # (which the next write picks a free slot by) says free now, not a moment later.
            await _slot_get(node, int(ref))

        self._call(work)

    def unlock(self, device_id: str) -> None:
        self._turn(device_id, UNSECURED)

    def lock(self, device_id: str) -> None:
        self._turn(device_id, SECURED)

    def _turn(self, device_id: str, mode: int) -> None:
        """Door Lock CC: set the target mode, then ask the lock its mode (its own report)."""
        verb = "unlock" if mode == UNSECURED else "lock"

        async def work(driver: Driver):
            node = self._node(driver, device_id)
            target = _values(node, CommandClass.DOOR_LOCK, "targetMode")
            if not target:
                raise DriverError(
                    "This Z-Wave lock cannot be locked or unlocked remotely.", permanent=True
                )
            await node.async_set_value(target[0], mode, wait_for_result=True)
            report = await node.async_invoke_cc_api(
                CommandClass.DOOR_LOCK, "get", wait_for_result=True
            )
            current = report.get("currentMode") if isinstance(report, dict) else None
            if current != mode:
                raise DriverError(
                    f"The lock did not {verb}: it reports it is still "
                    f"{'locked' if current == SECURED else 'not locked'}.",
                    error_code=PROVIDER_ISSUE,
                )

        self._call(work)


def _text(code):
    """A user code as text: Z-Wave JS sends a code that is not plain ASCII as a Buffer."""
    if isinstance(code, dict) and code.get("type") == "Buffer":
        try:
            return bytes(code.get("data") or []).decode("ascii")
        except (UnicodeDecodeError, ValueError, TypeError):
            return None
    return code


def _duplicate() -> DriverError:
    return DriverError(
        "The same PIN is already on the lock.", permanent=True, error_code=DUPLICATE_CODE_ON_DEVICE
    )


def _heard(node: Node, slot: int) -> dict:
    """A slot as the server last heard it from the lock (`userIdStatus` None: never heard)."""
    heard = {"userIdStatus": None, "userCode": None}
    for v in node.values.values():
        if (
            v.command_class == CommandClass.USER_CODE
            and v.property_key == slot
            and (v.property_ in heard)
        ):
            heard[v.property_] = v.value
    return heard


def _cached_code(node: Node, slot: int) -> str | None:
    """A slot's code as the server last heard it from the lock (None: free)."""
    heard = _heard(node, slot)
    status = heard["userIdStatus"]
    found = _report(slot, heard)
    if found is None and status not in (None, AVAILABLE):
        return ""  # taken, code unknown
    return found.code if found else None


async def _slot_get(node: Node, slot: int):
    return await node.async_invoke_cc_api(CommandClass.USER_CODE, "get", slot, wait_for_result=True)


async def _slots_read(node: Node) -> list[CodeOnLock]:
    """Every slot as the lock last reported it. A slot the server has not heard of since it
    started is asked of the lock (one User Code Get, about a second on a battery lock); the
    others are the lock's own last reports, which it sends when a code changes at its keypad
    and which each write here asks for. So a pass costs a lock's battery one Get per slot
    written, not one per slot (30 on a BE469) every poll."""
    codes = []
    for slot in slot_numbers(node):
        heard = _heard(node, slot)
        if heard["userIdStatus"] is None:
            heard = await _slot_get(node, slot)
        found = _report(slot, heard)
        if found is not None:
            codes.append(found)
    return codes
