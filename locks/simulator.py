"""The simulated lock's hardware: devices that behave like real ones, told to misbehave on demand.

It is what `make run` shows a newcomer and what the tests and the soak simulation run against.
"""

from datetime import datetime

from django.db import transaction

from locks import pins
from locks.crypto import secret_hash
from locks.door_events import account_events_read
from locks.drivers.base import ACCESS_DENIED, KEYCODE, LOCKED, MANUAL, UNLOCKED
from locks.drivers.simulated import keypad_entry, simulated_event_log
from locks.errors import ServiceError
from locks.issue_codes import DUPLICATE_ACCESS_CODE
from locks.models import (
    ActionAttempt,
    DriverAccount,
    Event,
    Lock,
    Owner,
    Property,
    SimulatedCode,
    SimulatedDevice,
    Unit,
)
from locks.records import lock_device_missing
from locks.scheduler import lock_check_now
from locks.services import lock_register

SIMULATED_MODELS = {
    "keypad": {
        "model_name": "Simulated keypad deadbolt",
        "supported_code_lengths": [4, 5, 6, 7, 8],
        "code_constraints": ["no_all_same_digits"],
        "max_active_codes": 20,
        "supports_native_scheduling": False,
    },
    "scheduling": {
        "model_name": "Simulated smart lock with native schedules",
        "supported_code_lengths": [4, 6],
        "code_constraints": ["no_all_same_digits", "no_ascending_or_descending_sequence"],
        "max_active_codes": 50,
        "supports_native_scheduling": True,
    },
    "strict": {
        "model_name": "Simulated 6-slot lever lock",
        "supported_code_lengths": [6],
        "code_constraints": [
            "no_zeros",
            "cannot_start_with_12",
            "no_triple_consecutive_ints",
            "at_least_three_unique_digits",
        ],
        "max_active_codes": 6,
        "supports_native_scheduling": False,
    },
}


def simulated_device_create(
    *, owner: Owner, name: str, model: str = "keypad", **overrides
) -> SimulatedDevice:
    if model not in SIMULATED_MODELS:
        raise ServiceError(f"Unknown simulated lock model “{model}”.", field="model")
    return SimulatedDevice.objects.create(
        owner=owner, name=name, **{**SIMULATED_MODELS[model], **overrides}
    )


def simulated_lock_create(
    *,
    owner: Owner,
    property: Property,
    name: str,
    now: datetime,
    model: str = "keypad",
    unit: Unit | None = None,
    location: str = "",
    **overrides,
) -> Lock:
    """A new simulated device, registered as a lock in one step (the demo's and tests' way)."""
    with transaction.atomic():
        device = simulated_device_create(owner=owner, name=name, model=model, **overrides)
        return lock_register(
            owner=owner,
            property=property,
            unit=unit,
            name=name,
            location=location,
            driver="simulated",
            device_id=device.device_id,
            now=now,
            account=simulated_hub(owner),
        )


def simulated_hub(owner: Owner) -> DriverAccount:
    """The owner's simulated hub: where discovery finds its simulated devices."""
    account, _ = DriverAccount.objects.get_or_create(
        owner=owner, driver="simulated", account_ref=owner.slug, defaults={"name": "Simulated hub"}
    )
    return account


def _simulated_device(lock: Lock) -> SimulatedDevice:
    if lock.driver != "simulated":
        raise ServiceError("This lock is not simulated; only simulated locks can be told that.")
    try:
        return SimulatedDevice.objects.get(device_id=lock.device_id, owner=lock.owner)
    except SimulatedDevice.DoesNotExist:
        raise ServiceError("The simulated device behind this lock is gone.") from None


def simulated_set_online(*, lock: Lock, online: bool, now: datetime) -> None:
    device = _simulated_device(lock)
    device.online = online
    device.save(update_fields=["online"])
    lock_check_now(lock=lock, now=now)


def simulated_refuse_writes(*, lock: Lock, until: datetime | None, now: datetime) -> None:
    device = _simulated_device(lock)
    device.refuse_writes_until = until
    device.save(update_fields=["refuse_writes_until"])


def simulated_remove_code(*, lock: Lock, code: str, now: datetime) -> bool:
    """As if someone deleted the PIN at the keypad; the reconciler notices on its next read."""
    deleted, _ = SimulatedCode.objects.filter(
        device=_simulated_device(lock), code_hash=secret_hash(code)
    ).delete()
    return bool(deleted)


def simulated_add_unmanaged_code(*, lock: Lock, code: str, name: str, now: datetime) -> None:
    """As if someone added a PIN at the keypad or in the vendor's app."""
    device = _simulated_device(lock)
    problems = pins.pin_violations(code, device.supported_code_lengths, device.code_constraints)
    if problems:
        raise ServiceError("The lock rejects that PIN: " + "; ".join(problems) + ".", field="code")
    if device.codes.filter(code_hash=secret_hash(code)).exists():
        raise ServiceError(
            "That PIN is already on the lock.",
            type=DUPLICATE_ACCESS_CODE,
            status=409,
            field="code",
        )
    used = set(device.codes.values_list("slot", flat=True))
    free = [n for n in range(1, device.max_active_codes + 1) if n not in used]
    if not free:
        raise ServiceError("The lock has no free code slot.", field="code")
    SimulatedCode.objects.create(device=device, slot=free[0], code=code, name=name[:32])
    lock_check_now(lock=lock, now=now)


def simulated_factory_reset(
    *, lock: Lock, now: datetime, keep_device_id: bool = False
) -> SimulatedDevice:
    """Wipe the device; like most real locks, it comes back under a brand-new device id.

    With `keep_device_id`, it is one of the locks that keep their id: only the codes go.
    """
    old = _simulated_device(lock)
    if keep_device_id:
        old.codes.all().delete()
        lock_check_now(lock=lock, now=now)
        return old
    with transaction.atomic():
        old.codes.all().delete()
        old.wiped = True
        old.online = False
        old.save(update_fields=["wiped", "online"])
        # Its hub sees the device leave its network and says so at once (as a Z-Wave
        # controller's node-removed event or Seam's device.removed webhook would): the door
        # shows its device gone, not what it last confirmed, from now.
        lock_device_missing(lock=lock, now=now)
        new = SimulatedDevice.objects.create(
            owner=old.owner,
            name=old.name,
            model_name=old.model_name,
            battery_level=old.battery_level,
            supported_code_lengths=old.supported_code_lengths,
            code_constraints=old.code_constraints,
            max_active_codes=old.max_active_codes,
            supports_native_scheduling=old.supports_native_scheduling,
            latency_ms=old.latency_ms,
        )
    lock_check_now(lock=lock, now=now)
    return new


def simulated_keypad_entry(*, lock: Lock, code: str, now: datetime) -> tuple[ActionAttempt, Event]:
    """A PIN typed at a simulated lock: it opens only for a code in the lock's memory now.

    The lock logs it with its hub, which reports it at once (as a hub's push would): the event
    is stored, attributed and acted on (an arrival, a lockout) before this returns."""
    device = _simulated_device(lock)
    stored = keypad_entry(device, code, now)
    with transaction.atomic():
        if stored is not None:
            device.locked = False
            device.save(update_fields=["locked"])
        logged = simulated_event_log(
            device,
            UNLOCKED if stored else ACCESS_DENIED,
            KEYCODE,
            now,
            slot=stored.slot if stored else None,
        )
        attempt = ActionAttempt.objects.create(
            owner=lock.owner,
            action_type="SIMULATE_KEYPAD_CODE_ENTRY",
            lock=lock,
            status=ActionAttempt.Status.SUCCESS,
            finished_at=now,
        )
    return attempt, _reported(lock, logged, now)


def simulated_turn_by_hand(*, lock: Lock, locked: bool, now: datetime) -> Event:
    """Someone turns the bolt from inside (a thumb-turn) or with a key."""
    device = _simulated_device(lock)
    device.locked = locked
    device.save(update_fields=["locked"])
    logged = simulated_event_log(device, LOCKED if locked else UNLOCKED, MANUAL, now)
    return _reported(lock, logged, now)


def _reported(lock: Lock, logged, now: datetime) -> Event:
    """The hub reports its log at once: the stored event of `logged`."""
    account_events_read(account=simulated_hub(lock.owner), now=now)
    return Event.objects.get(owner=lock.owner, driver_event_ref=f"simulated:{logged.pk}")
