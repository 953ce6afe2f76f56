"""What changes on a code, and why: the reconciler's vocabulary of `Change`s.

A `Change` is data: a code's new status (if any), side fields, issues to add or clear, events
to record. The functions here decide them from what the lock said or did; `change_fields` makes
one on an instance (nothing saved, no event), and `locks.reconcile.apply.code_change` is the one
place a pass makes them for real. Pure: nothing here calls a driver or the database.
"""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from locks.drivers.base import CodeOnLock, DriverError
from locks.issue_codes import (
    CONFLICTING_EXTERNAL_MODIFICATION,
    DELAY_IN_SETTING_ON_DEVICE,
    EXTERNAL_MODIFICATION_IN_EFFECT,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
    LOCK_UNREACHABLE_ERRORS,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PIN_ERRORS,
    PROVIDER_ISSUE,
)
from locks.models import AccessCode
from locks.reconcile.clock import REFUSED_AT, RETRY_BASE, RETRY_MAX, LockFacts, backoff

# The key, on an issue the lock (or its cloud) reported, that says so: it goes when the lock
# stops reporting it.
FROM_LOCK = "from_lock"
# On the event of a code its cloud left on the lock after its end (the Alerts page reads it).
KEPT_AFTER_END = "kept_after_end"
# A code the lock's answer shows as settled: its clock and back-off stop.
SETTLED = {"out_of_sync_since": None, "attempts": 0, "next_attempt_at": None}

Status = AccessCode.Status


@dataclass(frozen=True)
class Issue:
    """An error or warning to add (or refresh) on a code; `extra` goes into its entry."""

    code: str
    message: str
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class CodeEvent:
    event_type: str
    message: str = ""
    data: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Change:
    """One change to one code: its status (None: unchanged), side fields, issues, events.

    `why` names the reason in a word, for tests and for whoever reads a plan.
    """

    code: AccessCode
    why: str
    status: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    clear_errors: tuple[str, ...] = ()
    clear_warnings: tuple[str, ...] = ()
    errors: tuple[Issue, ...] = ()
    warnings: tuple[Issue, ...] = ()
    events: tuple[CodeEvent, ...] = ()


def change_fields(code: AccessCode, change: Change, now: datetime) -> None:
    """Make `change` on the instance `code` (its events aside): nothing is saved."""
    if change.status is not None:
        code.status = change.status
    for name, value in change.fields.items():
        setattr(code, name, value)
    if change.clear_errors:
        code.clear_errors(*change.clear_errors)
    if change.clear_warnings:
        code.clear_warnings(*change.clear_warnings)
    for issue in change.errors:
        code.add_error(issue.code, issue.message, now, **issue.extra)
    for issue in change.warnings:
        code.add_warning(issue.code, issue.message, now, **issue.extra)


# --- what the lock's answer proves ---------------------------------------------------------------


def confirmed(code: AccessCode, on_lock: CodeOnLock, now: datetime, facts: LockFacts) -> Change:
    """Wanted and known to the lock: set; stored with its own schedule (`unset` until it
    starts, as Seam says); held by its cloud until it starts; or still being set."""
    issues = lock_issues(code, on_lock)
    if on_lock.held_by_cloud and code.starts_at is not None and now < code.starts_at:
        # Its cloud programs the lock before it starts: nothing to send, nothing late yet.
        return replace(
            issues,
            why="held_by_cloud",
            status=Status.UNSET,
            fields={**SETTLED, "is_held_by_cloud": True, "is_scheduled_on_device": False},
            clear_warnings=(*issues.clear_warnings, DELAY_IN_SETTING_ON_DEVICE),
        )
    if not on_lock.confirmed:
        return replace(
            issues, why="pending_on_lock", status=Status.SETTING, fields={"is_held_by_cloud": False}
        )
    scheduled = on_lock.scheduled_on_device and code.starts_at is not None and now < code.starts_at
    events = []
    if scheduled and not (code.is_scheduled_on_device and code.is_on_lock):
        events.append(CodeEvent("access_code.scheduled_on_device"))
    if not scheduled and code.status != Status.SET:
        events.append(CodeEvent("access_code.set_on_device"))
    return replace(
        issues,
        why="scheduled_on_lock" if scheduled else "on_lock",
        status=Status.UNSET if scheduled else Status.SET,
        fields={**SETTLED, "is_scheduled_on_device": scheduled, "is_held_by_cloud": False},
        clear_errors=(
            *issues.clear_errors,
            FAILED_TO_SET_ON_DEVICE,
            NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
            PROVIDER_ISSUE,
            CONFLICTING_EXTERNAL_MODIFICATION,
        ),
        clear_warnings=(*issues.clear_warnings, DELAY_IN_SETTING_ON_DEVICE),
        events=(*issues.events, *events),
    )


def lock_issues(code: AccessCode, on_lock: CodeOnLock) -> Change:
    """The errors and warnings the lock (or its cloud) reports on the code now: new ones are
    added (an error once with its event), ones it no longer reports are cleared. Their entries
    carry FROM_LOCK, so the reconciler's own issues are never cleared for them."""
    errors = {e["error_code"]: e["message"] for e in on_lock.errors}
    warnings = {w["warning_code"]: w["message"] for w in on_lock.warnings}
    gone_errors = tuple(
        e["error_code"] for e in code.errors if e.get(FROM_LOCK) and e["error_code"] not in errors
    )
    gone_warnings = tuple(
        w["warning_code"]
        for w in code.warnings
        if w.get(FROM_LOCK) and w["warning_code"] not in warnings
    )
    marked = {FROM_LOCK: True}
    events = tuple(
        CodeEvent(f"access_code.{kind}", message)
        for kind, message in errors.items()
        if kind in (FAILED_TO_SET_ON_DEVICE, FAILED_TO_REMOVE_FROM_DEVICE)
        and not code.has_error(kind)
    )
    return Change(
        code,
        "lock_issues",
        clear_errors=gone_errors,
        clear_warnings=gone_warnings,
        errors=tuple(Issue(kind, message, marked) for kind, message in errors.items()),
        warnings=tuple(Issue(kind, message, marked) for kind, message in warnings.items()),
        events=events,
    )


def absent(code: AccessCode, now: datetime) -> Change:
    """Not wanted and not on the lock: done if over, waiting if in the future."""
    if code.is_over(now):
        was_on = code.is_on_lock or code.status in (Status.SETTING, Status.REMOVING)
        events = (CodeEvent("access_code.removed_from_device"),) if was_on else ()
        return removed(code, now, why="off_lock", events=events)
    # Not due yet (its window moved on): nothing is late, whatever was said before.
    return Change(
        code,
        "waiting",
        status=Status.UNSET,
        fields={
            "is_scheduled_on_device": False,
            "is_held_by_cloud": False,
            "out_of_sync_since": None,
            "attempts": 0,
        },
        clear_errors=(FAILED_TO_SET_ON_DEVICE, PROVIDER_ISSUE),
        clear_warnings=(DELAY_IN_SETTING_ON_DEVICE,),
    )


def removed(
    code: AccessCode,
    now: datetime,
    *,
    why: str,
    events: tuple[CodeEvent, ...] = (),
    warnings: tuple[Issue, ...] = (),
) -> Change:
    return Change(
        code,
        why,
        status=Status.REMOVED,
        fields={
            "removed_at": now,
            "is_scheduled_on_device": False,
            "is_held_by_cloud": False,
            "out_of_sync_since": None,
            "next_attempt_at": None,
        },
        clear_errors=(
            FAILED_TO_REMOVE_FROM_DEVICE,
            FAILED_TO_SET_ON_DEVICE,
            NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
            PROVIDER_ISSUE,
        ),
        clear_warnings=(DELAY_IN_SETTING_ON_DEVICE,),
        warnings=warnings,
        events=events,
    )


def vanished(code: AccessCode, now: datetime) -> Change:
    """A code that was set is gone from the lock: put back, or honoured where edits are allowed."""
    event = CodeEvent(
        "access_code.deleted_external_to_seam",
        "The code was removed at the lock by someone else.",
    )
    if code.is_external_modification_allowed:
        warning = Issue(
            EXTERNAL_MODIFICATION_IN_EFFECT,
            "The code was removed at the lock, and edits there are honoured.",
        )
        return removed(code, now, why="removed_at_lock", events=(event,), warnings=(warning,))
    return Change(
        code,
        "removed_at_lock",
        status=Status.SETTING,
        # Put it back now, not after a back-off.
        fields={"attempts": 0, "next_attempt_at": None, "is_scheduled_on_device": False},
        errors=(
            Issue(
                CONFLICTING_EXTERNAL_MODIFICATION,
                "Someone removed this code at the lock; it is being put back.",
            ),
        ),
        events=(event,),
    )


def kept_after_end(code: AccessCode) -> Change:
    """Still on the lock after its end, though its cloud removes such codes itself: it is
    removed from here, and a person is told (the error shows in Alerts, the event stays)."""
    message = (
        "Still on the lock after its end, though the lock's cloud should have removed it; "
        "Innkeeper is removing it. Check that the PIN no longer opens the door."
    )
    events = (
        ()
        if code.has_error(FAILED_TO_REMOVE_FROM_DEVICE)
        else (
            CodeEvent(
                f"access_code.{FAILED_TO_REMOVE_FROM_DEVICE}", message, {KEPT_AFTER_END: True}
            ),
        )
    )
    return Change(
        code,
        "kept_after_end",
        errors=(Issue(FAILED_TO_REMOVE_FROM_DEVICE, message),),
        events=events,
    )


# --- what a write's outcome means ----------------------------------------------------------------


def set_starting(code: AccessCode) -> Change:
    """A set goes out: the code no longer waits for a slot, and an old refusal is moot."""
    clear = [NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE]
    if any(REFUSED_AT in e for e in code.errors if e["error_code"] == FAILED_TO_SET_ON_DEVICE):
        clear.append(FAILED_TO_SET_ON_DEVICE)  # refused for a desired state since changed
    return Change(code, "sending", clear_errors=tuple(clear))


def set_accepted(code: AccessCode, ref: str, now: datetime) -> Change:
    """The lock (or its cloud) took the PIN: being set until a read shows it."""
    attempts = code.attempts + 1
    return Change(
        code,
        "sent",
        status=None if code.status == Status.SET else Status.SETTING,
        fields={
            "device_ref": ref,
            "attempts": attempts,
            "next_attempt_at": now + backoff(attempts, RETRY_BASE, RETRY_MAX),
        },
    )


def removal_accepted(code: AccessCode, ref: str, now: datetime, facts: LockFacts) -> Change:
    if ref == code.stale_device_ref:
        return Change(code, "old_pin_removed", fields={"stale_device_ref": ""})
    if code.status != Status.REMOVING and not code.wanted_on_lock(now, facts.lead_for(code)):
        return Change(code, "removal_sent", status=Status.REMOVING)
    return Change(code, "removal_sent")


def write_failed(
    code: AccessCode, exc: DriverError, now: datetime, facts: LockFacts, *, removing: bool
) -> Change:
    """Decide on a failed write by the driver's own verdict (`permanent`) and `error_code`.

    - no free slot (a lock fuller than it said): the code waits for a slot, like a planned one;
    - transient: retried on its back-off (`provider_issue` is shown on the code meanwhile);
    - permanent, for the PIN itself: waits for a new PIN (`access_code_update` clears it);
    - permanent, because the lock or its account is unreachable: the lock's own read says so,
      and the code is retried on its back-off;
    - any other permanent refusal: the error is shown at once, and the write is not sent again
      until the lock's desired state changes (`Lock.desired_version` moves).
    """
    kind = exc.error_code
    attempts = code.attempts + 1
    fields = {
        "attempts": attempts,
        # Never longer than the lock's poll: a lock that accepts again gets every code within it.
        "next_attempt_at": now + backoff(attempts, RETRY_BASE, min(RETRY_MAX, facts.poll)),
    }
    if kind == NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE and not removing:
        waiting = no_space(code, facts, now)
        return replace(waiting, fields={**waiting.fields, "attempts": attempts})
    if not exc.permanent:
        issues = (Issue(PROVIDER_ISSUE, exc.message),) if kind == PROVIDER_ISSUE else ()
        return Change(code, "failed", fields=fields, errors=issues)
    if kind in PIN_ERRORS:
        return Change(code, "pin_refused", fields=fields, errors=(Issue(kind, exc.message),))
    if kind in LOCK_UNREACHABLE_ERRORS:
        return Change(code, "lock_unreachable", fields=fields)
    error = FAILED_TO_REMOVE_FROM_DEVICE if removing else FAILED_TO_SET_ON_DEVICE
    message = (
        f"{exc.message} It is not sent again until this code, or another code on the lock, "
        "is changed."
    )
    return Change(
        code,
        "refused",
        fields=fields,
        errors=(Issue(error, message, {REFUSED_AT: facts.desired_version}),),
        events=() if code.has_error(error) else (CodeEvent(f"access_code.{error}", message),),
    )


def lock_refused(exc: DriverError) -> bool:
    """Whether a failed write says the lock takes no writes now (busy, jammed, offline, its
    account cut off) rather than something about this one code (its PIN, a full lock)."""
    if exc.error_code in LOCK_UNREACHABLE_ERRORS:
        return True
    return not exc.permanent and exc.error_code != NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE


def waits_for_lock(code: AccessCode, until: datetime | None) -> Change:
    """Not sent: the lock refused an earlier write of this pass; it is tried again with that."""
    return Change(code, "lock_refused_another", fields={"next_attempt_at": until})


def no_space(code: AccessCode, facts: LockFacts, now: datetime) -> Change:
    """Due, but every slot is taken: no write; it goes on when a slot frees up."""
    if facts.max_active_codes is None:
        full = f"Every code slot on “{facts.name}” is in use."
    else:
        full = f"All {facts.max_active_codes} code slots on “{facts.name}” are in use."
    return Change(
        code,
        "no_space",
        fields={"next_attempt_at": None},
        errors=(
            Issue(
                NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
                f"{full} It will be programmed as soon as a slot frees up; remove an old code "
                "to free one now.",
            ),
        ),
    )


# --- the escalation clock ------------------------------------------------------------------------


def escalation(code: AccessCode, now: datetime, facts: LockFacts) -> Change | None:
    """For a code still out of sync: start its clock, or warn, or raise the error, once each."""
    if code.out_of_sync_since is None:
        return Change(code, "out_of_sync", fields={"out_of_sync_since": now})
    late = now - code.out_of_sync_since
    removing = not code.wanted_on_lock(now, facts.lead_for(code))
    verb = "removed from" if removing else "programmed on"
    minutes = int(late.total_seconds() // 60)
    if late >= facts.failure_error:
        error = FAILED_TO_REMOVE_FROM_DEVICE if removing else FAILED_TO_SET_ON_DEVICE
        message = (
            f"Not {verb} the lock after {minutes} minutes. Retrying continues; check the "
            "lock's connection and batteries."
        )
        events = () if code.has_error(error) else (CodeEvent(f"access_code.{error}"),)
        return Change(code, "failing", errors=(Issue(error, message),), events=events)
    if not removing and late >= facts.delay_warning:
        warning = DELAY_IN_SETTING_ON_DEVICE
        message = f"Programming is taking longer than usual ({minutes} minutes)."
        events = () if code.has_warning(warning) else (CodeEvent(f"access_code.{warning}"),)
        return Change(code, "delayed", warnings=(Issue(warning, message),), events=events)
    return None
