"""Access codes, devices, action attempts and events, as Seam's API answers them.

Each endpoint reads through the selectors (scoped to the key's owner: other owners' objects
answer 404) and writes through the services; none talks to a lock: the reconciler does.
"""

from datetime import datetime

from backups.services import backup_pool_enable, backup_pull
from locks import access_codes, remote, selectors, unmanaged
from locks.api import answers as a
from locks.api import serializers as s
from locks.api.base import endpoint, paginate
from locks.crypto import secret_hash
from locks.errors import NotFound, ServiceError
from locks.issue_codes import ACCESS_CODE_NOT_FOUND
from locks.metadata import custom_metadata_filtered
from locks.models import AccessCode, ApiKey, Owner
from reservations.selectors import reservation_get


def _code(code, now: datetime) -> dict:
    return s.AccessCodeSerializer(code, context={"now": now}).data


def _codes(codes, now: datetime) -> list[dict]:
    return s.AccessCodeSerializer(codes, many=True, context={"now": now}).data


def _attempt(attempt, now: datetime) -> dict:
    return s.ActionAttemptSerializer(attempt, context={"now": now}).data


def use_backup_pool(params: dict, lock, now: datetime) -> None:
    """Seam's switch: `use_backup_access_code_pool: true` on any code turns the lock's pool on
    (false leaves it as it is, as on Seam)."""
    if params.get("use_backup_access_code_pool") and not lock.backup_pool_enabled:
        backup_pool_enable(lock=lock, now=now)


def external_modification(params: dict) -> bool | None:
    """Seam renamed `allow_external_modification`; either name is taken."""
    if "allow_external_modification" in params:
        return params["allow_external_modification"]
    return params.get("is_external_modification_allowed")


# --- access codes --------------------------------------------------------------------------------


@endpoint(
    input=s.AccessCodeCreateInput,
    summary="Create an access code",
    answer=a.AccessCodeCreatedAnswer,
    errors=(404, 409),
)
def access_code_create(*, owner: Owner, params: dict, now: datetime) -> dict:
    """A PIN for one lock, ongoing or time-bound; without `code`, one is generated.

    The code starts `unset`; the answer's action attempt finishes when the lock confirms it.
    """
    # The service reads the lock again, locked, with what it needs.
    lock = selectors.lock_get_by_device_id(owner, params["device_id"], related=())
    code, attempt = access_codes.access_code_create(
        lock=lock,
        now=now,
        name=params.get("name", ""),
        code=params.get("code"),
        starts_at=params.get("starts_at"),
        ends_at=params.get("ends_at"),
        preferred_code_length=params.get("preferred_code_length"),
        allow_external_modification=bool(external_modification(params)),
        common_code_key=params.get("common_code_key", ""),
        prefer_native_scheduling=params.get("prefer_native_scheduling", True),
    )
    use_backup_pool(params, lock, now)
    return {"access_code": _code(code, now), "action_attempt": _attempt(attempt, now)}


@endpoint(
    "GET", input=s.AccessCodeGetInput, summary="Get an access code", answer=a.AccessCodeAnswer
)
def access_code_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """By `access_code_id`, or by `device_id` and `code`. Removed codes answer 404."""
    if params.get("access_code_id"):
        code = selectors.api_access_code_read(owner, params["access_code_id"])
    else:
        lock = selectors.lock_get_by_device_id(owner, params["device_id"])
        code = selectors.access_code_get_by_pin(lock, params["code"])
    return {"access_code": _code(code, now)}


@endpoint(
    "GET", input=s.AccessCodeListInput, summary="List access codes", answer=a.AccessCodesAnswer
)
def access_code_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The live managed codes of a device, or the ones named in `access_code_ids`."""
    device_id = params.get("device_id")
    if device_id:
        codes = selectors.access_codes_on_device(owner, device_id)
    else:
        codes = selectors.access_codes_for(owner)
    codes = codes.filter(removed_at__isnull=True, is_managed=True)
    if "access_code_ids" in params:
        codes = codes.filter(pk__in=params["access_code_ids"])
    page, pagination = paginate(codes, params)
    if device_id and not page:
        # No codes: an unknown device answers 404 (a second query only then).
        selectors.lock_get_by_device_id(owner, device_id, related=())
    return {"access_codes": _codes(page, now), "pagination": pagination}


@endpoint(
    "PATCH",
    "PUT",
    input=s.AccessCodeUpdateInput,
    summary="Update an access code",
    answer=a.ActionAttemptAnswer,
    errors=(404, 409),
)
def access_code_update(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Change the name, the PIN or the window; a new PIN replaces the old one on the lock."""
    code = selectors.api_access_code_get(owner, params["access_code_id"])
    if params.get("device_id") and params["device_id"] != str(code.lock.public_id):
        raise ServiceError(
            "An access code cannot move to another lock; delete it and create a new one there.",
            field="device_id",
        )
    if params.get("is_managed") is False:
        raise ServiceError(
            "Innkeeper cannot stop managing a code; delete it instead.", field="is_managed"
        )
    fields = ("name", "code", "starts_at", "ends_at", "type", "prefer_native_scheduling")
    changes = {k: params[k] for k in fields if k in params}
    external = external_modification(params)
    if external is not None:
        changes["allow_external_modification"] = external
    attempt = access_codes.access_code_update(access_code=code, now=now, **changes)
    use_backup_pool(params, code.lock, now)
    return {"action_attempt": _attempt(attempt, now)}


@endpoint(
    "DELETE",
    input=s.AccessCodeIdInput,
    summary="Delete an access code",
    answer=a.ActionAttemptAnswer,
)
def access_code_delete(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The code shows `removing` until the lock confirms its removal; then it is gone."""
    code = selectors.api_access_code_get(owner, params["access_code_id"])
    attempt = access_codes.access_code_delete(access_code=code, now=now)
    return {"action_attempt": _attempt(attempt, now)}


@endpoint(
    input=s.AccessCodeIdInput,
    summary="Pull a backup access code",
    answer=a.BackupPulledAnswer,
    errors=(404, 409),
)
def access_code_pull_backup(*, owner: Owner, params: dict, now: datetime) -> dict:
    """A healthy backup from the lock's pool in place of a time-bound code, until that code ends.

    Pulling again for the same code returns the same backup. The backup is under both
    `access_code` (what Seam's SDK reads) and `backup_access_code` (older clients).
    """
    code = selectors.api_access_code_get(owner, params["access_code_id"])
    backup = _code(backup_pull(access_code=code, now=now), now)
    return {"access_code": backup, "backup_access_code": backup}


@endpoint(
    "GET",
    input=s.DeviceIdInput,
    summary="Generate a PIN for a device",
    answer=a.GeneratedCodeAnswer,
)
def access_code_generate(*, owner: Owner, params: dict, now: datetime) -> dict:
    """A PIN the lock accepts and that no code on it uses; nothing is saved."""
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    pin = access_codes.access_code_generate(lock=lock, now=now)
    return {"generated_code": {"device_id": str(lock.public_id), "code": pin}}


@endpoint(
    "GET",
    input=s.UnmanagedListInput,
    summary="List unmanaged access codes",
    answer=a.AccessCodesAnswer,
)
def unmanaged_access_code_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Codes found on the lock that nobody created here (as of the lock's last reading)."""
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    codes = selectors.live_codes_for_lock(lock, managed=False).select_related("lock")
    page, pagination = paginate(codes, params)
    return {"access_codes": _codes(page, now), "pagination": pagination}


def unmanaged_access_code_for(owner: Owner, params: dict) -> AccessCode:
    """A code found on one of the owner's locks; a managed, removed or other owner's code is
    not one (404), so this never reaches past the key's owner."""
    if params.get("access_code_id"):
        code = selectors.access_code_get(owner, params["access_code_id"])
    else:
        lock = selectors.lock_get_by_device_id(owner, params["device_id"])
        live = selectors.live_codes_for_lock(lock, managed=False)
        code = live.filter(code_hash=secret_hash(params["code"])).first()
    if code is None or code.is_managed or code.removed_at is not None:
        raise NotFound(
            "No unmanaged access code with that id; managed codes are under access_codes/get.",
            type=ACCESS_CODE_NOT_FOUND,
        )
    return code


@endpoint(
    "GET",
    input=s.AccessCodeGetInput,
    summary="Get an unmanaged access code",
    answer=a.AccessCodeAnswer,
)
def unmanaged_access_code_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """By `access_code_id`, or by `device_id` and `code`."""
    return {"access_code": _code(unmanaged_access_code_for(owner, params), now)}


@endpoint(
    "PATCH",
    input=s.UnmanagedConvertInput,
    summary="Manage a code found on the lock",
    answer=a.AccessCodeAnswer,
)
def unmanaged_access_code_convert_to_managed(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The code stays on the lock with its PIN and is managed from now on, like any other."""
    code = unmanaged.unmanaged_code_take_over(
        access_code=unmanaged_access_code_for(owner, params),
        now=now,
        allow_external_modification=external_modification(params),
    )
    return {"access_code": _code(code, now)}


@endpoint(
    "DELETE",
    input=s.AccessCodeIdInput,
    summary="Remove a code found on the lock",
    answer=a.ActionAttemptAnswer,
)
def unmanaged_access_code_delete(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Takes the code off the lock; the action attempt finishes when the lock confirms it."""
    attempt = unmanaged.unmanaged_code_remove(
        access_code=unmanaged_access_code_for(owner, params), now=now
    )
    return {"action_attempt": _attempt(attempt, now)}


# --- devices and locks ---------------------------------------------------------------------------


def _devices(owner: Owner, params: dict):
    locks = selectors.devices_for(owner)
    if "custom_metadata_has" in params:
        locks = custom_metadata_filtered(locks, params["custom_metadata_has"])
    if "device_ids" in params:
        locks = locks.filter(public_id__in=params["device_ids"])
    types = [*params.get("device_types", []), *filter(None, [params.get("device_type")])]
    if types:
        locks = locks.filter(driver__in=[t.removesuffix("_lock") for t in types])
    page, pagination = paginate(locks, params)
    return s.DeviceSerializer(page, many=True).data, pagination


def _device(owner: Owner, params: dict) -> dict:
    if params.get("device_id"):
        lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    else:
        lock = selectors.lock_get_by_name(owner, params["name"])
    return s.DeviceSerializer(lock).data


@endpoint("GET", input=s.DeviceListInput, summary="List devices", answer=a.DevicesAnswer, errors=())
def device_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Every lock of the key's owner; filter with `device_ids`, `device_type(s)` or
    `custom_metadata_has` (every pair must match; null: the key is unset)."""
    devices, pagination = _devices(owner, params)
    return {"devices": devices, "pagination": pagination}


@endpoint("GET", input=s.DeviceGetInput, summary="Get a device", answer=a.DeviceAnswer)
def device_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """By `device_id` (or `name`)."""
    return {"device": _device(owner, params)}


@endpoint("GET", input=s.DeviceListInput, summary="List locks", answer=a.LocksAnswer, errors=())
def lock_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """As devices/list; the list is under both `locks` and `devices` (the SDK reads the latter)."""
    devices, pagination = _devices(owner, params)
    return {"locks": devices, "devices": devices, "pagination": pagination}


@endpoint("GET", input=s.DeviceGetInput, summary="Get a lock", answer=a.LockAnswer)
def lock_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """As devices/get; the device is under both `lock` and `device` (the SDK reads the latter)."""
    device = _device(owner, params)
    return {"lock": device, "device": device}


def _turn(owner: Owner, params: dict, now: datetime, key: ApiKey, *, unlock: bool) -> dict:
    lock = selectors.lock_get_by_device_id(
        owner, params["device_id"], related=("owner", "property", "unit", "account")
    )
    stay = None
    if params["reservation_id"] is not None:
        stay = reservation_get(owner, params["reservation_id"])
        if stay.property_id != lock.property_id or lock.unit_id not in (None, stay.unit_id):
            raise ServiceError(
                f"{stay.guest_name}'s stay has no code on {lock.name}: it is not one of its doors.",
                field="reservation_id",
            )
    attempt, _ = remote.lock_turn(
        lock=lock, unlock=unlock, now=now, by=key.name, reason=params["reason"], reservation=stay
    )
    return {"action_attempt": _attempt(attempt, now)}


@endpoint(
    input=s.RemoteTurnInput,
    summary="Unlock a door now",
    answer=a.ActionAttemptAnswer,
    with_key=True,
)
def lock_unlock_door(*, owner: Owner, params: dict, now: datetime, key: ApiKey) -> dict:
    """The last resort for a guest who cannot get in: the lock is told to unlock at once.

    Recorded as a `lock.unlocked` event (`method: remote`, with the key's name and the
    `reason`, if given). A lock that is offline or cannot be unlocked remotely answers 400
    and nothing is sent; a lock that fails to do it answers an action attempt in `error`.
    """
    return _turn(owner, params, now, key, unlock=True)


@endpoint(
    input=s.RemoteTurnInput,
    summary="Lock a door now",
    answer=a.ActionAttemptAnswer,
    with_key=True,
)
def lock_lock_door(*, owner: Owner, params: dict, now: datetime, key: ApiKey) -> dict:
    """As `locks/unlock_door`, the other way: recorded as a `lock.locked` event."""
    return _turn(owner, params, now, key, unlock=False)


# --- action attempts and events ------------------------------------------------------------------


@endpoint(
    "GET",
    input=s.ActionAttemptGetInput,
    summary="Get an action attempt",
    answer=a.ActionAttemptAnswer,
)
def action_attempt_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """`pending` until the lock has answered, then `success` or `error`."""
    attempt = selectors.action_attempt_get(owner, params["action_attempt_id"])
    return {"action_attempt": _attempt(attempt, now)}


@endpoint("GET", input=s.EventListInput, summary="List events", answer=a.EventsAnswer)
def event_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """What happened since `since` (or `between` two times), newest first."""
    events = selectors.events_for(owner)
    if "between" in params:
        start, end = params["between"]
        events = events.filter(occurred_at__gte=start, occurred_at__lte=end)
    if "since" in params:
        events = events.filter(occurred_at__gte=params["since"])
    if params.get("device_id"):
        events = events.filter(lock=selectors.lock_get_by_device_id(owner, params["device_id"]))
    if "device_ids" in params:
        events = events.filter(lock__public_id__in=params["device_ids"])
    if params.get("access_code_id"):
        code = selectors.access_code_get(owner, params["access_code_id"])
        events = events.filter(access_code=code)
    if "access_code_ids" in params:
        events = events.filter(access_code_id__in=params["access_code_ids"])
    types = [*params.get("event_types", []), *filter(None, [params.get("event_type")])]
    if types:
        events = events.filter(event_type__in=types)
    page = events.order_by("-occurred_at")[: params["limit"]]
    return {"events": s.EventSerializer(page, many=True).data}
