"""The task queue's entry points: fetch ids, call a service, nothing else."""

from django.utils import timezone

from locks import scheduler
from locks.devices import accounts_discover_due
from reservations.alerts import alerts_email_due


def tick() -> int:
    """Every minute (the `innkeeper-tick` schedule, migration 0002): queue the drainers."""
    return scheduler.tick(now=timezone.now())


def drain() -> int:
    """Run due locks, one after another, for up to `scheduler.DRAIN_FOR`."""
    return scheduler.drain()


def reconcile_lock(lock_id: int, *_queued_with) -> None:
    # Tasks queued by earlier versions also carry a claim token; the task claims for itself now.
    scheduler.lock_work(lock_id=lock_id, now=timezone.now())


def discover() -> int:
    """Every few minutes (see the discovery schedule): look for new and vanished devices, then
    email urgent alerts. Alerts are per owner, so they ride on this per-owner schedule rather
    than on the per-lock tick; a few minutes' delay is well inside the 24 hours they warn of."""
    now = timezone.now()
    found = accounts_discover_due(now=now)
    alerts_email_due(now=now)
    return found
