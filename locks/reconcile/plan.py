"""The plan: what one pass over one lock should do, decided without doing any of it.

In: the lock's live AccessCode rows (the desired state; unsaved instances will do), what its
driver lists (the observed state: `CodeOnLock`s, or None when the lock did not answer), the
lock's facts (`LockFacts`) and `now`. Out: a `Plan`:

- `changes`: what the lock's answer already proves about each code (on the lock, still being
  programmed, removed at the keypad, gone at the end of its window), as `Change`s;
- `report_unmanaged` / `forget_unmanaged`: codes on the lock that nobody here manages, new, and
  gone from the lock;
- `queue`: every write the pass wants, in order: removals first (they free slots), then sets by
  priority (guest codes first);
- `writes`, `no_space`, `held`: what of the queue goes out if every write succeeds (never past the
  slot limit, at most MAX_WRITES_PER_PASS), which codes wait for a free slot, and which writes
  wait for their back-off or for a new desired state.

Nothing here calls a driver, queries or saves. `locks.reconcile.apply` does that, and asks
`plan_read_back` what a second read confirms, `locks.reconcile.changes` what each write's
outcome means, and `locks.reconcile.clock` when the lock is next due. A status changes only on
what the lock reports, never on what was sent.
"""

import copy
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from locks.drivers.base import CodeOnLock, CodeSpec
from locks.issue_codes import FAILED_TO_REMOVE_FROM_DEVICE, FAILED_TO_SET_ON_DEVICE, PIN_ERRORS
from locks.models import AccessCode
from locks.reconcile.changes import (
    Change,
    absent,
    change_fields,
    confirmed,
    kept_after_end,
    removal_accepted,
    removed,
    set_accepted,
    set_starting,
    vanished,
)
from locks.reconcile.clock import CLOUD_REMOVAL_GRACE, LockFacts, left_to_cloud, refused

# Writes per pass: a lock with a long queue is served over several passes, never flooded.
MAX_WRITES_PER_PASS = 10
KIND_PRIORITY = {"guest": 0, "staff": 1, "other": 2, "backup": 3}

Status = AccessCode.Status


# --- what comes out ------------------------------------------------------------------------------


class Action(StrEnum):
    SET = "set"  # program a code whose time has come (again, after a failed try)
    RESET = "re-set"  # put back a code removed at the lock
    UPDATE = "update"  # give a code on the lock its new window, in place where the driver can
    REMOVE = "remove"  # take a code, or a replaced PIN, off the lock


class Hold(StrEnum):
    """Why a write in the queue does not go out this pass."""

    PIN_REFUSED = "the lock refused this PIN; it waits for a new one"
    REFUSED = "the lock refused this write for good; it waits for a change to what is wanted"
    BACKING_OFF = "it waits for its back-off after a failed try"


@dataclass(frozen=True)
class Write:
    action: Action
    code: AccessCode
    why: str
    ref: str = ""  # for a removal: the driver's reference of what to take off

    @property
    def removes(self) -> bool:
        return self.action == Action.REMOVE

    @property
    def needs_slot(self) -> bool:
        return self.action in (Action.SET, Action.RESET)

    @property
    def priority(self) -> tuple:
        return priority(self.code)

    def spec(self) -> CodeSpec:
        code = self.code
        return CodeSpec(
            code=code.code,
            name=code.name,
            starts_at=code.starts_at,
            ends_at=code.ends_at,
            prefer_native_scheduling=code.prefer_native_scheduling,
        )


class Outcome(StrEnum):
    """What became of a write that was sent."""

    DONE = "done"
    FAILED = "failed"  # this code's write failed (its PIN, a refusal for good): the pass goes on
    LOCK_REFUSED = "lock refused"  # the lock refused or did not answer: no more writes this pass


@dataclass
class Admission:
    """What of a queue went out: writes done, held, codes that wait for a slot."""

    free: int
    writes: list[Write] = field(default_factory=list)
    held: list[tuple[Write, Hold]] = field(default_factory=list)
    no_space: list[AccessCode] = field(default_factory=list)
    sent: int = 0  # write commands sent to the lock, accepted or not
    # The write the lock refused, which ended this pass's writes, and those it left unsent.
    refused: Write | None = None
    untried: list[Write] = field(default_factory=list)

    @property
    def slots_short(self) -> bool:
        return bool(self.no_space)


@dataclass
class Plan:
    reachable: bool
    facts: LockFacts
    changes: list[Change] = field(default_factory=list)
    report_unmanaged: list[CodeOnLock] = field(default_factory=list)
    forget_unmanaged: list[Change] = field(default_factory=list)
    # A reset that kept the device id: every code that was set is gone at once.
    codes_wiped: bool = False
    queue: list[Write] = field(default_factory=list)
    free: int = 0  # slots free before any write
    # What goes out if every write succeeds (`admit` with the pass's holds).
    admission: Admission = field(default_factory=lambda: Admission(free=0))

    @property
    def writes(self) -> list[Write]:
        return self.admission.writes

    @property
    def no_space(self) -> list[AccessCode]:
        return self.admission.no_space

    @property
    def held(self) -> list[tuple[Write, Hold]]:
        return self.admission.held


# --- the plan ------------------------------------------------------------------------------------


def plan_pass(
    *,
    codes: Sequence[AccessCode],
    observed: Sequence[CodeOnLock] | None,
    facts: LockFacts,
    now: datetime,
) -> Plan:
    """Decide one pass over one lock. `codes`: its live rows; `observed`: None if unreachable."""
    managed = [c for c in codes if c.is_managed]
    if observed is None:
        # Nothing can be written; a code that never reached the lock just ends (one stored
        # there, or held by its cloud, waits to be seen gone).
        changes = [
            removed(code, now, why="never_reached")
            for code in managed
            if code.is_over(now)
            and code.status == Status.UNSET
            and not (code.is_scheduled_on_device or code.is_held_by_cloud)
        ]
        return Plan(reachable=False, facts=facts, changes=changes)

    plan = Plan(reachable=True, facts=facts, free=free_slots(facts, observed))
    on_lock, stale, foreign, plan.changes = match(managed, observed)
    plan.report_unmanaged, plan.forget_unmanaged = _unmanaged(
        [c for c in codes if not c.is_managed], foreign, now
    )
    was_set = [c for c in managed if c.is_on_lock]
    plan.codes_wiped = len(was_set) >= 2 and not any(c.pk in on_lock for c in was_set)

    removals = [Write(Action.REMOVE, code, "old_pin", ref=ref) for code, ref in stale]
    sets: list[Write] = []
    for code in managed:
        present = on_lock.get(code.pk)
        wanted = code.wanted_on_lock(now, facts.lead_for(code))
        if wanted and present and window_matches(code, present):
            plan.changes.append(confirmed(code, present, now, facts))
        elif wanted and present:
            # A schedule on the lock (or its cloud) that no longer matches the code's window.
            sets.append(Write(Action.UPDATE, code, "new_window", ref=present.ref))
        elif wanted and code.is_on_lock:
            change = vanished(code, now)
            plan.changes.append(change)
            if change.status != Status.REMOVED:
                sets.append(Write(Action.RESET, code, "removed_at_lock"))
        elif wanted:
            sets.append(Write(Action.SET, code, "due"))
        elif present and present.ends_at is not None and left_to_cloud(code, now, facts):
            pass  # its cloud takes it off at its end; a look after the grace checks
        elif present:
            if _cloud_should_have_removed(code, present, now, facts):
                plan.changes.append(kept_after_end(code))
            removals.append(Write(Action.REMOVE, code, "not_wanted", ref=present.ref))
        else:
            plan.changes.append(absent(code, now))
    plan.queue = removals + sorted(sets, key=lambda w: w.priority)
    plan.admission = _admit_all_succeeding(plan, managed, now)
    return plan


def _admit_all_succeeding(plan: Plan, managed: Sequence[AccessCode], now: datetime) -> Admission:
    """What the queue does if every write succeeds, tried on copies of the queued rows.

    `apply` runs the same `admit` on the real rows, with the driver's outcomes.
    """
    facts = plan.facts
    queued = {w.code.pk for w in plan.queue}
    twins = {code.pk: _twin(code) for code in managed if code.pk in queued}
    for change in plan.changes:
        if change.code.pk in twins:
            change_fields(twins[change.code.pk], change, now)

    def succeed(write: Write) -> Outcome:
        code = twins[write.code.pk]
        if write.removes:
            change_fields(code, removal_accepted(code, write.ref, now, facts), now)
        else:
            change_fields(code, set_starting(code), now)
            change_fields(code, set_accepted(code, "", now), now)
        return Outcome.DONE

    return admit(
        plan.queue,
        free=plan.free,
        hold=lambda w: hold_reason(w, twins[w.code.pk], now, facts),
        perform=succeed,
    )


def _twin(code: AccessCode) -> AccessCode:
    twin = copy.copy(code)
    twin.errors = copy.deepcopy(code.errors)
    twin.warnings = copy.deepcopy(code.warnings)
    return twin


def admit(
    queue: Iterable[Write],
    *,
    free: int,
    hold: Callable[[Write], Hold | None],
    perform: Callable[[Write], Outcome],
) -> Admission:
    """Walk the queue as one pass does; `perform(write)` says what became of the write.

    Removals first: each frees a slot. Then sets in order: one that does not fit waits for a
    slot (it is listed in `no_space`, no write). At most MAX_WRITES_PER_PASS write commands are
    sent, accepted or not. Once the lock refuses one (busy, jammed, offline), nothing more is
    sent this pass: the writes left are `untried`, and wait for that write's back-off with it.
    """
    result = Admission(free=free)
    queue = list(queue)

    def send(write: Write) -> None:
        outcome = perform(write)
        result.sent += 1
        if outcome == Outcome.DONE:
            result.writes.append(write)
            result.free += 1 if write.removes else -write.needs_slot
        elif outcome == Outcome.LOCK_REFUSED:
            result.refused = write

    for write in (w for w in queue if w.removes):
        reason = hold(write)
        if reason:
            result.held.append((write, reason))
        elif result.refused is not None:
            result.untried.append(write)
        elif result.sent < MAX_WRITES_PER_PASS:
            send(write)
    for write in (w for w in queue if not w.removes):
        reason = hold(write)
        if reason:
            result.held.append((write, reason))
            continue
        if result.free <= 0 and write.needs_slot:
            result.no_space.append(write.code)
            continue
        if result.refused is not None:
            result.untried.append(write)
            continue
        if result.sent >= MAX_WRITES_PER_PASS:
            break
        send(write)
    return result


def hold_reason(write: Write, code: AccessCode, now: datetime, facts: LockFacts) -> Hold | None:
    """Why `write` must wait, judged on `code` as it is at that point of the pass."""
    backing_off = code.next_attempt_at is not None and code.next_attempt_at > now
    if write.removes:
        if refused(code, FAILED_TO_REMOVE_FROM_DEVICE, facts):
            return Hold.REFUSED
        # A removal the lock refused waits for its back-off, like a set does.
        return Hold.BACKING_OFF if code.is_on_lock and backing_off else None
    if code.errors and any(code.has_error(e) for e in PIN_ERRORS):
        return Hold.PIN_REFUSED
    if refused(code, FAILED_TO_SET_ON_DEVICE, facts):
        return Hold.REFUSED
    return Hold.BACKING_OFF if backing_off else None


# --- matching what is on the lock to what should be ----------------------------------------------


def match(managed: Sequence[AccessCode], observed: Sequence[CodeOnLock]):
    """Pair rows with codes on the lock: by the driver's reference, then by PIN.

    Returns (row pk -> code on lock, [(row, stale ref)] to remove, codes nobody here manages,
    [Change] to the rows' references: found by PIN, or an old PIN's no longer on the lock).
    """
    by_ref = {o.ref: o for o in observed}
    taken: set[str] = set()
    matches: dict = {}
    stale: list[tuple[AccessCode, str]] = []
    fixes: list[Change] = []
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
                fixes.append(Change(code, "old_pin_gone", fields={"stale_device_ref": ""}))
    by_pin = {o.code: o for o in observed if o.ref not in taken}
    for code in managed:
        if code.pk not in matches and code.code in by_pin:
            on_lock = by_pin.pop(code.code)
            matches[code.pk] = on_lock
            taken.add(on_lock.ref)
            fixes.append(Change(code, "found_by_pin", fields={"device_ref": on_lock.ref}))
    foreign = [o for o in observed if o.ref not in taken]
    return matches, stale, foreign, fixes


def _unmanaged(known: list[AccessCode], foreign: list[CodeOnLock], now: datetime):
    """Codes on the lock nobody here manages: new ones to report, and known rows now gone."""
    by_pin = {row.code: row for row in known}
    new = []
    for on_lock in foreign:
        if by_pin.pop(on_lock.code, None) is None:
            new.append(on_lock)
    gone = [
        Change(row, "gone_from_lock", status=Status.REMOVED, fields={"removed_at": now})
        for row in by_pin.values()
    ]
    return new, gone


def window_matches(code: AccessCode, on_lock: CodeOnLock) -> bool:
    """Whether the window the lock (or its cloud) holds is the code's; a lock that holds none
    keeps a code on only while it is wanted, so any window will do."""
    if on_lock.ends_at is None:
        return True
    return _same_time(on_lock.starts_at, code.starts_at) and _same_time(
        on_lock.ends_at, code.ends_at
    )


def _same_time(held: datetime | None, wanted: datetime | None) -> bool:
    # To the second: a cloud may keep times to the millisecond only.
    if held is None or wanted is None:
        return held is wanted
    return abs(held - wanted) < timedelta(seconds=1)


def _cloud_should_have_removed(
    code: AccessCode, on_lock: CodeOnLock, now: datetime, facts: LockFacts
) -> bool:
    return (
        facts.cloud_removes_at_end
        and on_lock.ends_at is not None
        and code.deleted_at is None
        and code.ends_at is not None
        and now >= code.ends_at + CLOUD_REMOVAL_GRACE
    )


def free_slots(facts: LockFacts, observed: Sequence[CodeOnLock]) -> int:
    if facts.max_active_codes is None:
        # No known limit: more than one pass can fill, so no code ever waits for a slot (with
        # just MAX_WRITES_PER_PASS, the code after the cap was told the lock was full).
        return MAX_WRITES_PER_PASS + 1
    return facts.max_active_codes - len(observed)


def priority(code: AccessCode) -> tuple:
    return (
        KIND_PRIORITY.get(code.kind, 2),
        code.starts_at is not None,
        code.starts_at or 0,
        code.created_at,
    )


def plan_read_back(
    managed: Sequence[AccessCode], observed: Sequence[CodeOnLock], facts: LockFacts, now: datetime
) -> list[Change]:
    """What a second read, after this pass's writes, confirms."""
    on_lock, _, _, changes = match(managed, observed)
    for code in managed:
        if code.removed_at is not None:
            continue
        present = on_lock.get(code.pk)
        if not present:
            if code.status == Status.REMOVING:
                changes.append(absent(code, now))
            continue
        # A new window on a code already set is confirmed too, so its try's back-off does not
        # hold the code's next write (its removal at an early check-out) for a minute.
        sent = code.status == Status.SETTING or (
            code.status == Status.SET and code.attempts and window_matches(code, present)
        )
        if sent and code.wanted_on_lock(now, facts.lead_for(code)):
            changes.append(confirmed(code, present, now, facts))
    return changes
