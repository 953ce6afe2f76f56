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
# A code whose lock's cloud removes it at its end is left to the cloud this long; a code still
# there after that is removed here, and a person is told.
CLOUD_REMOVAL_GRACE = timedelta(minutes=15)
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
    # The same for a code that prefers no native schedule (`prefer_native_scheduling`).
    just_in_time_lead: timedelta = timedelta(minutes=30)
    # The lock's cloud takes a time-bound code off by itself at `ends_at` (Seam does).
    cloud_removes_at_end: bool = False
    poll: timedelta = timedelta(minutes=15)
    delay_warning: timedelta = timedelta(minutes=10)
    failure_error: timedelta = timedelta(minutes=60)
    # `Lock.desired_version` when the codes were read: a refused write waits for it to move.
    desired_version: int = 0

    @classmethod
    def of(
        cls, lock, *, lead: timedelta, desired_version: int, cloud_removes_at_end: bool = False
    ) -> "LockFacts":
        owner = lock.owner
        return cls(
            name=lock.name,
            max_active_codes=lock.max_active_codes,
            supports_native_scheduling=lock.supports_native_scheduling,
            lead=lead,
            just_in_time_lead=timedelta(minutes=owner.program_lead_minutes),
            cloud_removes_at_end=cloud_removes_at_end,
            poll=timedelta(minutes=owner.lock_poll_minutes),
            delay_warning=timedelta(minutes=owner.delay_warning_minutes),
            failure_error=timedelta(minutes=owner.failure_error_minutes),
            desired_version=desired_version,
        )

    def native(self, code: AccessCode) -> bool:
        """Whether `code` goes on with its own schedule, ahead of its start."""
        return self.supports_native_scheduling and code.prefer_native_scheduling

    def lead_for(self, code: AccessCode) -> timedelta:
        return self.lead if self.native(code) else self.just_in_time_lead


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
    if code.wanted_on_lock(now, facts.lead_for(code)):
        # A code its cloud holds with its window is the cloud's to program until it starts.
        return not (code.is_on_lock or held_by_cloud(code, now))
    return (
        code.is_on_lock or code.is_held_by_cloud or code.status in (Status.SETTING, Status.REMOVING)
    )


def held_by_cloud(code: AccessCode, now: datetime) -> bool:
    """Its lock's cloud keeps it with its window and programs the lock itself before it starts."""
    return code.is_held_by_cloud and code.starts_at is not None and now < code.starts_at


def scheduled_on_device(code: AccessCode, now: datetime) -> bool:
    """On the lock with its own schedule, which has not begun yet (`unset` until it does)."""
    return (
        code.is_on_lock
        and code.is_scheduled_on_device
        and code.starts_at is not None
        and now < code.starts_at
    )


def left_to_cloud(code: AccessCode, now: datetime, facts: LockFacts) -> bool:
    """Over by its window, on a lock whose cloud removes it itself, within the grace for that."""
    return (
        facts.cloud_removes_at_end
        and code.deleted_at is None
        and code.ends_at is not None
        and code.ends_at <= now < code.ends_at + CLOUD_REMOVAL_GRACE
    )


# --- the next due time ---------------------------------------------------------------------------


def code_due(code: AccessCode, now: datetime, facts: LockFacts) -> datetime | None:
    if code.removed_at is not None or blocked(code, facts):
        return None  # a freed slot or a new PIN brings the lock forward by itself
    if code.next_attempt_at and not code.is_on_lock:
        return max(code.next_attempt_at, now + RETRY_SOON)
    wanted = code.wanted_on_lock(now, facts.lead_for(code))
    if wanted and (scheduled_on_device(code, now) or held_by_cloud(code, now)):
        return code.starts_at  # a look at the lock then shows it `set`
    if wanted and code.status != Status.SET:
        return now + RETRY_BASE
    if not wanted and left_to_cloud(code, now, facts) and code.status != Status.UNSET:
        return code.ends_at + CLOUD_REMOVAL_GRACE
    if not wanted and (
        code.status != Status.UNSET or code.is_scheduled_on_device or code.is_held_by_cloud
    ):
        # Still to come off the lock; after a refused removal, on its back-off.
        return max(code.next_attempt_at or now, now + RETRY_BASE)
    if code.type == AccessCode.Type.TIME_BOUND:
        return code.ends_at if wanted else code.starts_at - facts.lead_for(code)
    return None


def escalation_due(code: AccessCode, now: datetime, facts: LockFacts) -> datetime | None:
    """When the escalation clock next has something to say about this out-of-sync code: its
    delay warning, then its failure error, each at the owner's minutes after the clock started."""
    since = code.out_of_sync_since
    if since is None or not out_of_sync(code, now, facts):
        return None
    setting = code.wanted_on_lock(now, facts.lead_for(code))
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
        due = (
            code_due(code, now, facts)
            if reachable
            else window_edge(code, now, facts.lead_for(code))
        )
        for at in (due, escalation_due(code, now, facts)):
            if at is not None:
                next_check = min(next_check, at)
    return next_check
