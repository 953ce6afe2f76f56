"""Carrying out a plan: the driver's calls, the read-back, saving, events, the escalation clock.

`lock_reconcile` reads the lock, asks `plan.plan_pass` what to do, does it, reads the lock
again to confirm its writes, runs the escalation clock and saves. Every change to a code goes
through `code_change`: the one place that sets a code's status, its side fields and issues,
and records its events.
"""

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q

from locks.drivers import CodeOnLock, DriverError, get_driver
from locks.drivers.base import code_update, lock_read
from locks.issue_codes import (
    DEVICE_DISCONNECTED,
    DEVICE_REMOVED,
    MAX_ACCESS_CODES_REACHED,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PROVIDER_ISSUE,
)
from locks.models import AccessCode, ActionAttempt, Lock
from locks.reconcile.changes import (
    Change,
    change_fields,
    escalation,
    lock_refused,
    no_space,
    removal_accepted,
    set_accepted,
    set_starting,
    waits_for_lock,
    write_failed,
)
from locks.reconcile.clock import LockFacts, next_check_at, out_of_sync
from locks.reconcile.plan import (
    Action,
    Admission,
    Outcome,
    Plan,
    Write,
    admit,
    hold_reason,
    plan_pass,
    plan_read_back,
)
from locks.records import code_event_record, lock_apply_device_info, lock_event_record

Status = AccessCode.Status

CODE_FIELDS = [
    "status",
    "errors",
    "warnings",
    "is_scheduled_on_device",
    "is_held_by_cloud",
    "device_ref",
    "stale_device_ref",
    "removed_at",
    "out_of_sync_since",
    "attempts",
    "next_attempt_at",
    "code",
    "code_hash",  # kept in step with `code` by its field (locks/crypto.py)
]
LOCK_FIELDS = [
    "model_name",
    "online",
    "battery_level",
    "supported_code_lengths",
    "code_constraints",
    "max_active_codes",
    "supports_native_scheduling",
    "locked",
    "can_remotely_unlock",
    "can_remotely_lock",
    "last_read_at",
    "last_error",
    "errors",
    "warnings",
    "consecutive_failures",
]


@dataclass
class Pass:
    """What one pass learned and did, for the caller and the benchmark."""

    lock: Lock
    now: datetime
    reachable: bool = True
    writes: int = 0  # accepted
    sent: int = 0  # write commands sent, accepted or not
    failures: dict = field(default_factory=dict)  # code pk -> DriverError of its write
    next_check_at: datetime | None = None
    plan: Plan | None = None
    codes: list[AccessCode] = field(default_factory=list)  # the lock's live rows, as loaded
    save_lock: bool = True
    # Whether the pass changed the lock's own state (its reading time aside) or the errors or
    # warnings of any of its codes: what alerts are made of.
    issues_changed: bool = False
    lock_loaded: list = field(default_factory=list)

    @property
    def live_codes(self) -> list[AccessCode]:
        """The lock's codes still live after the pass (the after-pass hooks read these)."""
        return [code for code in self.codes if code.removed_at is None]


def lock_reconcile(
    *,
    lock: Lock,
    now: datetime,
    before_call: Callable[[], None] | None = None,
    save_lock: bool = True,
    rows: list[AccessCode] | None = None,
) -> Pass:
    """One pass over one lock. Saves what changed and returns when the lock is next due.

    `before_call` runs before each call to the lock (the scheduler renews its lease there; it
    raises to stop the pass when the lock was taken over). With `save_lock` False the lock's own
    fields (LOCK_FIELDS) are left for the caller to save, with its release of the lock.
    `rows`: the lock's live codes as `pass_load` read them, if the caller has them.
    """
    if rows is None:
        rows = list(_live_rows(AccessCode.objects.filter(lock=lock)))
    lead = lock.program_lead(lock.owner)
    # The lock's desired version is read with its codes, in the same query: a write refused
    # now waits for the desired state to move past exactly what this pass saw.
    version = rows[0].lock_desired_version if rows else lock.desired_version
    for row in rows:
        row.lock = lock  # saves a query per event recorded below
    managed = [r for r in rows if r.is_managed]
    loaded = {code.pk: _snapshot(code) for code in managed}
    result = Pass(
        lock=lock, now=now, codes=rows, save_lock=save_lock, lock_loaded=_lock_snapshot(lock)
    )
    # A cloud driver needs its account's credentials; the simulated one needs none.
    credentials = lock.account.credentials if lock.account_id else {}
    driver = get_driver(lock.driver, now=now, **credentials)
    if before_call is not None:
        driver = _Guarded(driver, before_call)
    # A cloud that removes time-bound codes at their end itself (Seam) is left to do so.
    cloud_removes = getattr(driver, "removes_codes_at_end", False)

    try:
        info, observed = lock_read(driver, lock.device_id)
    except DriverError as exc:
        result.reachable = False
        _lock_unreachable(lock, exc, now)
        facts = LockFacts.of(
            lock, lead=lead, desired_version=version, cloud_removes_at_end=cloud_removes
        )
        result.plan = plan_pass(codes=rows, observed=None, facts=facts, now=now)
        for change in result.plan.changes:
            code_change(change, now=now)
        _escalate(managed, facts, now)
        _save(result, managed, facts, loaded, unreachable_for_good=exc.permanent)
        return result

    _lock_reachable(lock, info, now)
    facts = LockFacts.of(
        lock, lead=lead, desired_version=version, cloud_removes_at_end=cloud_removes
    )
    plan = result.plan = plan_pass(codes=rows, observed=observed, facts=facts, now=now)
    _report_unmanaged(lock, plan, now)
    if plan.codes_wiped:
        # A reset that kept the device id: nothing to ask anyone, every code goes back on.
        lock_event_record(
            lock=lock,
            event_type="device.codes_wiped",
            now=now,
            message="Every code was gone from the lock at once (a reset?); putting them back.",
        )
    for change in plan.changes:
        code_change(change, now=now)

    admission = _write(driver, lock, plan, result, now)
    result.writes = len(admission.writes)
    result.sent = admission.sent
    _lock_slot_warning(lock, admission, result, now)
    if result.writes:
        _read_back(driver, lock, managed, facts, now)

    _escalate(managed, facts, now)
    _save(result, managed, facts, loaded)
    return result


def _live_rows(codes):
    """A lock's live codes, with what the pass needs to know alongside each, in one query."""
    pending = ActionAttempt.objects.filter(
        access_code=OuterRef("pk"), status=ActionAttempt.Status.PENDING
    )
    return codes.filter(removed_at__isnull=True).annotate(
        lock_desired_version=F("lock__desired_version"), attempt_pending=Exists(pending)
    )


def pass_load(*, lock_id: int, token) -> tuple[Lock, list[AccessCode] | None] | None:
    """A claimed lock (None if the claim is not `token`'s any more) and its live codes, in
    one query when it has any (a second one for the lock alone when it has none)."""
    rows = list(
        _live_rows(
            AccessCode.objects.filter(lock_id=lock_id, lock__claim_token=token)
        ).select_related("lock__owner", "lock__account")
    )
    if rows:
        return rows[0].lock, rows
    lock = (
        Lock.objects.select_related("owner", "account")
        .filter(pk=lock_id, claim_token=token)
        .first()
    )
    return None if lock is None else (lock, [])


class _Guarded:
    """A driver whose every call is preceded by `before_call`."""

    def __init__(self, driver, before_call: Callable[[], None]):
        self._driver, self._before_call = driver, before_call

    def __getattr__(self, name: str):
        attr = getattr(self._driver, name)
        if not callable(attr):
            return attr

        def call(*args, **kwargs):
            self._before_call()
            return attr(*args, **kwargs)

        return call


def code_change(change: Change, *, now: datetime) -> None:
    """The one place a pass changes a code: status, side fields, issues, then its events."""
    code = change.code
    change_fields(code, change, now)
    for event in change.events:
        code_event_record(
            code=code, event_type=event.event_type, now=now, message=event.message, **event.data
        )


# --- doing the writes ----------------------------------------------------------------------------


def _write(driver, lock: Lock, plan: Plan, result: Pass, now: datetime) -> Admission:
    """Send the plan's queue through the driver, in the plan's order and within its limits."""
    facts = plan.facts

    def perform(write: Write) -> Outcome:
        code = write.code
        if not write.removes:
            code_change(set_starting(code), now=now)
        try:
            if write.removes:
                driver.remove_code(lock.device_id, write.ref)
                outcome = removal_accepted(code, write.ref, now, facts)
            elif write.action == Action.UPDATE:
                ref = code_update(driver, lock.device_id, write.ref, write.spec())
                outcome = set_accepted(code, ref, now)
            else:
                outcome = set_accepted(code, driver.set_code(lock.device_id, write.spec()), now)
        except DriverError as exc:
            result.failures[code.pk] = exc
            code_change(write_failed(code, exc, now, facts, removing=write.removes), now=now)
            return Outcome.LOCK_REFUSED if lock_refused(exc) else Outcome.FAILED
        code_change(outcome, now=now)
        return Outcome.DONE

    admission = admit(
        plan.queue,
        free=plan.free,
        hold=lambda w: hold_reason(w, w.code, now, facts),
        perform=perform,
    )
    if admission.refused is not None:
        # The lock takes no writes now: what was left waits for the refused write's back-off.
        until = admission.refused.code.next_attempt_at
        for write in admission.untried:
            code_change(waits_for_lock(write.code, until), now=now)
    for code in admission.no_space:
        code_change(no_space(code, facts, now), now=now)
    return admission


def _read_back(
    driver, lock: Lock, managed: list[AccessCode], facts: LockFacts, now: datetime
) -> None:
    """Confirm the writes of this pass by reading the lock again, as a careful person would."""
    try:
        observed: list[CodeOnLock] = driver.list_codes(lock.device_id)
    except DriverError:
        return  # the next pass confirms
    for change in plan_read_back(managed, observed, facts, now):
        code_change(change, now=now)


def _escalate(managed: list[AccessCode], facts: LockFacts, now: datetime) -> None:
    for code in managed:
        if out_of_sync(code, now, facts):
            change = escalation(code, now, facts)
            if change is not None:
                code_change(change, now=now)


def _report_unmanaged(lock: Lock, plan: Plan, now: datetime) -> None:
    """Keep one row per code on the lock that nobody here manages (PIN checks need them)."""
    for on_lock in plan.report_unmanaged:
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
        code_event_record(code=row, event_type="access_code.unmanaged.created", now=now)
    for change in plan.forget_unmanaged:  # gone from the lock
        code_change(change, now=now)
        row = change.code
        AccessCode.objects.filter(pk=row.pk).update(status=row.status, removed_at=row.removed_at)


# --- the lock itself -----------------------------------------------------------------------------


def _lock_unreachable(lock: Lock, exc: DriverError, now: datetime) -> None:
    lock.consecutive_failures += 1
    lock.last_error = exc.message
    error_code = exc.error_code or DEVICE_DISCONNECTED
    if error_code in (DEVICE_DISCONNECTED, DEVICE_REMOVED):
        if lock.online:
            lock_event_record(
                lock=lock, event_type="device.disconnected", now=now, message=exc.message
            )
        lock.online = False
    lock.add_error(error_code, exc.message, now)


def _lock_reachable(lock: Lock, info, now: datetime) -> None:
    level = lock.owner.low_battery_percent
    was_low = lock.battery_below(level)
    if not lock.online:
        lock_event_record(lock=lock, event_type="device.connected", now=now)
    lock_apply_device_info(lock=lock, info=info, now=now)
    lock.consecutive_failures = 0
    lock.last_error = ""
    lock.clear_errors(DEVICE_DISCONNECTED, DEVICE_REMOVED, PROVIDER_ISSUE)
    if lock.battery_below(level) and not was_low:
        lock_event_record(
            lock=lock, event_type="device.low_battery", now=now, battery_level=lock.battery_level
        )


def _lock_slot_warning(lock: Lock, admission: Admission, result: Pass, now: datetime) -> None:
    """Warn while codes wait for a slot (planned, or a lock fuller than it said); the count of
    free slots is what is left after this pass's writes."""
    full = any(e.error_code == NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE for e in result.failures.values())
    if admission.slots_short or full:
        lock.add_warning(
            MAX_ACCESS_CODES_REACHED,
            f"All {lock.max_active_codes} code slots are in use; codes are waiting for a slot."
            if lock.max_active_codes is not None
            else "Every code slot is in use; codes are waiting for a slot.",
            now,
        )
    elif admission.free > 0:
        lock.clear_warnings(MAX_ACCESS_CODES_REACHED)


# --- saving and the next due time ----------------------------------------------------------------


def _lock_snapshot(lock: Lock) -> list:
    return copy.deepcopy([getattr(lock, name) for name in LOCK_FIELDS if name != "last_read_at"])


# Where a code's errors and warnings are in its snapshot.
ISSUES = slice(CODE_FIELDS.index("errors"), CODE_FIELDS.index("warnings") + 1)


def _snapshot(code: AccessCode) -> list:
    return copy.deepcopy([getattr(code, name) for name in CODE_FIELDS])


def _save(
    result: Pass,
    managed: list[AccessCode],
    facts: LockFacts,
    loaded: dict,
    *,
    unreachable_for_good: bool = False,
) -> None:
    lock, now = result.lock, result.now
    # Most passes are polls that change nothing: write only the codes that did change.
    changed = [code for code in managed if _snapshot(code) != loaded[code.pk]]
    for code in changed:
        code.updated_at = now  # bulk_update leaves auto_now alone
    if changed:
        AccessCode.objects.bulk_update(changed, CODE_FIELDS + ["updated_at"])
    result.issues_changed = _lock_snapshot(lock) != result.lock_loaded or any(
        [code.errors, code.warnings] != loaded[code.pk][ISSUES] for code in changed
    )
    result.next_check_at = next_check_at(
        managed,
        facts,
        now,
        reachable=result.reachable,
        consecutive_failures=lock.consecutive_failures,
        unreachable_for_good=unreachable_for_good,
    )
    if result.save_lock:
        lock.save(update_fields=LOCK_FIELDS)
    _resolve_attempts(result, managed)


def _resolve_attempts(result: Pass, managed: list[AccessCode]) -> None:
    """Finish the pending action attempts whose outcome this pass saw: one conditional UPDATE
    for those that succeeded, one per failed write, one for a lock that did not answer."""
    waiting = [code for code in managed if code.attempt_pending]
    if not waiting:
        return  # the common pass: nothing anyone waits on (read with the codes)
    Attempt = ActionAttempt
    pending = Attempt.objects.filter(status=Attempt.Status.PENDING)
    finished = {"finished_at": result.now}
    for code in waiting:
        error = result.failures.get(code.pk)
        if error is not None:
            pending.filter(access_code=code).update(
                status=Attempt.Status.ERROR,
                error={"type": error.error_code or PROVIDER_ISSUE, "message": error.message},
                **finished,
            )
    others = [code for code in waiting if code.pk not in result.failures]
    removed = [code.pk for code in others if code.status == Status.REMOVED]
    there = [code.pk for code in others if code.is_on_lock or code.is_held_by_cloud]
    if removed or there:
        # A deletion is done once the code is removed; anything else once it is there (or gone).
        pending.filter(
            Q(access_code__in=removed)
            | (Q(access_code__in=there) & ~Q(action_type=Attempt.DELETE_ACCESS_CODE))
        ).update(status=Attempt.Status.SUCCESS, error=None, **finished)
    if not result.reachable and others:
        pending.filter(access_code__in=[code.pk for code in others]).update(
            status=Attempt.Status.ERROR,
            error={
                "type": DEVICE_DISCONNECTED,
                "message": result.lock.last_error or "The lock is offline.",
            },
            **finished,
        )
