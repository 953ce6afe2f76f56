"""When the reconciler runs: a tick finds due locks, claims each, and queues per-lock work.

A lock is due when its `next_check_at` has passed. A claim is a conditional UPDATE that only
one worker can win, leased for LEASE so a crashed worker's lock comes back by itself. Each
lock is worked on by one worker at a time, and one slow lock never holds up another.
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Q, When
from django.db.models.functions import Least
from django.utils import timezone
from django_q.tasks import async_task

from locks import hooks, reconcile
from locks.models import Lock

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than the task timeout, so a lease outlives its task
TICK_BATCH = 500


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def due_lock_query(*, now: datetime):
    """The tick's one indexed query (`lock_due_tick`): locks whose next check has come."""
    return (
        Lock.objects.filter(next_check_at__lte=now)
        .filter(_unclaimed(now))
        .order_by("next_check_at")
        .values_list("pk", flat=True)
    )


def due_lock_ids(*, now: datetime, limit: int | None = None) -> list[int]:
    """The most overdue locks first, a batch (TICK_BATCH) at a time."""
    return list(due_lock_query(now=now)[: limit or TICK_BATCH])


def lock_claim(*, lock_id: int, now: datetime) -> uuid.UUID | None:
    """Take the lock for one reconcile; None when another worker holds it or it is not due."""
    token = uuid.uuid4()
    won = (
        Lock.objects.filter(pk=lock_id, next_check_at__lte=now)
        .filter(_unclaimed(now))
        .update(claimed_until=now + LEASE, claim_token=token)
    )
    return token if won == 1 else None


def lock_run_claimed(*, lock_id: int, token: uuid.UUID | str, now: datetime):
    """Reconcile a lock this worker has claimed, then release it with its next due time."""
    lock = (
        Lock.objects.select_related("owner", "account")
        .filter(pk=lock_id, claim_token=token)
        .first()
    )
    if lock is None:
        return None  # the lease ran out and another worker took over
    version = lock.desired_version
    try:
        if hooks.before_pass_run(lock=lock, now=now):
            # The hooks' own changes are in this pass; only someone else's need another one.
            version = Lock.objects.values_list("desired_version", flat=True).get(pk=lock_id)
        result = reconcile.lock_reconcile(lock=lock, now=now)
        hooks.after_pass_run(lock=lock, now=now)
        next_check = result.next_check_at
    except Exception:
        # A bug or a driver's surprise: recorded where people see it, retried on the clock.
        log.exception("Reconciling lock %s failed", lock_id)
        Lock.objects.filter(pk=lock_id).update(
            last_error="Innkeeper hit an internal error while checking this lock; it will "
            "retry in a few minutes. If this stays, contact support."
        )
        result, next_check = None, now + LEASE
    # A change to the desired state made during the pass makes the lock due again at once.
    Lock.objects.filter(pk=lock_id, claim_token=token).update(
        claimed_until=None,
        claim_token=None,
        next_check_at=Case(When(desired_version=version, then=next_check), default=now),
    )
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


def enqueue_lock(*, lock_id: int, now: datetime) -> bool:
    """Claim a due lock and queue its reconcile; False when someone else already has it."""
    token = lock_claim(lock_id=lock_id, now=now)
    if token is None:
        return False
    async_task(
        "locks.tasks.reconcile_lock",
        lock_id,
        str(token),
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
# Queue every due lock; and one full synchronous pass over them (the `tick` command, cron, tests).
tick = LOCKS.queue_all
run_due_locks = LOCKS.run_all
