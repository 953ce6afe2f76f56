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
    """Wanted and on the lock: set (or, while its cloud still programs it, being set)."""
    if not on_lock.confirmed:
        return Change(code, "pending_on_lock", status=Status.SETTING)
    events = []
    if code.status != Status.SET:
        events.append(CodeEvent("access_code.set_on_device"))
    scheduled = (
        facts.supports_native_scheduling and code.starts_at is not None and now < code.starts_at
    )
    if scheduled and not code.is_scheduled_on_device:
        events.append(CodeEvent("access_code.scheduled_on_device"))
    return Change(
        code,
        "on_lock",
        status=Status.SET,
        fields={
            "is_scheduled_on_device": scheduled,
            "out_of_sync_since": None,
            "attempts": 0,
            "next_attempt_at": None,
        },
        clear_errors=(
            FAILED_TO_SET_ON_DEVICE,
            NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
            PROVIDER_ISSUE,
            CONFLICTING_EXTERNAL_MODIFICATION,
        ),
        clear_warnings=(DELAY_IN_SETTING_ON_DEVICE,),
        events=tuple(events),
    )


def absent(code: AccessCode, now: datetime) -> Change:
    """Not wanted and not on the lock: done if over, waiting if in the future."""
    if code.is_over(now):
        was_on = code.status in (Status.SET, Status.SETTING, Status.REMOVING)
        events = (CodeEvent("access_code.removed_from_device"),) if was_on else ()
        return removed(code, now, why="off_lock", events=events)
    # Not due yet (its window moved on): nothing is late, whatever was said before.
    return Change(
        code,
        "waiting",
        status=Status.UNSET,
        fields={"is_scheduled_on_device": False, "out_of_sync_since": None, "attempts": 0},
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
        fields={"attempts": 0, "next_attempt_at": None},  # put it back now, not after a back-off
        errors=(
            Issue(
                CONFLICTING_EXTERNAL_MODIFICATION,
                "Someone removed this code at the lock; it is being put back.",
            ),
        ),
        events=(event,),
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
    if code.status != Status.REMOVING and not code.wanted_on_lock(now, facts.lead):
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
    removing = not code.wanted_on_lock(now, facts.lead)
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
