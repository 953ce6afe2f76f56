"""The interface every lock driver implements, and the one error type it raises."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol


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


@dataclass(frozen=True)
class CodeOnLock:
    """A code that is really on the lock now, as the driver reads it.

    `confirmed` is False while a cloud still reports the code as being programmed: it is known
    to the driver (so it must not be sent again) but not yet proven on the lock.
    """

    ref: str
    code: str
    name: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    confirmed: bool = True


@dataclass(frozen=True)
class CodeSpec:
    """What to program: a PIN, a label, and a window where the lock schedules natively."""

    code: str
    name: str
    starts_at: datetime | None = None
    ends_at: datetime | None = None


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
