"""A shaky feed never cancels a stay by itself: failed reads, empty answers, and its health."""

from datetime import timedelta

import pytest

from locks.errors import ServiceError
from reservations.imports import calendars
from reservations.imports.feeds import EMPTY_BELIEVED_AFTER, feed_create, feed_health
from reservations.models import Reservation
from tests.reservations.feed_server import FeedServer, ics, read_now

MINUTE = timedelta(minutes=1)


@pytest.fixture
def feed(feed, t0):
    """The Airbnb feed (conftest.py) read once at t0: three upcoming stays."""
    read_now(feed, t0)
    return feed


def confirmed() -> int:
    return Reservation.objects.filter(status="confirmed").count()


@pytest.mark.parametrize(
    ("answer", "words"),
    [
        ({"status": 500, "body": "oops"}, "The booking site had a problem (HTTP 500)"),
        ({"status": 404, "body": "gone"}, "says this calendar does not exist (HTTP 404)"),
        ({"status": 403, "body": "no"}, "refused to share the calendar (HTTP 403)"),
        (
            {"body": ics("login_page.html"), "content_type": "text/html"},
            "answered with a web page, not a calendar",
        ),
        ({"body": "hello"}, "did not answer with a calendar (.ics)"),
        ({"body": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\n"}, "The calendar is damaged"),
    ],
)
def test_a_failed_read_keeps_every_stay_and_says_why(feed, server, t0, answer, words):
    server.answer("/airbnb.ics", **answer)

    result = read_now(feed, t0 + 15 * MINUTE)

    assert words in result.error and words in feed.last_error
    assert confirmed() == 3
    assert feed.consecutive_failures == 1
    assert feed.last_success_at == t0


def test_a_feed_that_does_not_answer_in_time_is_a_failed_read(feed, server, t0, monkeypatch):
    monkeypatch.setattr(calendars, "FETCH_TIMEOUT", 0.2)
    server.answer("/airbnb.ics", "", delay=2)

    result = read_now(feed, t0 + 15 * MINUTE)

    assert "did not answer within 0.2 seconds" in result.error
    assert confirmed() == 3


def test_a_feed_too_large_to_be_a_calendar_is_a_failed_read(feed, server, t0, monkeypatch):
    monkeypatch.setattr(calendars, "MAX_FEED_BYTES", 1024)

    result = read_now(feed, t0 + 15 * MINUTE)

    assert "larger than" in result.error
    assert confirmed() == 3


def test_a_server_that_is_not_there_is_a_failed_read(owner, room, t0, loopback_allowed):
    with FeedServer() as gone:
        url = gone.url("/airbnb.ics")
    feed = feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=t0)

    result = read_now(feed, t0)

    assert "refused the connection" in result.error


def test_failed_reads_back_off_and_a_good_one_resets_the_clock(feed, server, t0):
    server.answer("/airbnb.ics", "oops", status=503)
    waits = []
    at = t0
    for _ in range(5):
        read_now(feed, at)
        waits.append(feed.next_poll_at - at)
        at = feed.next_poll_at

    assert [w // MINUTE for w in waits] == [15, 30, 60, 120, 120]
    server.answer("/airbnb.ics", ics("airbnb.ics"))
    read_now(feed, at)
    assert (feed.consecutive_failures, feed.last_error) == (0, "")
    assert feed.next_poll_at == at + 15 * MINUTE


def test_an_empty_answer_is_believed_only_after_several_in_a_row(feed, server, t0):
    server.answer("/airbnb.ics", ics("empty.ics"))

    for n in range(1, EMPTY_BELIEVED_AFTER):
        result = read_now(feed, t0 + n * 15 * MINUTE)
        assert result.waiting_empty
        assert (feed.consecutive_empty, confirmed()) == (n, 3)

    result = read_now(feed, t0 + EMPTY_BELIEVED_AFTER * 15 * MINUTE)
    assert result.cancelled == 3
    assert confirmed() == 0


def test_a_flapping_feed_cancels_nothing(feed, server, t0):
    at = t0
    for body in ["empty.ics", "empty.ics", "airbnb.ics", "empty.ics", "empty.ics", "airbnb.ics"]:
        at += 15 * MINUTE
        server.answer("/airbnb.ics", ics(body))
        read_now(feed, at)
        assert confirmed() == 3, body

    assert feed.consecutive_empty == 0


def test_failed_reads_between_empty_answers_neither_count_nor_reset_them(feed, server, t0):
    at = t0
    for answer in [ics("empty.ics"), None, ics("empty.ics"), None]:
        at += 15 * MINUTE
        if answer is None:
            server.answer("/airbnb.ics", "down", status=502)
        else:
            server.answer("/airbnb.ics", answer)
        read_now(feed, at)

    assert (feed.consecutive_empty, confirmed()) == (2, 3)


def test_a_feed_of_only_closed_nights_counts_as_empty(feed, server, t0):
    server.answer("/airbnb.ics", ics("booking_closed.ics"))

    result = read_now(feed, t0 + 15 * MINUTE)

    assert result.waiting_empty and confirmed() == 3


def test_an_empty_feed_with_nothing_to_lose_is_simply_read(owner, room, server, t0):
    url = server.answer("/new.ics", ics("empty.ics"))
    feed = feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=t0)

    result = read_now(feed, t0)

    assert not result.waiting_empty
    assert feed_health(feed, t0)["tone"] == "green"


# --- health, in words ---------------------------------------------------------------------------


def test_a_new_feed_is_not_read_yet(owner, room, t0):
    feed = feed_create(
        owner=owner, unit=room, name="Airbnb", url="https://example.com/a.ics", now=t0
    )

    assert feed_health(feed, t0)["label"] == "Not read yet"


def test_a_working_feed_says_when_it_was_read_and_what_it_lists(feed, t0):
    health = feed_health(feed, t0 + 5 * MINUTE)

    assert health == {
        "tone": "green",
        "label": "Working",
        "sentence": "Read 5 min ago: 3 stays upcoming.",
    }


def test_a_failing_feed_turns_amber_then_red_and_says_what_is_kept(feed, server, t0):
    server.answer("/airbnb.ics", "oops", status=500)
    read_now(feed, t0 + 15 * MINUTE)

    first = feed_health(feed, t0 + 16 * MINUTE)
    assert first["tone"] == "amber"
    assert "(1 time in a row.)" in first["sentence"]
    assert (
        "The stays from the last good read (Mon 1 Jun, 13:00 WEST) are kept." in first["sentence"]
    )

    read_now(feed, t0 + 45 * MINUTE)
    read_now(feed, t0 + 105 * MINUTE)
    assert feed_health(feed, t0 + 106 * MINUTE)["tone"] == "red"


def test_a_feed_waiting_to_believe_an_empty_answer_says_so(feed, server, t0):
    server.answer("/airbnb.ics", ics("empty.ics"))
    read_now(feed, t0 + 15 * MINUTE)

    health = feed_health(feed, t0 + 16 * MINUTE)

    assert health["tone"] == "amber"
    assert f"(1 of {EMPTY_BELIEVED_AFTER} reads in a row)" in health["sentence"]


def test_a_feed_with_skipped_events_says_which(owner, room, server, t0):
    url = server.answer("/pms.ics", ics("pms.ics"))
    feed = feed_create(owner=owner, unit=room, name="PMS", url=url, now=t0)
    read_now(feed, t0)

    health = feed_health(feed, t0)

    assert health["tone"] == "amber"
    assert "“Broken Export”" in health["sentence"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:6379/",
        "http://[::1]:8000/calendar.ics",
        "http://localhost/calendar.ics",
        "https://10.0.0.5/calendar.ics",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_feed_inside_this_servers_own_network_is_refused_saying_why(owner, room, t0, url):
    with pytest.raises(ServiceError) as refused:
        feed_create(owner=owner, unit=room, name="Scan", url=url, now=t0)
    assert refused.value.field == "url"
    assert "OUTBOUND_ALLOWED_NETWORKS" in refused.value.message


def test_the_address_is_checked_again_at_each_read(feed, server, t0, settings):
    """A feed saved while loopback was allowed is not read once it is not."""
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    read_before = len(server.requests)  # the fixture's first read
    result = read_now(feed, t0 + 15 * MINUTE)
    assert "does not read feeds from there" in result.error and "loopback" in result.error
    assert len(server.requests) == read_before
    assert confirmed() == 3  # a failed read cancels nothing


def test_a_redirect_inside_this_servers_network_is_not_followed(feed, server, t0):
    """Loopback is allowed here; the cloud's metadata address a redirect points to is not."""
    server.redirects["/airbnb.ics"] = "http://169.254.169.254/latest/meta-data/"
    result = read_now(feed, t0 + 15 * MINUTE)
    assert "does not read feeds from there" in result.error and "link-local" in result.error
    assert confirmed() == 3
