"""The reconciler: for one lock, make what is on the lock agree with what should be.

Desired state: the lock's AccessCode rows. Observed state: what its driver lists. Scheduling
ahead, expiry, retries, drift after someone fiddles with the lock and a factory reset are all
"desired and observed differ", handled by this one pass. A status changes only on what the
lock reports, never on what was sent.
"""

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from locks.drivers import CodeOnLock, CodeSpec, DriverError, get_driver
from locks.models import AccessCode, ActionAttempt, Lock
from locks.records import event_record, lock_apply_device_info

RETRY_BASE = timedelta(minutes=1)
# A lock with more work than one pass may do comes back this soon.
RETRY_SOON = timedelta(seconds=15)
RETRY_MAX = timedelta(minutes=30)
LOCK_BACKOFF_MAX = timedelta(minutes=15)
# Writes per pass: a lock with a long queue is served over several passes, never flooded.
MAX_WRITES_PER_PASS = 10
# Errors the lock gives for this PIN itself: sending it again cannot help until it changes.
PIN_ERRORS = {"code_constraints_violated", "duplicate_code_on_device"}
KIND_PRIORITY = {"guest": 0, "staff": 1, "other": 2, "backup": 3}

Status = AccessCode.Status


@dataclass
class Pass:
    """What one pass learned and did, for the caller and the benchmark."""

    lock: Lock
    now: datetime
    reachable: bool = True
    writes: int = 0
    failures: dict = field(default_factory=dict)  # code pk -> DriverError of its write
    next_check_at: datetime | None = None


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    # The exponent is bounded: after a long outage 2**attempts would overflow a timedelta.
    return min(base * 2 ** min(max(attempts - 1, 0), 20), cap)


def lock_reconcile(*, lock: Lock, now: datetime) -> Pass:
    """One pass over one lock. Saves what changed and returns when the lock is next due."""
    owner = lock.owner
    lead = lock.program_lead(owner)
    rows = list(AccessCode.objects.filter(lock=lock, removed_at__isnull=True))
    for row in rows:
        row.lock = lock  # saves a query per event recorded below
    managed = [r for r in rows if r.is_managed]
    unmanaged = [r for r in rows if not r.is_managed]
    loaded = {code.pk: _snapshot(code) for code in managed}
    result = Pass(lock=lock, now=now)
    # A cloud driver needs its account's credentials; the simulated one needs none.
    credentials = lock.account.credentials if lock.account_id else {}
    driver = get_driver(lock.driver, now=now, **credentials)

    try:
        info = driver.read_device(lock.device_id)
        observed = driver.list_codes(lock.device_id)
    except DriverError as exc:
        result.reachable = False
        _lock_unreachable(lock, exc, now)
        for code in managed:
            if code.is_over(now) and code.status == Status.UNSET:
                _mark_removed(code, now)  # never reached the lock: nothing to take off
            elif _out_of_sync(code, now, lead):
                _escalate(code, now, lock, lead)
        _save(result, managed, lead, loaded)
        return result

    _lock_reachable(lock, info, now)
    matches, stale, foreign = _match(managed, observed)
    _sync_unmanaged(lock, unmanaged, foreign, now)

    on_lock_before = [c for c in managed if c.status == Status.SET]
    if len(on_lock_before) >= 2 and not any(c.pk in matches for c in on_lock_before):
        # A reset that kept the device id: nothing to ask anyone, every code goes back on.
        event_record(
            owner=owner,
            event_type="device.codes_wiped",
            now=now,
            lock=lock,
            message="Every code was gone from the lock at once (a reset?); putting them back.",
        )
    to_set: list[AccessCode] = []
    to_remove: list[tuple[AccessCode, str]] = [(c, ref) for c, ref in stale]
    for code in managed:
        on_lock = matches.get(code.pk)
        wanted = code.wanted_on_lock(now, lead)
        if wanted and on_lock and _window_matches(lock, code, on_lock):
            _observe_present(code, on_lock, now, lock)
        elif wanted and on_lock:
            # A native schedule that no longer matches the stay: take it off, program anew.
            to_remove.append((code, on_lock.ref))
            to_set.append(code)
        elif wanted:
            if code.status == Status.SET and _vanished(code, now, lock):
                continue
            to_set.append(code)
        elif on_lock:
            to_remove.append((code, on_lock.ref))
        else:
            _observe_absent(code, now, lock)

    free = _free_slots(lock, observed)
    for code, ref in to_remove:
        if result.writes >= MAX_WRITES_PER_PASS:
            break
        if code.status == Status.SET and code.next_attempt_at and code.next_attempt_at > now:
            continue  # a removal the lock refused waits for its back-off, like a set does
        try:
            driver.remove_code(lock.device_id, ref)
        except DriverError as exc:
            result.failures[code.pk] = exc
            _write_failed(code, exc, now)
            continue
        result.writes += 1
        free += 1
        if ref == code.stale_device_ref:
            code.stale_device_ref = ""
        elif code.status != Status.REMOVING and not code.wanted_on_lock(now, lead):
            code.status = Status.REMOVING

    slots_short = False
    for code in sorted(to_set, key=_priority):
        if code.errors and any(code.has_error(e) for e in PIN_ERRORS):
            continue  # the lock refused this PIN itself; waits for a new one
        if code.next_attempt_at and code.next_attempt_at > now:
            continue
        if free <= 0:
            slots_short = True
            _no_space(code, lock, now)
            continue
        if result.writes >= MAX_WRITES_PER_PASS:
            break
        code.clear_errors("no_space_for_access_code_on_device")
        spec = CodeSpec(
            code=code.code, name=code.name, starts_at=code.starts_at, ends_at=code.ends_at
        )
        try:
            code.device_ref = driver.set_code(lock.device_id, spec)
        except DriverError as exc:
            result.failures[code.pk] = exc
            _write_failed(code, exc, now)
            continue
        result.writes += 1
        free -= 1
        code.attempts += 1
        code.next_attempt_at = now + backoff(code.attempts, RETRY_BASE, RETRY_MAX)
        if code.status != Status.SET:
            code.status = Status.SETTING
    _lock_slot_warning(lock, slots_short, free, now)

    if result.writes:
        _read_back(driver, lock, managed, now, lead)

    for code in managed:
        if _out_of_sync(code, now, lead):
            _escalate(code, now, lock, lead)
    _save(result, managed, lead, loaded)
    return result


def _code_event(code: AccessCode, event_type: str, now: datetime, **data) -> None:
    event_record(
        owner=code.lock.owner,
        event_type=event_type,
        now=now,
        lock=code.lock,
        access_code=code,
        **data,
    )


# --- matching what is on the lock to what should be ----------------------------------------------


def _match(managed: list[AccessCode], observed: list[CodeOnLock]):
    """Pair rows with codes on the lock: by the driver's reference, then by PIN.

    Returns (row pk -> code on lock, [(row, stale ref)] to remove, codes nobody here manages).
    """
    by_ref = {o.ref: o for o in observed}
    taken: set[str] = set()
    matches: dict = {}
    stale: list[tuple[AccessCode, str]] = []
    for code in managed:
        on_lock = by_ref.get(code.device_ref) if code.device_ref else None
        if on_lock and on_lock.code == code.code:
            matches[code.pk] = on_lock
            taken.add(on_lock.ref)
        if code.stale_device_ref:
            old = by_ref.get(code.stale_device_ref)
            if old and old.code != code.code:
                stale.append((code, old.ref))
                taken.add(old.ref)
            elif old is None:
                code.stale_device_ref = ""
    by_pin = {o.code: o for o in observed if o.ref not in taken}
    for code in managed:
        if code.pk not in matches and code.code in by_pin:
            on_lock = by_pin.pop(code.code)
            matches[code.pk] = on_lock
            taken.add(on_lock.ref)
            code.device_ref = on_lock.ref
    foreign = [o for o in observed if o.ref not in taken]
    return matches, stale, foreign


def _window_matches(lock: Lock, code: AccessCode, on_lock: CodeOnLock) -> bool:
    if not lock.supports_native_scheduling or on_lock.ends_at is None:
        return True
    return on_lock.starts_at == code.starts_at and on_lock.ends_at == code.ends_at


def _free_slots(lock: Lock, observed: list[CodeOnLock]) -> int:
    if lock.max_active_codes is None:
        return MAX_WRITES_PER_PASS
    return lock.max_active_codes - len(observed)


def _priority(code: AccessCode):
    return (
        KIND_PRIORITY.get(code.kind, 2),
        code.starts_at is not None,
        code.starts_at or 0,
        code.created_at,
    )


def _blocked(code: AccessCode) -> bool:
    """Waiting for a person (a new PIN) or a free slot: retrying on a clock cannot help."""
    return bool(code.errors) and any(
        code.has_error(e) for e in (*PIN_ERRORS, "no_space_for_access_code_on_device")
    )


def _out_of_sync(code: AccessCode, now: datetime, lead: timedelta) -> bool:
    """Whether the lock still disagrees with this row in a way the clock should count."""
    if code.removed_at is not None or _blocked(code):
        return False  # a blocking error says what is wrong more plainly than a delay would
    if code.wanted_on_lock(now, lead):
        return code.status != Status.SET
    return code.status in (Status.SET, Status.SETTING, Status.REMOVING)


# --- what was observed ---------------------------------------------------------------------------


def _observe_present(code: AccessCode, on_lock: CodeOnLock, now: datetime, lock: Lock) -> None:
    if not on_lock.confirmed:
        code.status = Status.SETTING
        return
    if code.status != Status.SET:
        code.status = Status.SET
        _code_event(code, "access_code.set_on_device", now)
    scheduled = (
        lock.supports_native_scheduling and code.starts_at is not None and (now < code.starts_at)
    )
    if scheduled and not code.is_scheduled_on_device:
        _code_event(code, "access_code.scheduled_on_device", now)
    code.is_scheduled_on_device = scheduled
    code.out_of_sync_since = None
    code.attempts = 0
    code.next_attempt_at = None
    code.clear_errors(
        "failed_to_set_on_device",
        "no_space_for_access_code_on_device",
        "provider_issue",
        "conflicting_external_modification",
    )
    code.clear_warnings("delay_in_setting_on_device")


def _observe_absent(code: AccessCode, now: datetime, lock: Lock) -> None:
    """Not wanted and not on the lock: done if over, waiting if in the future."""
    if code.is_over(now):
        if code.status in (Status.SET, Status.SETTING, Status.REMOVING):
            _code_event(code, "access_code.removed_from_device", now)
        _mark_removed(code, now)
    else:
        code.status = Status.UNSET
        code.is_scheduled_on_device = False
        code.out_of_sync_since = None


def _mark_removed(code: AccessCode, now: datetime) -> None:
    code.status = Status.REMOVED
    code.removed_at = now
    code.is_scheduled_on_device = False
    code.out_of_sync_since = None
    code.next_attempt_at = None
    code.clear_errors(
        "failed_to_remove_from_device",
        "failed_to_set_on_device",
        "no_space_for_access_code_on_device",
        "provider_issue",
    )
    code.clear_warnings("delay_in_setting_on_device")


def _vanished(code: AccessCode, now: datetime, lock: Lock) -> bool:
    """A code that was set is gone from the lock. True when that is to be honoured."""
    _code_event(
        code,
        "access_code.deleted_external_to_seam",
        now,
        message="The code was removed at the lock by someone else.",
    )
    if code.is_external_modification_allowed:
        code.add_warning(
            "external_modification_in_effect",
            "The code was removed at the lock, and edits there are honoured.",
            now,
        )
        _mark_removed(code, now)
        return True
    code.add_error(
        "conflicting_external_modification",
        "Someone removed this code at the lock; it is being put back.",
        now,
    )
    code.status = Status.SETTING
    code.attempts = 0
    code.next_attempt_at = None  # put it back now, not after a back-off
    return False


def _sync_unmanaged(
    lock: Lock, known: list[AccessCode], foreign: list[CodeOnLock], now: datetime
) -> None:
    """Keep one row per code on the lock that nobody here manages (PIN checks need them)."""
    by_pin = {row.code: row for row in known}
    for on_lock in foreign:
        row = by_pin.pop(on_lock.code, None)
        if row is None:
            row = AccessCode.objects.create(
                owner=lock.owner,
                lock=lock,
                name=on_lock.name,
                code=on_lock.code,
                is_managed=False,
                status=Status.SET,
                device_ref=on_lock.ref,
                type=AccessCode.Type.ONGOING,
            )
            _code_event(row, "access_code.unmanaged.created", now)
    for row in by_pin.values():  # gone from the lock
        AccessCode.objects.filter(pk=row.pk).update(status=Status.REMOVED, removed_at=now)


def _read_back(
    driver, lock: Lock, managed: list[AccessCode], now: datetime, lead: timedelta
) -> None:
    """Confirm the writes of this pass by reading the lock again, as a careful person would."""
    try:
        observed = driver.list_codes(lock.device_id)
    except DriverError:
        return  # the next pass confirms
    matches, _, _ = _match(managed, observed)
    for code in managed:
        if code.removed_at is not None:
            continue
        on_lock = matches.get(code.pk)
        if code.status == Status.SETTING and on_lock and code.wanted_on_lock(now, lead):
            _observe_present(code, on_lock, now, lock)
        elif code.status == Status.REMOVING and not on_lock:
            _observe_absent(code, now, lock)


# --- failures and the escalation clock -----------------------------------------------------------


def _write_failed(code: AccessCode, exc: DriverError, now: datetime) -> None:
    code.attempts += 1
    code.next_attempt_at = now + backoff(code.attempts, RETRY_BASE, RETRY_MAX)
    if exc.error_code in PIN_ERRORS:
        code.add_error(exc.error_code, exc.message, now)
    elif exc.error_code == "provider_issue":
        code.add_error("provider_issue", exc.message, now)


def _no_space(code: AccessCode, lock: Lock, now: datetime) -> None:
    code.add_error(
        "no_space_for_access_code_on_device",
        f"All {lock.max_active_codes} code slots on “{lock.name}” are in use. It will be "
        "programmed as soon as a slot frees up; remove an old code to free one now.",
        now,
    )
    code.next_attempt_at = None


def _escalate(code: AccessCode, now: datetime, lock: Lock, lead: timedelta) -> None:
    owner = lock.owner
    if code.out_of_sync_since is None:
        code.out_of_sync_since = now
        return
    late = now - code.out_of_sync_since
    removing = not code.wanted_on_lock(now, lead)
    verb = "removed from" if removing else "programmed on"
    minutes = int(late.total_seconds() // 60)
    if late >= timedelta(minutes=owner.failure_error_minutes):
        error = "failed_to_remove_from_device" if removing else "failed_to_set_on_device"
        message = (
            f"Not {verb} the lock after {minutes} minutes. Retrying continues; check the "
            "lock's connection and batteries."
        )
        if code.add_error(error, message, now):
            _code_event(code, f"access_code.{error}", now)
    elif (
        not removing
        and late >= timedelta(minutes=owner.delay_warning_minutes)
        and code.add_warning(
            "delay_in_setting_on_device",
            f"Programming is taking longer than usual ({minutes} minutes).",
            now,
        )
    ):
        _code_event(code, "access_code.delay_in_setting_on_device", now)


# --- the lock itself -----------------------------------------------------------------------------


def _lock_unreachable(lock: Lock, exc: DriverError, now: datetime) -> None:
    lock.consecutive_failures += 1
    lock.last_error = exc.message
    error_code = exc.error_code or "device_disconnected"
    if error_code in ("device_disconnected", "device_removed"):
        if lock.online:
            event_record(
                owner=lock.owner,
                event_type="device.disconnected",
                now=now,
                lock=lock,
                message=exc.message,
            )
        lock.online = False
    lock.add_error(error_code, exc.message, now)


def _lock_reachable(lock: Lock, info, now: datetime) -> None:
    level = lock.owner.low_battery_percent
    was_low = lock.battery_below(level)
    if not lock.online:
        event_record(owner=lock.owner, event_type="device.connected", now=now, lock=lock)
    lock_apply_device_info(lock=lock, info=info, now=now)
    lock.consecutive_failures = 0
    lock.last_error = ""
    lock.clear_errors("device_disconnected", "device_removed", "provider_issue")
    if lock.battery_below(level) and not was_low:
        event_record(
            owner=lock.owner,
            event_type="device.low_battery",
            now=now,
            lock=lock,
            battery_level=lock.battery_level,
        )


def _lock_slot_warning(lock: Lock, short: bool, free: int, now: datetime) -> None:
    """Warn while codes wait for a slot; `free` counts the slots left after this pass's writes."""
    if short:
        lock.add_warning(
            "max_access_codes_reached",
            f"All {lock.max_active_codes} code slots are in use; codes are waiting for a slot.",
            now,
        )
    elif free > 0:
        lock.clear_warnings("max_access_codes_reached")


# --- saving and the next due time ----------------------------------------------------------------

CODE_FIELDS = [
    "status",
    "errors",
    "warnings",
    "is_scheduled_on_device",
    "device_ref",
    "stale_device_ref",
    "removed_at",
    "out_of_sync_since",
    "attempts",
    "next_attempt_at",
    "code",
]
LOCK_FIELDS = [
    "model_name",
    "online",
    "battery_level",
    "supported_code_lengths",
    "code_constraints",
    "max_active_codes",
    "supports_native_scheduling",
    "last_read_at",
    "last_error",
    "errors",
    "warnings",
    "consecutive_failures",
]


def _code_due(code: AccessCode, now: datetime, lead: timedelta) -> datetime | None:
    if code.removed_at is not None or _blocked(code):
        return None  # a freed slot or a new PIN brings the lock forward by itself
    if code.next_attempt_at and code.status != Status.SET:
        return max(code.next_attempt_at, now + RETRY_SOON)
    wanted = code.wanted_on_lock(now, lead)
    if wanted and code.status != Status.SET:
        return now + RETRY_BASE
    if not wanted and code.status != Status.UNSET:
        # Still to come off the lock; after a refused removal, on its back-off.
        return max(code.next_attempt_at or now, now + RETRY_BASE)
    if code.type == AccessCode.Type.TIME_BOUND:
        return code.ends_at if wanted else code.starts_at - lead
    return None


def _window_edge(code: AccessCode, now: datetime, lead: timedelta) -> datetime | None:
    """The next time a time-bound code must go on or come off the lock, if still ahead."""
    if code.removed_at is not None or code.type != AccessCode.Type.TIME_BOUND:
        return None
    return min((t for t in (code.starts_at - lead, code.ends_at) if t > now), default=None)


def _snapshot(code: AccessCode) -> list:
    return copy.deepcopy([getattr(code, name) for name in CODE_FIELDS])


def _save(result: Pass, managed: list[AccessCode], lead: timedelta, loaded: dict) -> None:
    lock, now = result.lock, result.now
    # Most passes are polls that change nothing: write only the codes that did change.
    changed = [code for code in managed if _snapshot(code) != loaded[code.pk]]
    for code in changed:
        code.updated_at = now  # bulk_update leaves auto_now alone
    if changed:
        AccessCode.objects.bulk_update(changed, CODE_FIELDS + ["updated_at"])
    if result.reachable:
        next_check = now + timedelta(minutes=lock.owner.lock_poll_minutes)
    else:
        next_check = now + backoff(lock.consecutive_failures, RETRY_BASE, LOCK_BACKOFF_MAX)
    for code in managed:
        # An unreachable lock is retried on its own back-off (pending codes would otherwise
        # bring it back every minute), but a window opening or closing still brings it forward.
        due = _code_due(code, now, lead) if result.reachable else _window_edge(code, now, lead)
        if due is not None:
            next_check = min(next_check, due)
    result.next_check_at = next_check
    lock.save(update_fields=LOCK_FIELDS)
    _resolve_attempts(result, managed)


def _resolve_attempts(result: Pass, managed: list[AccessCode]) -> None:
    """Finish the pending action attempts whose outcome this pass saw."""
    pending = ActionAttempt.objects.filter(
        status=ActionAttempt.Status.PENDING, access_code__in=[c.pk for c in managed]
    )
    by_code = {c.pk: c for c in managed}
    for attempt in pending:
        code = by_code.get(attempt.access_code_id)
        error = result.failures.get(attempt.access_code_id)
        if code is None:
            continue
        if error is not None:
            attempt.status = ActionAttempt.Status.ERROR
            attempt.error = {"type": error.error_code or "provider_issue", "message": error.message}
        elif (attempt.action_type == "DELETE_ACCESS_CODE" and code.status == Status.REMOVED) or (
            attempt.action_type != "DELETE_ACCESS_CODE"
            and code.status in (Status.SET, Status.REMOVED)
        ):
            attempt.status = ActionAttempt.Status.SUCCESS
        elif not result.reachable:
            attempt.status = ActionAttempt.Status.ERROR
            attempt.error = {
                "type": "device_disconnected",
                "message": result.lock.last_error or "The lock is offline.",
            }
        else:
            continue
        attempt.finished_at = result.now
        attempt.save(update_fields=["status", "error", "finished_at"])
