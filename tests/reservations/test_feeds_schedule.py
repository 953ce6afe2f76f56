"""When feeds are read: the every-minute schedule, due feeds, claims, and `poll_feeds`."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from reservations.imports import polling, tasks
from reservations.imports.feeds import feed_create
from reservations.models import Reservation, ReservationFeed
from tests.reservations.feed_server import ics

MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def orm_broker(monkeypatch):
    """Queue through the database, also where REDIS_URL is set, so queued reads are rows."""
    monkeypatch.setattr(Conf, "ORM", "default")


def soon_calendar(now) -> str:
    """A one-stay calendar ten days from `now` (for code that reads the real clock)."""
    start = (now + timedelta(days=10)).date()
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Airbnb Inc//Hosting Calendar 1.0//EN\r\n"
        "BEGIN:VEVENT\r\nUID:soon@airbnb.com\r\nSUMMARY:Reserved\r\n"
        f"DTSTART;VALUE=DATE:{start:%Y%m%d}\r\n"
        f"DTEND;VALUE=DATE:{start + timedelta(days=2):%Y%m%d}\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_feeds_are_polled_every_minute_after_migrate(db):
    poll = Schedule.objects.get(name="innkeeper-feeds")

    assert poll.func == "reservations.imports.tasks.poll_feeds"
    assert (poll.schedule_type, poll.minutes, poll.repeats) == (Schedule.MINUTES, 1, -1)


def test_a_new_feed_is_due_at_once_and_again_after_its_poll_interval(feed, t0):
    assert polling.due_feed_ids(now=t0) == [feed.pk]

    assert polling.run_due_feeds(now=t0) == 1

    feed.refresh_from_db()
    assert feed.next_poll_at == t0 + 15 * MINUTE
    assert polling.due_feed_ids(now=t0 + 14 * MINUTE) == []
    assert polling.due_feed_ids(now=t0 + 15 * MINUTE) == [feed.pk]


def test_a_paused_feed_is_never_due(feed, t0):
    ReservationFeed.objects.filter(pk=feed.pk).update(is_active=False)

    assert polling.due_feed_ids(now=t0) == []
    assert polling.feed_claim(feed_id=feed.pk, now=t0, due_only=False) is None


def test_a_due_feed_is_claimed_once(feed, t0):
    first = polling.feed_claim(feed_id=feed.pk, now=t0)
    second = polling.feed_claim(feed_id=feed.pk, now=t0)
    check_now = polling.feed_claim(feed_id=feed.pk, now=t0, due_only=False)

    assert first is not None
    assert (second, check_now) == (None, None)
    assert polling.due_feed_ids(now=t0) == []


def test_a_feed_that_is_not_due_is_claimed_only_to_check_it_now(feed, t0):
    ReservationFeed.objects.filter(pk=feed.pk).update(next_poll_at=t0 + 10 * MINUTE)

    assert polling.feed_claim(feed_id=feed.pk, now=t0) is None
    assert polling.feed_claim(feed_id=feed.pk, now=t0, due_only=False) is not None


def test_a_crashed_workers_lease_runs_out_and_its_late_run_does_nothing(feed, server, t0):
    crashed = polling.feed_claim(feed_id=feed.pk, now=t0)
    after_lease = t0 + polling.LEASE + MINUTE

    assert polling.run_due_feeds(now=after_lease) == 1
    assert Reservation.objects.count() == 3
    requests = len(server.requests)
    assert polling.feed_run_claimed(feed_id=feed.pk, token=crashed, now=after_lease) is None
    assert len(server.requests) == requests


def test_an_internal_error_is_shown_on_the_feed_and_retried(feed, t0, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(polling, "feed_poll", broken)

    polling.run_due_feeds(now=t0)

    feed.refresh_from_db()
    assert "internal error" in feed.last_error
    assert (feed.claimed_until, feed.next_poll_at) == (None, t0 + polling.LEASE)


def test_the_minute_tick_queues_one_read_per_due_feed_beyond_a_batch(
    owner, room, server, t0, monkeypatch
):
    monkeypatch.setattr(polling, "POLL_BATCH", 2)
    for n in range(5):
        url = server.answer(f"/{n}.ics", ics("empty.ics"))
        feed_create(owner=owner, unit=room, name=f"Site {n}", url=url, now=t0)

    assert polling.tick(now=t0) == 5
    assert OrmQ.objects.count() == 5
    assert polling.tick(now=t0) == 0


def test_a_queued_read_runs_with_its_lease(owner, room, server):
    now = timezone.now()
    url = server.answer("/soon.ics", soon_calendar(now))
    feed = feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=now)
    lease = polling.feed_claim(feed_id=feed.pk, now=now)

    tasks.poll_feed(feed.pk, lease.isoformat())

    assert Reservation.objects.get().external_id == "soon@airbnb.com"
    feed.refresh_from_db()
    assert feed.claimed_until is None


def test_poll_feeds_reads_every_due_feed_in_this_process(owner, room, server):
    now = timezone.now()
    url = server.answer("/soon.ics", soon_calendar(now))
    feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=now)
    out = io.StringIO()

    call_command("poll_feeds", stdout=out)

    assert out.getvalue().strip() == "Read 1 feed."
    assert Reservation.objects.get().guest_name.startswith("Airbnb guest, ")
