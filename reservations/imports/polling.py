"""When feeds are read: due feeds, claims, and the every-minute tick.

Polling follows the reconciler's scheduler: a feed is due when `next_poll_at` has passed, and is
claimed with a conditional UPDATE (the lease's end is the claim's token), so two workers never
read one feed at once.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django_q.tasks import async_task

from locks.audit import acting
from locks.scheduler import ClaimedWork
from reservations.imports.feeds import FeedPoll, feed_poll
from reservations.models import ReservationFeed

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)  # longer than a poll can take (the fetch times out much sooner)
POLL_BATCH = 200


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def due_feed_ids(*, now: datetime, limit: int | None = None) -> list[int]:
    """Active feeds whose next read has come (index `feed_due_poll`), the most overdue first."""
    return list(
        ReservationFeed.objects.filter(is_active=True, next_poll_at__lte=now)
        .filter(_unclaimed(now))
        .order_by("next_poll_at")
        .values_list("pk", flat=True)[: limit or POLL_BATCH]
    )


def feed_claim(*, feed_id: int, now: datetime, due_only: bool = True) -> datetime | None:
    """Take a feed for one read; the lease's end (the claim's token), or None when another
    worker holds it or it is not due. "Check now" (`due_only=False`) skips the wait."""
    lease = now + LEASE
    feeds = ReservationFeed.objects.filter(pk=feed_id, is_active=True).filter(_unclaimed(now))
    if due_only:
        feeds = feeds.filter(next_poll_at__lte=now)
    return lease if feeds.update(claimed_until=lease) == 1 else None


def feed_run_claimed(*, feed_id: int, token: datetime, now: datetime) -> FeedPoll | None:
    """Read a feed this worker has claimed, then release it with its next due time."""
    feed = (
        ReservationFeed.objects.select_related("owner", "unit__property")
        .filter(pk=feed_id, claimed_until=token)
        .first()
    )
    if feed is None:
        return None  # the lease ran out and another worker took over
    try:
        # The feed's own work, even when a person asked for it ("Check now"): the stays it
        # brings are the calendar's, not that person's, so the audit log records none of them.
        with acting(None):
            result, state = feed_poll(feed=feed, now=now)
    except Exception:
        # A bug, not the feed's fault: shown on the feed, retried on the clock.
        log.exception("Reading feed %s failed", feed_id)
        message = (
            "Innkeeper hit an internal error while reading this feed; it will retry in a few "
            "minutes. If this stays, contact support."
        )
        result = FeedPoll(error=message)
        state = {"last_polled_at": now, "last_error": message, "next_poll_at": now + LEASE}
    ReservationFeed.objects.filter(pk=feed_id, claimed_until=token).update(
        claimed_until=None, **state
    )
    return result


def enqueue_feed(*, feed_id: int, now: datetime) -> bool:
    """Claim a due feed and queue its read; False when someone else already has it."""

    lease = feed_claim(feed_id=feed_id, now=now)
    if lease is None:
        return False
    async_task(
        "reservations.imports.tasks.poll_feed",
        feed_id,
        lease.isoformat(),
        task_name=f"poll-feed-{feed_id}",
        group="feeds",
    )
    return True


FEEDS = ClaimedWork("feed_id", due_feed_ids, feed_claim, feed_run_claimed, enqueue_feed)
# Queue a read of every due feed; and read them all in this process (`poll_feeds`, cron, tests).
tick = FEEDS.queue_all
run_due_feeds = FEEDS.run_all
