"""The reconciler's clock: back-offs, what blocks a code, when a lock is next due.

Pure: `LockFacts` and the rows in, times and verdicts out.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from locks.issue_codes import (
    DELAY_IN_SETTING_ON_DEVICE,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PIN_ERRORS,
)
from locks.models import AccessCode

RETRY_BASE = timedelta(minutes=1)
# A lock with more work than one pass may do comes back this soon.
RETRY_SOON = timedelta(seconds=15)
RETRY_MAX = timedelta(minutes=30)
LOCK_BACKOFF_MAX = timedelta(minutes=15)
# The key, on a refused write's error, of the lock's desired state the refusal answered.
REFUSED_AT = "desired_version"

Status = AccessCode.Status


def backoff(attempts: int, base: timedelta, cap: timedelta) -> timedelta:
    # The exponent is bounded: after a long outage 2**attempts would overflow a timedelta.
    return min(base * 2 ** min(max(attempts - 1, 0), 20), cap)


@dataclass(frozen=True)
class LockFacts:
    """What the plan knows about the lock and its owner (the defaults are a new owner's)."""

    name: str = "the lock"
    max_active_codes: int | None = None
    supports_native_scheduling: bool = False
    # How long before a time-bound code starts it goes on the lock (`Lock.program_lead`).
    lead: timedelta = timedelta(minutes=30)
    poll: timedelta = timedelta(minutes=15)
    delay_warning: timedelta = timedelta(minutes=10)
    failure_error: timedelta = timedelta(minutes=60)
    # `Lock.desired_version` when the codes were read: a refused write waits for it to move.
    desired_version: int = 0

    @classmethod
    def of(cls, lock, *, lead: timedelta, desired_version: int) -> "LockFacts":
        owner = lock.owner
        return cls(
            name=lock.name,
            max_active_codes=lock.max_active_codes,
            supports_native_scheduling=lock.supports_native_scheduling,
            lead=lead,
            poll=timedelta(minutes=owner.lock_poll_minutes),
            delay_warning=timedelta(minutes=owner.delay_warning_minutes),
            failure_error=timedelta(minutes=owner.failure_error_minutes),
            desired_version=desired_version,
        )


# --- what blocks a code, and the escalation clock's question ------------------------------------


def refused(code: AccessCode, error_code: str, facts: LockFacts) -> bool:
    """The lock refused this write for good, for the desired state the pass is working on."""
    return any(
        e["error_code"] == error_code and e.get(REFUSED_AT) == facts.desired_version
        for e in code.errors
    )


def blocked(code: AccessCode, facts: LockFacts) -> bool:
    """Waiting for a person (a new PIN, a change) or a free slot: retrying on a clock can't help."""
    if not code.errors:
        return False
    return (
        any(code.has_error(e) for e in (*PIN_ERRORS, NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE))
        or refused(code, FAILED_TO_SET_ON_DEVICE, facts)
        or refused(code, FAILED_TO_REMOVE_FROM_DEVICE, facts)
    )


def out_of_sync(code: AccessCode, now: datetime, facts: LockFacts) -> bool:
    """Whether the lock still disagrees with this row in a way the clock should count."""
    if code.removed_at is not None or blocked(code, facts):
        return False  # a blocking error says what is wrong more plainly than a delay would
    if code.wanted_on_lock(now, facts.lead):
        return code.status != Status.SET
    return code.status in (Status.SET, Status.SETTING, Status.REMOVING)


# --- the next due time ---------------------------------------------------------------------------


def code_due(code: AccessCode, now: datetime, facts: LockFacts) -> datetime | None:
    if code.removed_at is not None or blocked(code, facts):
        return None  # a freed slot or a new PIN brings the lock forward by itself
    if code.next_attempt_at and code.status != Status.SET:
        return max(code.next_attempt_at, now + RETRY_SOON)
    wanted = code.wanted_on_lock(now, facts.lead)
    if wanted and code.status != Status.SET:
        return now + RETRY_BASE
    if not wanted and code.status != Status.UNSET:
        # Still to come off the lock; after a refused removal, on its back-off.
        return max(code.next_attempt_at or now, now + RETRY_BASE)
    if code.type == AccessCode.Type.TIME_BOUND:
        return code.ends_at if wanted else code.starts_at - facts.lead
    return None


def escalation_due(code: AccessCode, now: datetime, facts: LockFacts) -> datetime | None:
    """When the escalation clock next has something to say about this out-of-sync code: its
    delay warning, then its failure error, each at the owner's minutes after the clock started."""
    since = code.out_of_sync_since
    if since is None or not out_of_sync(code, now, facts):
        return None
    setting = code.wanted_on_lock(now, facts.lead)
    steps = []
    if setting and not code.has_warning(DELAY_IN_SETTING_ON_DEVICE):
        steps.append(since + facts.delay_warning)
    if not code.has_error(FAILED_TO_SET_ON_DEVICE if setting else FAILED_TO_REMOVE_FROM_DEVICE):
        steps.append(since + facts.failure_error)
    return min((t for t in steps if t > now), default=None)


def window_edge(code: AccessCode, now: datetime, lead: timedelta) -> datetime | None:
    """The next time a time-bound code must go on or come off the lock, if still ahead."""
    if code.removed_at is not None or code.type != AccessCode.Type.TIME_BOUND:
        return None
    return min((t for t in (code.starts_at - lead, code.ends_at) if t > now), default=None)


def next_check_at(
    codes: Iterable[AccessCode],
    facts: LockFacts,
    now: datetime,
    *,
    reachable: bool,
    consecutive_failures: int = 0,
    unreachable_for_good: bool = False,
) -> datetime:
    """When the lock next needs a look: its poll, or its back-off, or a code's own time, or the
    moment a code's warning or error is due (on the minute, reachable or not)."""
    if reachable:
        next_check = now + facts.poll
    elif unreachable_for_good:
        next_check = now + LOCK_BACKOFF_MAX  # the driver says retrying soon cannot help
    else:
        next_check = now + backoff(consecutive_failures, RETRY_BASE, LOCK_BACKOFF_MAX)
    for code in codes:
        # An unreachable lock is retried on its own back-off (pending codes would otherwise
        # bring it back every minute), but a window opening or closing still brings it forward.
        due = code_due(code, now, facts) if reachable else window_edge(code, now, facts.lead)
        for at in (due, escalation_due(code, now, facts)):
            if at is not None:
                next_check = min(next_check, at)
    return next_check
