"""The task queue's entry points for feeds: fetch ids, call a service, nothing else."""

from datetime import datetime

from django.utils import timezone

from reservations.imports import polling


def poll_feeds() -> int:
    """Every minute (the `innkeeper-feeds` schedule): queue a read of every due feed."""
    return polling.tick(now=timezone.now())


def poll_feed(feed_id: int, lease: str) -> None:
    polling.feed_run_claimed(
        feed_id=feed_id, token=datetime.fromisoformat(lease), now=timezone.now()
    )
