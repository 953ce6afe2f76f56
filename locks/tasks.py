"""The task queue's entry points: fetch ids, call a service, nothing else."""

from django.utils import timezone
from django_q.tasks import async_task

from locks import scheduler
from locks.devices import accounts_discover_due
from locks.door_events import accounts_events_read_due
from locks.outgoing.delivery import endpoint_send_due, webhooks_queue_due
from reservations.alerts import alerts_email_due


def tick() -> int:
    """Every minute (the `innkeeper-tick` schedule, migration 0002): queue the drainers, a
    read of the locks' event feeds (a task of its own: a cloud's slow answer never holds up
    the tick), and a webhook sender per endpoint with a delivery due (retries)."""
    async_task("locks.tasks.read_events", task_name="read-lock-events", group="events")
    now = timezone.now()
    webhooks_queue_due(now=now)
    return scheduler.tick(now=now)


def read_events() -> int:
    """Read every driver account's event feed that is due (see `locks.door_events`)."""
    return accounts_events_read_due(now=timezone.now())


def send_webhooks(endpoint_id: str) -> int:
    """Send an endpoint's due webhook deliveries, in order (see `locks.outgoing.delivery`)."""
    return endpoint_send_due(endpoint_id=endpoint_id)


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
