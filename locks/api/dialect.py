"""The rest of Seam's access-code dialect: linked codes across doors, `unmanaged/update`,
`events/get`, `action_attempts/list`, `devices/update` and connected accounts.

As in locks/api/views.py: reads go through the selectors (scoped to the key's owner; other
owners' objects answer 404), writes through the services.
"""

import uuid
from datetime import datetime

from backups.services import backup_pool_enable
from locks import common_codes, metadata, selectors, services, unmanaged
from locks.api import answers as a
from locks.api import dialect_serializers as d
from locks.api import serializers as s
from locks.api.base import endpoint, paginate
from locks.api.views import (
    external_modification,
    unmanaged_access_code_for,
    use_backup_pool,
)
from locks.errors import NotFound, ServiceError
from locks.issue_codes import (
    ACCESS_CODE_NOT_FOUND,
    ACTION_ATTEMPTS_NOT_FOUND,
    CONNECTED_ACCOUNT_NOT_FOUND,
    EVENT_NOT_FOUND,
)
from locks.models import Owner


def _codes(codes, now: datetime) -> list[dict]:
    return s.AccessCodeSerializer(codes, many=True, context={"now": now}).data


def _attempts(attempts, now: datetime) -> list[dict]:
    return s.ActionAttemptSerializer(attempts, many=True, context={"now": now}).data


# --- linked codes --------------------------------------------------------------------------------


@endpoint(
    "PUT",
    input=d.AccessCodeCreateMultipleInput,
    summary="Create one PIN on several doors",
    answer=a.LinkedCodesAnswer,
    errors=(404, 409),
)
def access_code_create_multiple(*, owner: Owner, params: dict, now: datetime) -> dict:
    """One code per device, all with one PIN, linked by a `common_code_key` (a PIN given in
    `code` is not linked, as on Seam). A door that cannot take the shared PIN fails the call
    and nothing is created (`behavior_when_code_cannot_be_shared: throw`, the default), or gets a
    random PIN of its own, still linked (`create_random_code`)."""
    locks = selectors.locks_by_device_ids(owner, params["device_ids"])
    created = common_codes.access_code_create_multiple(
        locks=locks,
        now=now,
        behavior_when_code_cannot_be_shared=params["behavior_when_code_cannot_be_shared"],
        code=params.get("code"),
        preferred_code_length=params.get("preferred_code_length"),
        name=params.get("name", ""),
        starts_at=params.get("starts_at"),
        ends_at=params.get("ends_at"),
        allow_external_modification=bool(external_modification(params)),
        prefer_native_scheduling=params.get("prefer_native_scheduling", True),
    )
    for code, _ in created:
        use_backup_pool(params, code.lock, now)
    return {
        "access_codes": _codes([code for code, _ in created], now),
        "action_attempts": _attempts([attempt for _, attempt in created], now),
    }


@endpoint(
    "PATCH",
    input=d.AccessCodeUpdateMultipleInput,
    summary="Update the codes of one common_code_key",
    answer=a.LinkedCodesAnswer,
)
def access_code_update_multiple(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The name or window of every live code of the `common_code_key`, all or none."""
    codes = selectors.linked_access_codes(owner, params["common_code_key"])
    if not codes:
        raise NotFound("No access codes with that common_code_key.", type=ACCESS_CODE_NOT_FOUND)
    changes = {k: params[k] for k in common_codes.LINKED_FIELDS if k in params}
    attempts = common_codes.access_codes_update_multiple(access_codes=codes, now=now, **changes)
    fresh = selectors.access_codes_for(owner).in_bulk([c.pk for c in codes])
    codes = [fresh[c.pk] for c in codes]
    return {"access_codes": _codes(codes, now), "action_attempts": _attempts(attempts, now)}


@endpoint(
    "PATCH",
    input=d.UnmanagedUpdateInput,
    summary="Update a code found on the lock",
    answer=a.AccessCodeAnswer,
)
def unmanaged_access_code_update(*, owner: Owner, params: dict, now: datetime) -> dict:
    """`is_managed: true` takes the code over, as `convert_to_managed` does; false keeps it
    unmanaged, with `is_external_modification_allowed` kept for when it is taken over."""
    code = unmanaged.unmanaged_code_update(
        access_code=unmanaged_access_code_for(owner, params),
        now=now,
        is_managed=params["is_managed"],
        allow_external_modification=external_modification(params),
    )
    return {"access_code": s.AccessCodeSerializer(code, context={"now": now}).data}


# --- events and action attempts ------------------------------------------------------------------


@endpoint("GET", input=d.EventGetInput, summary="Get an event", answer=a.EventAnswer)
def event_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """By `event_id`; or the latest event of a `device_id` and/or of an `event_type`."""
    if params.get("event_id"):
        event = selectors.event_get(owner, params["event_id"])
    else:
        events = selectors.events_for(owner)
        if params.get("device_id"):
            lock = selectors.lock_get_by_device_id(owner, params["device_id"], related=())
            events = events.filter(lock=lock)
        if params.get("event_type"):
            events = events.filter(event_type=params["event_type"])
        event = events.order_by("-occurred_at").first()
        if event is None:
            raise NotFound("No event matches.", type=EVENT_NOT_FOUND)
    return {"event": s.EventSerializer(event).data}


def _uuids(values: list[str]) -> list[uuid.UUID]:
    """The well-formed ids of `values`: a malformed one names nothing."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


@endpoint(
    "GET",
    input=d.ActionAttemptListInput,
    summary="List action attempts",
    answer=a.ActionAttemptsAnswer,
)
def action_attempt_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The ones named in `action_attempt_ids` (those of other owners are left out; none found
    answers 404), and/or those of a `device_id`, in the order they were made."""
    attempts = selectors.action_attempts_for(owner)
    if params.get("device_id"):
        lock = selectors.lock_get_by_device_id(owner, params["device_id"], related=())
        attempts = attempts.filter(lock=lock)
    if "action_attempt_ids" in params:
        attempts = attempts.filter(pk__in=_uuids(params["action_attempt_ids"]))
    page, pagination = paginate(attempts, params)
    if "action_attempt_ids" in params and not page and not params.get("page_cursor"):
        raise NotFound("None of those action attempts exists.", type=ACTION_ATTEMPTS_NOT_FOUND)
    return {"action_attempts": _attempts(page, now), "pagination": pagination}


# --- devices and connected accounts --------------------------------------------------------------


@endpoint("PATCH", input=d.DeviceUpdateInput, summary="Update a device", answer=a.DeviceAnswer)
def device_update(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Its `name`, its `custom_metadata` (keys set or removed; the others stay) and whether its
    backup pool is on. Each change is checked before any is made."""
    lock = selectors.lock_get_by_device_id(owner, params["device_id"])
    if params.get("is_managed") is False:
        raise ServiceError(
            "Innkeeper cannot stop managing a device; remove the lock in the dashboard.",
            field="is_managed",
        )
    name = params.get("name")
    if name is None and isinstance(params.get("properties"), dict):
        name = params["properties"].get("name")
    if ("name" in params or name is not None) and not (isinstance(name, str) and name.strip()):
        raise ServiceError("A device needs a name; send one that is not empty.", field="name")
    merged = None
    if "custom_metadata" in params:
        merged = metadata.custom_metadata_merged(lock.custom_metadata, params["custom_metadata"])
    if name is not None and name.strip() != lock.name:
        services.lock_update(
            lock=lock, name=name.strip()[:200], location=lock.location, unit=lock.unit, now=now
        )
    if merged is not None:
        metadata.lock_custom_metadata_update(lock=lock, changes=params["custom_metadata"])
    pool = params.get("backup_access_code_pool_enabled")
    if pool is not None and pool != lock.backup_pool_enabled:
        backup_pool_enable(lock=lock, now=now, enabled=pool)
    return {"device": s.DeviceSerializer(lock).data}


def _account_id(value: str) -> int:
    if not value.isdigit() or int(value) > s.ROW_ID_MAX:
        raise NotFound("No connected account with that id.", type=CONNECTED_ACCOUNT_NOT_FOUND)
    return int(value)


@endpoint(
    "GET",
    input=d.ConnectedAccountListInput,
    summary="List connected accounts",
    answer=a.ConnectedAccountsAnswer,
    errors=(),
)
def connected_account_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Where the owner's locks are found (a simulated hub, a Seam workspace); `search` by name."""
    accounts = selectors.driver_accounts_for(owner)
    if params.get("search"):
        accounts = accounts.filter(name__icontains=params["search"])
    has = params.get("custom_metadata_has")
    if has is not None:
        # Accounts carry no custom metadata: a value asked for is never there.
        if not isinstance(has, dict):
            raise ServiceError(
                "custom_metadata_has must be an object of key/values.", field="custom_metadata_has"
            )
        if any(value not in (None, "") for value in has.values()):
            accounts = accounts.none()
    page, pagination = paginate(accounts, params)
    return {
        "connected_accounts": d.ConnectedAccountSerializer(page, many=True).data,
        "pagination": pagination,
    }


@endpoint(
    "GET",
    input=d.ConnectedAccountGetInput,
    summary="Get a connected account",
    answer=a.ConnectedAccountAnswer,
)
def connected_account_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """By `connected_account_id` (accounts have no email here: `email` finds none)."""
    if not params.get("connected_account_id"):
        raise NotFound("No connected account with that email.", type=CONNECTED_ACCOUNT_NOT_FOUND)
    account = selectors.driver_account_get(owner, _account_id(params["connected_account_id"]))
    return {"connected_account": d.ConnectedAccountSerializer(account).data}
