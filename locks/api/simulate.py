"""Driving simulated locks through the API, as Seam's sandbox allows: the demo's and tests' way.

These change the simulated *hardware* (as a person at the door would); Innkeeper notices on
its next reading of the lock, exactly as it would with a real one.
"""

from datetime import datetime

from rest_framework.exceptions import Throttled

from locks import selectors, simulator
from locks.api import answers as a
from locks.api import serializers as s
from locks.api.base import endpoint
from locks.errors import NotFound
from locks.issue_codes import ACCESS_CODE_NOT_FOUND
from locks.models import ApiKey, Owner
from locks.tenancy import attempt_limits


@endpoint(input=s.DeviceIdInput, summary="Simulate: the lock comes back online")
def simulate_connect(*, owner: Owner, params: dict, now: datetime) -> dict:
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    simulator.simulated_set_online(lock=lock, online=True, now=now)
    return {}


@endpoint(input=s.DeviceIdInput, summary="Simulate: the lock goes offline")
def simulate_disconnect(*, owner: Owner, params: dict, now: datetime) -> dict:
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    simulator.simulated_set_online(lock=lock, online=False, now=now)
    return {}


@endpoint(input=s.DeviceIdInput, summary="Simulate: a factory reset")
def simulate_factory_reset(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The lock's codes are wiped and the hardware answers under a new id from now on."""
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    simulator.simulated_factory_reset(lock=lock, now=now)
    return {}


@endpoint(input=s.DeviceCodeInput, summary="Simulate: someone deletes a PIN at the keypad")
def simulate_remove_code(*, owner: Owner, params: dict, now: datetime) -> dict:
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    if not simulator.simulated_remove_code(lock=lock, code=params["code"], now=now):
        raise NotFound("No code with that PIN is on the lock.", type=ACCESS_CODE_NOT_FOUND)
    return {}


@endpoint(
    input=s.UnmanagedCodeInput,
    summary="Simulate: someone adds a PIN at the keypad",
    answer=a.FoundCodeAnswer,
    errors=(404, 409),
)
def simulate_create_unmanaged_code(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The code is on the lock at once; it is listed (with its id) once the lock is next read."""
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    simulator.simulated_add_unmanaged_code(
        lock=lock, code=params["code"], name=params["name"], now=now
    )
    return {
        "access_code": {
            "access_code_id": None,
            "device_id": str(lock.public_id),
            "name": params["name"],
            "code": params["code"],
            "type": "ongoing",
            "status": "set",
            "is_managed": False,
            "errors": [],
            "warnings": [],
            "created_at": now.isoformat(),
        }
    }


@endpoint(
    input=s.DeviceCodeInput,
    summary="Simulate: a PIN typed at the keypad",
    answer=a.KeypadEntryAnswer,
    with_key=True,
)
def simulate_keypad_code_entry(*, owner: Owner, params: dict, now: datetime, key: ApiKey) -> dict:
    """Opens only for a code in the lock's memory now; the outcome is in `event`. At most 10
    tries in 10 minutes per API key (then 429 `too_many_requests`, with Retry-After)."""
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    wait = attempt_limits.attempt_take(
        limit=attempt_limits.KEYPAD_TRIES, subject=f"key:{key.pk}", now=now
    )
    if wait is not None:
        raise Throttled(
            wait=wait.total_seconds(),
            detail=f"This API key has tried {attempt_limits.KEYPAD_TRIES.attempts} PINs at "
            "keypads in the last 10 minutes, the most allowed, so this one was not tried. Try "
            f"again {attempt_limits.retry_words(wait)} (Retry-After).",
        )
    attempt, event = simulator.simulated_keypad_entry(lock=lock, code=params["code"], now=now)
    return {
        "action_attempt": s.ActionAttemptSerializer(attempt, context={"now": now}).data,
        "event": s.EventSerializer(event).data,
    }
