"""When the reconciler runs: every minute, workers drain the due locks; a change queues its lock.

A lock is due when its `next_check_at` has passed. The every-minute tick costs the same whatever
is due: it queues one draining task per worker (at most one per due lock), and each drainer
claims and runs due locks one after another, the most overdue first, until none is left or its
time is up (DRAIN_FOR, under the task timeout). A change made in the dashboard or the API queues
its own lock at once (`lock_check_now`), marked `queued_until` so it is not queued twice; a
backup pull does so once it has committed (`lock_check_committed`), writing the lock's row only
when it is not due already, so clerks pulling from one door do not wait for each other.

Queueing takes nothing: a pass in any process (a drainer, a lock's own task, `manage.py tick`
from cron) can take a due lock at once. Taking it is a claim: a conditional UPDATE that only one
worker can win, on a short lease (LEASE) that the worker renews while it works (`Lease.keep`,
before each call to the lock). A crashed worker stops renewing, so its locks come back LEASE
after its last renewal; a worker whose lease was taken over stops before its next call to the
lock. Each lock is worked on by one worker at a time, and one slow lock never holds up another.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from time import monotonic

from django.conf import settings
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django_q.tasks import async_task

from locks import hooks, reconcile
from locks.models import Lock

log = logging.getLogger(__name__)

# A claim lasts this long unless renewed; a worker renews it once a third of it has gone, so a
# single call to a lock may take up to two thirds of it (the Seam driver's timeout is 8 s).
LEASE = timedelta(seconds=20)
# How long a lock's own queued task is given to start before a change may queue it again.
QUEUED_FOR = timedelta(minutes=2)
# After an internal error, the lock is tried again this much later.
ERROR_RETRY = timedelta(minutes=5)
TICK_BATCH = 500
# A drainer works this long at most, then leaves the rest to the next tick's drainers.
DRAIN_FOR = timedelta(seconds=90)  # under django-q2's task timeout (120 s)
DRAIN_BATCH = 20
# A lock whose pass takes this long is slow (a lock timing out, a slow cloud): drainers keep
# such locks to half of the workers, so the others keep every other lock moving, and take them
# after the quick locks due with them. A pass is judged by what it costs a worker when the
# lock has a code to write: its own time, or CALLS_PER_WRITE of its slowest call (read, write,
# confirm), whichever is more; so a lock slow to answer is known from its polls, one call each.
SLOW_PASS_SECONDS = 10.0
CALLS_PER_WRITE = 3
# A slow lock lets the quick locks due with it go first for this long at most, then takes its
# turn (well inside a code's 30-minute lead time).
SLOW_WAITS_FOR = timedelta(minutes=5)


class ClaimLost(Exception):
    """This worker's lease ran out and another worker took the lock over."""


class SlowLockWaits(Exception):
    """The lock turned out slow mid-pass while half of the workers are on slow locks already:
    the pass stops before its next call, and the lock waits, due, for a worker with room."""

    def __init__(self, seconds: float):
        super().__init__(f"slow lock ({seconds:.1f} s a pass)")
        self.seconds = seconds


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _unqueued(now: datetime) -> Q:
    return Q(queued_until__isnull=True) | Q(queued_until__lt=now)


def due_lock_query(*, now: datetime):
    """The one indexed query (`lock_due_tick`) for locks whose next check has come, the most
    overdue first."""
    return (
        Lock.objects.filter(next_check_at__lte=now)
        .filter(_unclaimed(now))
        .order_by("next_check_at")
    )


def due_lock_ids(*, now: datetime, limit: int | None = None) -> list[int]:
    """The most overdue locks first, a batch (TICK_BATCH) at a time."""
    return list(due_lock_query(now=now).values_list("pk", flat=True)[: limit or TICK_BATCH])


def lock_claim(*, lock_id: int, now: datetime) -> uuid.UUID | None:
    """Take the lock for one reconcile; None when another worker holds it or it is not due."""
    token = uuid.uuid4()
    won = (
        Lock.objects.filter(pk=lock_id, next_check_at__lte=now)
        .filter(_unclaimed(now))
        .update(claimed_until=now + LEASE, claim_token=token, queued_until=None)
    )
    return token if won == 1 else None


@dataclass
class Lease:
    """A claim held by this worker, renewed while it works on the lock.

    Times follow the pass's `now` plus the time really spent, so a pass run at any `now` (a
    test's, a late task's) renews consistently with the claim it took.
    """

    lock_id: int
    token: uuid.UUID | str
    now: datetime
    # Known slow when claimed (its last pass), or found slow in this one.
    slow: bool = False
    started: float = 0.0
    renewed: float = 0.0
    call_started: float | None = None
    slowest_call: float = 0.0

    def __post_init__(self):
        self.started = self.renewed = monotonic()

    def seconds(self) -> float:
        """What the pass costs its worker so far (see SLOW_PASS_SECONDS)."""
        clock = monotonic()
        slowest = self.slowest_call
        if self.call_started is not None:  # the call under way, or the last one
            slowest = max(slowest, clock - self.call_started)
        return max(clock - self.started, CALLS_PER_WRITE * slowest)

    def keep(self) -> None:
        """Before each call to the lock: renew the lease if a third of it has gone; raise
        ClaimLost if another worker has taken the lock over meanwhile.

        The pass that turns slow here says so on the lock at once (drainers count it), or,
        when half of the workers are on slow locks already, stops (SlowLockWaits)."""
        clock = monotonic()
        if self.call_started is not None:
            self.slowest_call = max(self.slowest_call, clock - self.call_started)
        self.call_started = clock
        turned_slow = not self.slow and self.seconds() >= SLOW_PASS_SECONDS
        if not turned_slow and clock - self.renewed < LEASE.total_seconds() / 3:
            return  # at least two thirds of the lease are left: nobody can have taken it
        at = self.now + timedelta(seconds=clock - self.started)
        fields = {"claimed_until": at + LEASE}
        if turned_slow:
            if not _room_for_a_slow_lock(at):
                raise SlowLockWaits(self.seconds())
            self.slow = True
            fields["last_pass_seconds"] = self.seconds()
        renewed = Lock.objects.filter(pk=self.lock_id, claim_token=self.token).update(**fields)
        if not renewed:
            raise ClaimLost(f"lock {self.lock_id}")
        self.renewed = clock


def lock_run_claimed(*, lock_id: int, token: uuid.UUID | str, now: datetime):
    """Reconcile a lock this worker has claimed, then release it with its next due time."""
    loaded = reconcile.pass_load(lock_id=lock_id, token=token)
    if loaded is None:
        return None  # the lease ran out and another worker took over
    lock, rows = loaded
    lease = Lease(
        lock_id=lock_id, token=token, now=now, slow=lock.last_pass_seconds >= SLOW_PASS_SECONDS
    )
    version = lock.desired_version
    saved = {}
    try:
        if hooks.before_pass_run(lock=lock, now=now, codes=rows):
            # The hooks' own changes are in this pass; only someone else's need another one.
            version = Lock.objects.values_list("desired_version", flat=True).get(pk=lock_id)
            rows = None  # and the pass reads the codes they made
        result = reconcile.lock_reconcile(
            lock=lock, now=now, before_call=lease.keep, save_lock=False, rows=rows
        )
        hooks.after_pass_run(
            lock=lock, now=now, codes=result.live_codes, issues_changed=result.issues_changed
        )
        next_check = result.next_check_at
        # What the pass learned about the lock is saved with its release: one UPDATE.
        saved = {name: getattr(lock, name) for name in reconcile.LOCK_FIELDS}
        saved["last_pass_seconds"] = lease.seconds()
    except ClaimLost:
        # Nothing of this pass is saved: the worker that took over reads the lock afresh.
        log.warning("Lost the claim on lock %s mid-pass; another worker took it over", lock_id)
        return None
    except SlowLockWaits as slow:
        # Nothing of this pass is saved either; the lock stays due, now known to be slow.
        log.info("Lock %s is slow and half of the workers are on slow locks; it waits", lock_id)
        Lock.objects.filter(pk=lock_id, claim_token=token).update(
            claimed_until=None, claim_token=None, last_pass_seconds=slow.seconds
        )
        return None
    except Exception:
        # A bug or a driver's surprise: recorded where people see it, retried on the clock.
        log.exception("Reconciling lock %s failed", lock_id)
        saved = {
            "last_error": "Innkeeper hit an internal error while checking this lock; it will "
            "retry in a few minutes. If this stays, contact support."
        }
        result, next_check = None, now + ERROR_RETRY
    # A change to the desired state made during the pass makes the lock due again at once.
    Lock.objects.filter(pk=lock_id, claim_token=token).update(
        claimed_until=None,
        claim_token=None,
        next_check_at=Case(When(desired_version=version, then=next_check), default=now),
        **saved,
    )
    return result


def lock_work(*, lock_id: int, now: datetime):
    """A queued task's work: claim the lock and run it, unless another pass already has or
    did (then the lock is not due, or claimed). A change made during the pass is queued again."""
    token = lock_claim(lock_id=lock_id, now=now)
    if token is None:
        return None
    result = lock_run_claimed(lock_id=lock_id, token=token, now=now)
    enqueue_lock(lock_id=lock_id, now=timezone.now())  # due again only if changed meanwhile
    return result


def lock_check_soon(*, lock: Lock, at: datetime) -> None:
    """Make sure the scheduler looks at this lock no later than `at`."""
    Lock.objects.filter(pk=lock.pk).update(
        next_check_at=Least(F("next_check_at"), at) if lock.next_check_at else at,
        desired_version=F("desired_version") + 1,
    )
    if lock.next_check_at is None or at < lock.next_check_at:
        lock.next_check_at = at


def lock_check_now(*, lock: Lock, now: datetime) -> None:
    """Ask for a reconcile right away: due now, and queued once the transaction commits."""
    lock_check_soon(lock=lock, at=now)
    transaction.on_commit(lambda: enqueue_lock(lock_id=lock.pk, now=now))


def lock_check_committed(*, lock: Lock, now: datetime) -> None:
    """`lock_check_now` after a change has committed (a backup pull), writing the lock's row
    only when that is needed, so that clerks pulling from one door at once do not queue on it.

    A lock already due and held by no pass is left as it is: any pass claims it after the change
    committed, so it reads the change. Otherwise (not due yet, or a pass holds it and may have
    read its codes before the change) it is made due now and its version bumped, as
    `lock_check_now` does; then it is queued. Called inside a transaction, the change is not
    committed yet, so it is `lock_check_now`.
    """
    if transaction.get_connection().in_atomic_block:
        lock_check_now(lock=lock, now=now)
        return
    # A conditional UPDATE: a row already due and unclaimed matches nothing and is not written.
    Lock.objects.filter(pk=lock.pk).filter(
        Q(next_check_at__isnull=True) | Q(next_check_at__gt=now) | Q(claimed_until__isnull=False)
    ).update(
        next_check_at=Case(
            When(next_check_at__lte=now, then=F("next_check_at")), default=Value(now)
        ),
        desired_version=F("desired_version") + 1,
    )
    enqueue_lock(lock_id=lock.pk, now=now)


def enqueue_lock(*, lock_id: int, now: datetime) -> bool:
    """Queue a due lock's reconcile; False when it is not due, claimed, or already queued.

    Nothing is claimed here: the task claims when it starts, so a pass elsewhere (cron's
    `manage.py tick`) is never kept waiting by a task no worker has picked up.
    """
    marked = (
        Lock.objects.filter(pk=lock_id, next_check_at__lte=now)
        .filter(_unclaimed(now), _unqueued(now))
        .update(queued_until=now + QUEUED_FOR)
    )
    if not marked:
        return False
    async_task(
        "locks.tasks.reconcile_lock",
        lock_id,
        task_name=f"reconcile-lock-{lock_id}",
        group="reconcile",
    )
    return True


@dataclass(frozen=True)
class ClaimedWork:
    """Rows worked on through claims, batch after batch: locks to reconcile, feeds to read.

    Every function takes the row's id under `key` (`lock_id`, `feed_id`) and `now`; a claim
    returns its token (None when another worker holds the row), which `run` takes back.
    Claimed rows drop out of the due query, so each batch is a new one, until one brings nothing.
    """

    key: str
    due_ids: Callable[..., list]
    claim: Callable[..., object]
    run: Callable[..., object]
    enqueue: Callable[..., bool]

    def queue_all(self, *, now: datetime) -> int:
        """Claim and queue every due row (the every-minute tick); returns how many."""
        queued = 0
        while True:
            ids = self.due_ids(now=now)
            done = sum(self.enqueue(**{self.key: pk}, now=now) for pk in ids)
            queued += done
            if not done:
                return queued

    def run_all(self, *, now: datetime | None = None) -> int:
        """Claim and run every due row in this process (commands for cron, tests)."""
        done = 0
        while True:
            at = now or timezone.now()
            ids = self.due_ids(now=at)
            progressed = False
            for pk in ids:
                token = self.claim(**{self.key: pk}, now=at)
                if token is not None:
                    self.run(**{self.key: pk}, token=token, now=at)
                    done += 1
                    progressed = True
            if not progressed:
                return done


LOCKS = ClaimedWork("lock_id", due_lock_ids, lock_claim, lock_run_claimed, enqueue_lock)
# One full synchronous pass over every due lock (the `tick` command, cron, tests).
run_due_locks = LOCKS.run_all


def tick(*, now: datetime) -> int:
    """The every-minute tick: queue a drainer per worker, never more than there are due locks,
    in a query and a push each, whatever is due. Returns how many drainers were queued."""
    drainers = len(due_lock_ids(now=now, limit=settings.Q_CLUSTER["workers"]))
    for _ in range(drainers):
        async_task("locks.tasks.drain", task_name="drain-due-locks", group="reconcile")
    return drainers


def drain(*, until: float | None = None, clock: Callable[[], datetime] = timezone.now) -> int:
    """A drainer's work: claim and run due locks, the most overdue first, until none is due or
    `until` (a `monotonic()` time; DRAIN_FOR from now by default). Returns how many it ran.
    `clock` gives each batch its `now` (tests move it by hand).

    Slow locks (see SLOW_PASS_SECONDS) go after the quick locks due with them: a batch that
    holds quick locks runs those, and a slow lock is taken from a batch of slow locks alone
    (or once it has waited SLOW_WAITS_FOR). It is passed by while half of the workers are on
    slow locks already: it stays due, for the next drainer with room for it.
    """
    until = until if until is not None else monotonic() + DRAIN_FOR.total_seconds()
    done = 0
    quick_only = False
    while monotonic() < until:
        now = clock()
        batch = _due_with_pass_time(now=now, quick_only=quick_only)
        first = [
            (pk, seconds >= SLOW_PASS_SECONDS)
            for pk, seconds, due in batch
            if seconds < SLOW_PASS_SECONDS or due <= now - SLOW_WAITS_FOR
        ]
        progressed = lost = passed_by = False
        for pk, slow in first or [(pk, True) for pk, *_ in batch]:
            if monotonic() >= until:
                break
            now = clock()  # each pass at its own time: a batch of slow locks takes a while
            if slow and not _room_for_a_slow_lock(now):
                passed_by = True
                continue
            token = lock_claim(lock_id=pk, now=now)
            if token is None:  # another drainer has it: on to the next
                lost = True
                continue
            lock_run_claimed(lock_id=pk, token=token, now=now)
            done += 1
            progressed = True
        if progressed or (lost and first):
            quick_only = False  # quick locks taken by others meanwhile: look again
        elif passed_by and not quick_only and len(batch) == DRAIN_BATCH:
            quick_only = True  # a batch of slow locks without room: the quick ones after it
        else:
            return done
    return done


def _due_with_pass_time(*, now: datetime, quick_only: bool = False) -> list:
    due = due_lock_query(now=now)
    if quick_only:
        due = due.filter(last_pass_seconds__lt=SLOW_PASS_SECONDS)
    return list(due.values_list("pk", "last_pass_seconds", "next_check_at")[:DRAIN_BATCH])


def _room_for_a_slow_lock(now: datetime) -> bool:
    """Whether fewer than half of the workers (at least one) hold slow locks now."""
    busy = Lock.objects.filter(
        claimed_until__gte=now, last_pass_seconds__gte=SLOW_PASS_SECONDS
    ).count()
    return busy < max(1, settings.Q_CLUSTER["workers"] // 2)
