"""The simulated lock driver: locks whose memory lives in the SimulatedDevice table.

They behave like real keypad locks (code lengths, constraints, a slot limit, latency, an
optional native schedule) and can be told to misbehave: go offline, lose a code, refuse writes,
hold a code nobody here manages, be factory reset.

Every call to a simulated lock costs its device's `latency_ms`, and, as on the Seam driver, a
call gives up after CALL_TIMEOUT_SECONDS: a lock slower than that answers with a timeout.
"""

import time
from datetime import datetime

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from locks.drivers.base import (
    CALL_TIMEOUT_SECONDS,
    LOCKED,
    REMOTE,
    UNLOCKED,
    CodeOnLock,
    CodeSpec,
    DeviceInfo,
    DriverError,
    EventBatch,
    LockEventReading,
)
from locks.issue_codes import (
    CODE_CONSTRAINTS_VIOLATED,
    DEVICE_DISCONNECTED,
    DEVICE_REMOVED,
    DUPLICATE_CODE_ON_DEVICE,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PROVIDER_ISSUE,
)
from locks.models import SimulatedCode, SimulatedDevice, SimulatedEvent
from locks.pins import pin_violations


class SimulatedDriver:
    key = "simulated"

    def __init__(self, *, now: datetime | None = None, **_options):
        self.now = now

    def _now(self) -> datetime:
        return self.now or timezone.now()

    def _device(self, device_id: str) -> SimulatedDevice:
        try:
            device = SimulatedDevice.objects.get(device_id=device_id)
        except SimulatedDevice.DoesNotExist:
            raise DriverError(
                "The lock is not known to its hub any more (removed or factory reset).",
                permanent=True,
                error_code=DEVICE_REMOVED,
            ) from None
        if device.latency_ms / 1000 > CALL_TIMEOUT_SECONDS:
            time.sleep(CALL_TIMEOUT_SECONDS)
            raise DriverError(
                f"The lock did not answer within {CALL_TIMEOUT_SECONDS:g} seconds.",
                error_code=PROVIDER_ISSUE,
            )
        if device.latency_ms:
            time.sleep(device.latency_ms / 1000)
        if device.wiped or not device.online:
            raise DriverError(
                "The lock is offline: it does not answer its hub.", error_code=DEVICE_DISCONNECTED
            )
        return device

    def _receive_write(self, device: SimulatedDevice) -> None:
        """Count a write command that reached the lock (accepted or not), then refuse it if busy."""
        # Counted before the write's own transaction, so a rejected write stays on the record.
        SimulatedDevice.objects.filter(pk=device.pk).update(writes=F("writes") + 1)
        if device.refuse_writes_until and device.refuse_writes_until > self._now():
            raise DriverError(
                "The lock refused the write (busy or jammed); it will be retried.",
                error_code=PROVIDER_ISSUE,
            )

    def discover(self, account: str) -> list[DeviceInfo]:
        devices = SimulatedDevice.objects.filter(owner__slug=account, wiped=False)
        return [self._info(d) for d in devices]

    def read_device(self, device_id: str) -> DeviceInfo:
        return self._info(self._device(device_id))

    def list_codes(self, device_id: str) -> list[CodeOnLock]:
        return self._codes(self._device(device_id))

    def read(self, device_id: str) -> tuple[DeviceInfo, list[CodeOnLock]]:
        """The device and its codes in one exchange with its hub, as a pass reads them."""
        device = self._device(device_id)
        return self._info(device), self._codes(device)

    def _codes(self, device: SimulatedDevice) -> list[CodeOnLock]:
        now = self._now()
        return [
            CodeOnLock(
                ref=str(c.slot),
                code=c.code,
                name=c.name,
                starts_at=c.starts_at,
                ends_at=c.ends_at,
                # The lock holds it with its own window, which has not begun.
                scheduled_on_device=c.starts_at is not None and now < c.starts_at,
            )
            for c in device.codes.all()
        ]

    def set_code(self, device_id: str, spec: CodeSpec) -> str:
        self._receive_write(self._device(device_id))
        with transaction.atomic():
            device = SimulatedDevice.objects.select_for_update().get(device_id=device_id)
            problems = pin_violations(
                spec.code, device.supported_code_lengths, device.code_constraints
            )
            if problems:
                raise DriverError(
                    "The lock rejected the PIN: " + "; ".join(problems) + ".",
                    permanent=True,
                    error_code=CODE_CONSTRAINTS_VIOLATED,
                )
            codes = list(device.codes.all())
            if any(c.code == spec.code for c in codes):
                raise DriverError(
                    "The same PIN is already on the lock.",
                    permanent=True,
                    error_code=DUPLICATE_CODE_ON_DEVICE,
                )
            if len(codes) >= device.max_active_codes:
                # Not permanent: the same write succeeds once a slot frees up.
                raise DriverError(
                    f"All {device.max_active_codes} code slots on the lock are in use.",
                    error_code=NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
                )
            used = {c.slot for c in codes}
            slot = next(n for n in range(1, device.max_active_codes + 1) if n not in used)
            native = device.supports_native_scheduling and spec.prefer_native_scheduling
            SimulatedCode.objects.create(
                device=device,
                slot=slot,
                name=spec.name[:32],
                code=spec.code,
                starts_at=spec.starts_at if native else None,
                ends_at=spec.ends_at if native else None,
            )
        return str(slot)

    def remove_code(self, device_id: str, ref: str) -> None:
        device = self._device(device_id)
        self._receive_write(device)
        SimulatedCode.objects.filter(device=device, slot=int(ref)).delete()

    # A page of the hub's event feed.
    EVENTS_PAGE = 200

    def read_events(self, account: str, cursor: str | None) -> EventBatch:
        """The hub's log of what its locks did at their doors, after `cursor` (the last event's
        number; None: from the log's start)."""
        log = SimulatedEvent.objects.filter(device__owner__slug=account).order_by("pk")
        after = int(cursor) if cursor else 0
        page = list(log.filter(pk__gt=after).select_related("device")[: self.EVENTS_PAGE])
        events = [
            LockEventReading(
                ref=str(e.pk),
                device_id=e.device.device_id,
                event_type=e.event_type,
                occurred_at=e.occurred_at,
                method=e.method,
                code_ref=str(e.slot) if e.slot is not None else "",
            )
            for e in page
        ]
        return EventBatch(
            events, str(page[-1].pk) if page else cursor, more=len(page) == self.EVENTS_PAGE
        )

    def unlock(self, device_id: str) -> None:
        self._turn(device_id, locked=False)

    def lock(self, device_id: str) -> None:
        self._turn(device_id, locked=True)

    def _turn(self, device_id: str, *, locked: bool) -> None:
        device = self._device(device_id)
        if not device.remote_unlock:
            raise DriverError("This lock cannot be locked or unlocked remotely.", permanent=True)
        try:
            self._receive_write(device)
        except DriverError:
            raise DriverError(
                "The lock is busy or jammed and did not turn.", error_code=PROVIDER_ISSUE
            ) from None
        device.locked = locked
        device.save(update_fields=["locked"])
        simulated_event_log(device, LOCKED if locked else UNLOCKED, REMOTE, self._now())

    @staticmethod
    def _info(device: SimulatedDevice) -> DeviceInfo:
        return DeviceInfo(
            device_id=device.device_id,
            name=device.name,
            model_name=device.model_name,
            online=device.online and not device.wiped,
            battery_level=device.battery_level,
            supported_code_lengths=list(device.supported_code_lengths),
            code_constraints=list(device.code_constraints),
            max_active_codes=device.max_active_codes,
            supports_native_scheduling=device.supports_native_scheduling,
            capabilities=("access_code", "lock") if device.has_keypad else ("lock",),
            locked=device.locked,
            can_remotely_unlock=device.remote_unlock,
            can_remotely_lock=device.remote_unlock,
        )


def simulated_event_log(
    device: SimulatedDevice, event_type: str, method: str, now: datetime, slot: int | None = None
) -> SimulatedEvent:
    """What the lock writes in its hub's log (the feed `read_events` reads)."""
    return SimulatedEvent.objects.create(
        device=device, event_type=event_type, method=method, slot=slot, occurred_at=now
    )


def keypad_entry(device: SimulatedDevice, code: str, now: datetime) -> SimulatedCode | None:
    """The code that opens the door when `code` is typed at `now`, or None: the door stays shut.

    The keypad works offline: it only needs what is in the lock's memory.
    """
    if device.wiped:
        return None
    for stored in device.codes.all():
        if stored.code != code:
            continue
        if stored.starts_at and now < stored.starts_at:
            continue
        if stored.ends_at and now >= stored.ends_at:
            continue
        return stored
    return None
