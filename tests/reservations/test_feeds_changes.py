"""A feed changes: new dates, vanished and cancelled events, stays that come back."""

from datetime import timedelta

import pytest

from locks.models import AccessCode, Event
from reservations.imports.feeds import FEED_CANCELLED, feed_create
from reservations.models import Reservation
from reservations.stays import reservation_cancel, reservation_update
from tests.reservations.feed_server import ics, read_now

JUNE_10 = "1418fb94e984-5c2e"
JUNE_15 = "1418fb94e984-9d8c"
JUNE_15_EVENT = ics("airbnb.ics").split("BEGIN:VEVENT")[3]


@pytest.fixture
def feed(feed, t0):
    """The Airbnb feed (conftest.py), read once at t0."""
    read_now(feed, t0)
    return feed


def stay(uid_start: str) -> Reservation:
    return Reservation.objects.get(external_id__startswith=uid_start)


def without_june_15() -> str:
    return ics("airbnb.ics").replace("BEGIN:VEVENT" + JUNE_15_EVENT, "")


def test_new_dates_move_the_stay_and_its_code_and_keep_its_pin(owner, room, lock, server, t0):
    url = server.answer("/airbnb.ics", ics("airbnb.ics"))
    feed = feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=t0)
    read_now(feed, t0)
    before = stay(JUNE_10)
    server.answer(
        "/airbnb.ics",
        ics("airbnb.ics").replace("DTEND;VALUE=DATE:20260612", "DTEND;VALUE=DATE:20260613"),
    )

    result = read_now(feed, t0 + timedelta(minutes=15))

    after = stay(JUNE_10)
    assert result.updated == 1
    assert after.check_out == before.check_out + timedelta(days=1)
    assert after.pin == before.pin
    code = AccessCode.objects.get(
        reservation=after, removed_at__isnull=True, deleted_at__isnull=True
    )
    assert (code.code, code.ends_at) == (before.pin, after.check_out)
    # The unnamed guest's name, and the code's, follow the new days.
    assert after.guest_name == "Airbnb guest, 10–13 Jun"
    assert code.name == "Airbnb guest, 10–13 Jun"


def test_reading_an_unchanged_feed_again_changes_nothing(feed, t0):
    events = Event.objects.count()

    result = read_now(feed, t0 + timedelta(minutes=15))

    assert (result.created, result.updated, result.cancelled) == (0, 0, 0)
    assert Reservation.objects.count() == 3
    assert Event.objects.count() == events


def test_an_event_that_vanished_cancels_its_stay_and_says_why(feed, server, t0):
    server.answer("/airbnb.ics", without_june_15())

    result = read_now(feed, t0 + timedelta(minutes=15))

    gone = stay(JUNE_15)
    assert result.cancelled == 1
    assert gone.status == "cancelled"
    assert Event.objects.get(reservation=gone, event_type=FEED_CANCELLED).message == (
        "No longer in the Airbnb feed."
    )
    assert stay(JUNE_10).status == "confirmed"


def test_a_stay_under_way_is_kept_when_its_event_vanishes(feed, server, t0):
    during = stay(JUNE_15).check_in + timedelta(hours=20)
    server.answer("/airbnb.ics", without_june_15())

    read_now(feed, during)

    assert stay(JUNE_15).status == "confirmed"


def test_a_stay_that_is_over_is_never_rewritten(feed, server, t0):
    after_it = stay(JUNE_10).check_out + timedelta(days=1)
    server.answer(
        "/airbnb.ics",
        ics("airbnb.ics").replace(
            "DTEND;VALUE=DATE:20260612\r\nSUMMARY:Reserved",
            "DTEND;VALUE=DATE:20260612\r\nSTATUS:CANCELLED\r\nSUMMARY:Reserved",
        ),
    )

    read_now(feed, after_it)

    assert stay(JUNE_10).status == "confirmed"


def test_status_cancelled_cancels_the_stay(feed, server, t0):
    server.answer(
        "/airbnb.ics",
        ics("airbnb.ics").replace(
            "DTEND;VALUE=DATE:20260612\r\n", "DTEND;VALUE=DATE:20260612\r\nSTATUS:CANCELLED\r\n"
        ),
    )

    result = read_now(feed, t0 + timedelta(minutes=15))

    assert result.cancelled == 1
    assert stay(JUNE_10).status == "cancelled"
    assert Event.objects.get(reservation=stay(JUNE_10), event_type=FEED_CANCELLED).message == (
        "Cancelled in the Airbnb feed."
    )


def test_a_stay_listed_again_after_it_vanished_comes_back_with_its_code(
    owner, room, lock, server, t0
):
    url = server.answer("/airbnb.ics", ics("airbnb.ics"))
    feed = feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=t0)
    read_now(feed, t0)
    server.answer("/airbnb.ics", without_june_15())
    read_now(feed, t0 + timedelta(minutes=15))
    server.answer("/airbnb.ics", ics("airbnb.ics"))

    result = read_now(feed, t0 + timedelta(minutes=30))

    back = stay(JUNE_15)
    assert result.updated == 1
    assert back.status == "confirmed"
    assert AccessCode.objects.filter(
        reservation=back, removed_at__isnull=True, deleted_at__isnull=True
    ).exists()


def test_a_stay_a_person_cancelled_is_not_brought_back_by_the_feed(feed, t0):
    reservation_cancel(reservation=stay(JUNE_10), now=t0 + timedelta(minutes=5))

    read_now(feed, t0 + timedelta(minutes=15))

    assert stay(JUNE_10).status == "cancelled"


def test_a_name_a_person_gave_an_airbnb_guest_is_kept(feed, t0):
    reservation_update(reservation=stay(JUNE_10), now=t0, guest_name="Ines Duarte")

    read_now(feed, t0 + timedelta(minutes=15))

    assert stay(JUNE_10).guest_name == "Ines Duarte"


def test_two_feeds_that_book_one_unit_twice_keep_both_stays_and_flag_them(
    owner, room, feed, server, t0
):
    overlapping = ics("vrbo.ics").replace("20260703", "20260611").replace("20260707", "20260613")
    url = server.answer("/vrbo.ics", overlapping)
    vrbo = feed_create(owner=owner, unit=room, name="Vrbo", url=url, now=t0)

    read_now(vrbo, t0)

    jane = Reservation.objects.get(guest_name="Jane Doe")
    assert jane.has_conflict and stay(JUNE_10).has_conflict
    assert stay(JUNE_15).has_conflict is False
