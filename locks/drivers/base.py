"""The interface every lock driver implements, and the one error type it raises."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

# Every call to a lock gives up after this long (a slow lock must not stall a worker): the Seam
# driver's HTTP timeout, the simulated driver's too. Under two thirds of the scheduler's lease.
CALL_TIMEOUT_SECONDS = 8


class DriverError(Exception):
    """A lock or its cloud refused or failed.

    `message` is for people (never contains a PIN); `permanent` says retrying cannot help;
    `error_code` is a Seam-style code where one fits (e.g. `duplicate_code_on_device`).
    """

    def __init__(self, message: str, *, permanent: bool = False, error_code: str = ""):
        super().__init__(message)
        self.message = message
        self.permanent = permanent
        self.error_code = error_code


@dataclass(frozen=True)
class DeviceInfo:
    device_id: str
    name: str
    model_name: str = ""
    online: bool = True
    battery_level: float | None = None
    supported_code_lengths: list[int] = field(default_factory=list)
    code_constraints: list[str] = field(default_factory=list)
    max_active_codes: int | None = None
    supports_native_scheduling: bool = False
    capabilities: tuple[str, ...] = ("access_code", "lock")
    # The bolt as the lock reports it (None: it does not say), and what it can be told remotely.
    locked: bool | None = None
    can_remotely_unlock: bool = False
    can_remotely_lock: bool = False


@dataclass(frozen=True)
class CodeOnLock:
    """A code that is really on the lock now, as the driver reads it.

    `confirmed` is False while a cloud still reports the code as being programmed: it is known
    to the driver (so it must not be sent again) but not yet proven on the lock.
    `scheduled_on_device`: on the lock with its own window, which has not begun yet.
    `held_by_cloud`: the lock's cloud keeps it with its window and programs the lock itself
    before it starts (not on the lock yet, not to be sent again).
    `errors`/`warnings`: what the lock or its cloud reports on the code since it took it, as
    `{"error_code" | "warning_code": ..., "message": ...}`, worded by the driver (never a PIN).
    """

    ref: str
    code: str
    name: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    confirmed: bool = True
    scheduled_on_device: bool = False
    held_by_cloud: bool = False
    errors: tuple[dict, ...] = ()
    warnings: tuple[dict, ...] = ()


@dataclass(frozen=True)
class CodeSpec:
    """What to program: a PIN, a label, and a window where the lock schedules natively."""

    code: str
    name: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    # False: program it just in time, even where the lock could hold its schedule.
    prefer_native_scheduling: bool = True


# What a lock reports happened at its door, in Seam's event names.
UNLOCKED, LOCKED, ACCESS_DENIED = "lock.unlocked", "lock.locked", "lock.access_denied"
DOOR_OPENED, DOOR_CLOSED = "lock.door_opened", "lock.door_closed"
LOCK_EVENT_TYPES = (UNLOCKED, LOCKED, ACCESS_DENIED, DOOR_OPENED, DOOR_CLOSED)
# How: a PIN at the keypad, by hand (key, thumb-turn), or told over the air.
KEYCODE, MANUAL, REMOTE, UNKNOWN = "keycode", "manual", "remote", "unknown"


@dataclass(frozen=True)
class LockEventReading:
    """One thing a lock reports happened at its door, as the driver reads it.

    `ref`: the driver's own id for the event, unique within the driver (events are stored once
    by it); `code_ref`: the reference (as `CodeOnLock.ref`) of the code typed, when the lock
    names it. A driver never reports the PIN typed for a denied attempt.
    """

    ref: str
    device_id: str
    event_type: str
    occurred_at: datetime
    method: str = UNKNOWN
    code_ref: str = ""


@dataclass(frozen=True)
class EventBatch:
    """Events since a cursor, the oldest first, and the cursor to read on from next time.

    `more`: the driver stopped at its page size; read again from `cursor` at once."""

    events: list[LockEventReading]
    cursor: str
    more: bool = False


class LockDriver(Protocol):
    key: str

    def discover(self, account: str) -> list[DeviceInfo]:
        """The devices an account can see now."""

    def read_device(self, device_id: str) -> DeviceInfo:
        """What the device reports about itself; raises DriverError when unreachable."""

    def list_codes(self, device_id: str) -> list[CodeOnLock]:
        """Every code on the lock now, managed by us or not."""

    def set_code(self, device_id: str, spec: CodeSpec) -> str:
        """Program a PIN; returns the driver's reference for it."""

    def remove_code(self, device_id: str, ref: str) -> None:
        """Remove a PIN by reference; removing one that is already gone is not an error."""

    # Optional: `update_code(device_id, ref, spec) -> str` changes a code in place (its window),
    # keeping its reference where the lock can; `code_update` falls back to remove + set.
    # Optional: `read_events(account, cursor) -> EventBatch`: what the account's locks reported
    # since `cursor` (None: never read; the driver says where to start: the simulated hub's log
    # from its start, Seam's feed an hour back), at most a page at a time.
    # Optional: `unlock(device_id)` / `lock(device_id)`: turn the bolt remotely, raising
    # DriverError when the lock did not (DeviceInfo.can_remotely_unlock says it can try).


def lock_read(driver: LockDriver, device_id: str) -> tuple[DeviceInfo, list[CodeOnLock]]:
    """What a pass reads first: the device and its codes, in one call where the driver offers
    `read` (the lock answers both at once), else by `read_device` then `list_codes`."""
    read = getattr(driver, "read", None)
    if read is not None:
        return read(device_id)
    return driver.read_device(device_id), driver.list_codes(device_id)


def code_update(driver: LockDriver, device_id: str, ref: str, spec: CodeSpec) -> str:
    """Give a code on the lock a new window (or name): in place where the driver can, else by
    removing it and programming it again. Returns the code's reference now."""
    update = getattr(driver, "update_code", None)
    if update is not None:
        return update(device_id, ref, spec)
    driver.remove_code(device_id, ref)
    return driver.set_code(device_id, spec)
