"""Two stays in one room at once: refused when typed in, kept and flagged when pushed."""

from datetime import timedelta

import pytest

from locks.errors import ServiceError
from reservations.models import Reservation
from reservations.stays import (
    reservation_cancel,
    reservation_check_out_early,
    reservation_update,
)
from tests import factories
from tests.reservations import stays
from tests.reservations.stays import CHECK_IN, CHECK_OUT

DAY = timedelta(days=1)


def book(owner, unit, now, name, **fields):
    return stays.book(owner, unit, now, guest_name=name, **fields)


def flags(*stays) -> list[bool]:
    for stay in stays:
        stay.refresh_from_db()
    return [stay.has_conflict for stay in stays]


@pytest.fixture
def ana(owner, room, lock, t0):
    return book(owner, room, t0, "Ana Lima")


def test_an_overlapping_stay_typed_in_is_refused_naming_the_other_guest_and_dates(
    owner, room, ana, t0
):
    with pytest.raises(ServiceError) as refused:
        book(owner, room, t0, "Rui Sousa", check_in=CHECK_IN + DAY, check_out=CHECK_OUT + DAY)
    error = refused.value
    assert (error.status, error.type) == (409, "reservation_conflict")
    assert error.message == (
        "Room 101 is already booked by Ana Lima from Wed 03 Jun to Fri 05 Jun. "
        "Choose other dates or another unit."
    )
    assert Reservation.objects.filter(unit=room).count() == 1


def test_a_stay_inside_another_is_refused_too(owner, room, ana, t0):
    with pytest.raises(ServiceError, match="already booked by Ana Lima"):
        book(owner, room, t0, "Rui Sousa", check_in=CHECK_IN + DAY, check_out=CHECK_IN + 2 * DAY)


def test_a_check_in_on_the_day_of_another_guests_check_out_is_fine(owner, room, ana, t0):
    same_day = CHECK_OUT + timedelta(hours=4)  # 15:00, the day Ana leaves at 11:00
    next_guest = book(owner, room, t0, "Rui Sousa", check_in=same_day, check_out=same_day + DAY)
    assert flags(ana, next_guest) == [False, False]


def test_a_check_in_at_the_very_minute_of_check_out_is_fine(owner, room, ana, t0):
    book(owner, room, t0, "Rui Sousa", check_in=CHECK_OUT, check_out=CHECK_OUT + DAY)


def test_another_room_on_the_same_dates_is_fine(owner, hotel, ana, t0):
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    book(owner, other_room, t0, "Rui Sousa")


def test_a_cancelled_stay_does_not_block_its_dates(owner, room, ana, t0):
    reservation_cancel(reservation=ana, now=t0)
    book(owner, room, t0, "Rui Sousa")


def test_moving_a_typed_in_stay_onto_another_is_refused_and_changes_nothing(owner, room, ana, t0):
    later = book(
        owner, room, t0, "Rui Sousa", check_in=CHECK_OUT + DAY, check_out=CHECK_OUT + 3 * DAY
    )
    with pytest.raises(ServiceError, match="already booked by Ana Lima") as refused:
        reservation_update(reservation=later, now=t0, check_in=CHECK_OUT - DAY)
    assert refused.value.type == "reservation_conflict"
    assert later.check_in == CHECK_OUT + DAY
    later.refresh_from_db()
    assert later.check_in == CHECK_OUT + DAY


def test_moving_a_stay_to_a_booked_room_is_refused(owner, hotel, ana, t0):
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    rui = book(owner, other_room, t0, "Rui Sousa")
    with pytest.raises(ServiceError, match="Room 101 is already booked by Ana Lima"):
        reservation_update(reservation=rui, now=t0, unit=ana.unit)


@pytest.mark.parametrize("source", ["ical", "api"])
def test_an_overlap_pushed_by_a_feed_or_the_api_is_kept_and_both_are_flagged(
    owner, room, ana, t0, source
):
    pushed = book(
        owner, room, t0, "Rui Sousa", check_in=CHECK_IN + DAY, source=source, external_id="x1"
    )
    assert pushed.has_conflict
    assert flags(ana, pushed) == [True, True]
    assert pushed.access_codes.exists()


def test_a_stay_that_does_not_overlap_is_not_flagged(owner, room, ana, t0):
    pushed = book(
        owner,
        room,
        t0,
        "Rui Sousa",
        check_in=CHECK_OUT,
        check_out=CHECK_OUT + DAY,
        source="ical",
        external_id="x1",
    )
    assert flags(ana, pushed) == [False, False]


def test_the_flag_clears_when_one_of_the_pair_is_cancelled(owner, room, ana, t0):
    pushed = book(owner, room, t0, "Rui Sousa", source="ical", external_id="x1")
    reservation_cancel(reservation=pushed, now=t0)
    assert flags(ana, pushed) == [False, False]


def test_the_flag_clears_when_one_of_the_pair_moves_away(owner, room, ana, t0):
    pushed = book(owner, room, t0, "Rui Sousa", source="ical", external_id="x1")
    reservation_update(
        reservation=ana, now=t0, check_in=CHECK_IN - 3 * DAY, check_out=CHECK_IN - DAY
    )
    assert flags(ana, pushed) == [False, False]


def test_the_flag_clears_when_one_of_the_pair_moves_to_another_room(owner, hotel, room, ana, t0):
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    pushed = book(owner, room, t0, "Rui Sousa", source="ical", external_id="x1")
    reservation_update(reservation=pushed, now=t0, unit=other_room)
    assert flags(ana, pushed) == [False, False]


def test_the_flag_clears_when_the_first_guest_leaves_early(owner, room, ana, t0):
    pushed = book(
        owner, room, t0, "Rui Sousa", check_in=CHECK_IN + DAY, source="ical", external_id="x1"
    )
    reservation_check_out_early(reservation=ana, now=CHECK_IN + timedelta(hours=5))
    assert flags(ana, pushed) == [False, False]


def test_three_stays_piled_up_are_all_flagged_until_each_is_sorted_out(owner, room, ana, t0):
    second = book(owner, room, t0, "Rui Sousa", source="ical", external_id="x1")
    third = book(owner, room, t0, "Eva Pires", source="ical", external_id="x2")
    assert flags(ana, second, third) == [True, True, True]
    reservation_cancel(reservation=second, now=t0)
    assert flags(ana, second, third) == [True, False, True]
    reservation_cancel(reservation=third, now=t0)
    assert flags(ana, second, third) == [False, False, False]
