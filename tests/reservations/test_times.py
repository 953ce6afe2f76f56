"""Local times at the property, as UTC, across the nights the clocks change."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from locks.times import local_day_bounds, local_to_utc, stay_bounds
from tests import factories

LISBON = ZoneInfo("Europe/Lisbon")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "tz", "expected"),
    [
        (datetime(2026, 6, 3, 15, 0), LISBON, utc(2026, 6, 3, 14, 0)),
        (datetime(2026, 1, 10, 15, 0), LISBON, utc(2026, 1, 10, 15, 0)),
        (datetime(2026, 6, 3, 15, 0), NEW_YORK, utc(2026, 6, 3, 19, 0)),
        (datetime(2026, 1, 10, 15, 0), NEW_YORK, utc(2026, 1, 10, 20, 0)),
    ],
)
def test_an_ordinary_local_time_becomes_utc(local, tz, expected):
    assert local_to_utc(local, tz) == expected


@pytest.mark.parametrize(
    ("local", "tz", "expected_local"),
    [
        # Lisbon jumps from 01:00 to 02:00 on 29 March 2026: 01:30 never happens.
        (datetime(2026, 3, 29, 1, 30), LISBON, datetime(2026, 3, 29, 2, 30)),
        # New York jumps from 02:00 to 03:00 on 8 March 2026.
        (datetime(2026, 3, 8, 2, 30), NEW_YORK, datetime(2026, 3, 8, 3, 30)),
    ],
)
def test_a_time_skipped_in_spring_is_read_as_the_same_time_after_the_jump(
    local, tz, expected_local
):
    moment = local_to_utc(local, tz)
    assert moment.astimezone(tz).replace(tzinfo=None) == expected_local


@pytest.mark.parametrize(
    ("local", "tz", "expected"),
    [
        # Lisbon goes back from 02:00 to 01:00 on 25 October 2026: 01:30 happens twice.
        (datetime(2026, 10, 25, 1, 30), LISBON, utc(2026, 10, 25, 0, 30)),
        # New York goes back from 02:00 to 01:00 on 1 November 2026.
        (datetime(2026, 11, 1, 1, 30), NEW_YORK, utc(2026, 11, 1, 5, 30)),
    ],
)
def test_a_time_that_happens_twice_in_autumn_is_the_first_one(local, tz, expected):
    assert local_to_utc(local, tz) == expected


@pytest.mark.parametrize(
    ("day", "tz", "hours"),
    [
        (date(2026, 3, 29), LISBON, 23),
        (date(2026, 10, 25), LISBON, 25),
        (date(2026, 6, 3), LISBON, 24),
        (date(2026, 3, 8), NEW_YORK, 23),
        (date(2026, 11, 1), NEW_YORK, 25),
        (date(2026, 1, 10), NEW_YORK, 24),
    ],
)
def test_a_local_day_is_23_24_or_25_hours_long(day, tz, hours):
    start, end = local_day_bounds(day, tz)
    assert end - start == timedelta(hours=hours)
    assert start.astimezone(tz).replace(tzinfo=None) == datetime.combine(day, time.min)
    assert end.astimezone(tz).replace(tzinfo=None) == datetime.combine(
        day + timedelta(days=1), time.min
    )


def test_a_day_whose_midnight_is_skipped_starts_when_the_clocks_land():
    # Santiago puts its clocks forward at midnight: 6 September 2026 begins at 01:00.
    santiago = ZoneInfo("America/Santiago")
    start, end = local_day_bounds(date(2026, 9, 6), santiago)
    assert start.astimezone(santiago).replace(tzinfo=None) == datetime(2026, 9, 6, 1, 0)
    assert end - start == timedelta(hours=23)


def test_consecutive_local_days_meet_without_a_gap():
    _, end_of_saturday = local_day_bounds(date(2026, 10, 24), LISBON)
    start_of_sunday, _ = local_day_bounds(date(2026, 10, 25), LISBON)
    assert end_of_saturday == start_of_sunday


def test_a_stay_takes_the_propertys_default_times_in_its_time_zone(db):
    house = factories.PropertyFactory(
        time_zone="America/New_York", default_check_in=time(16), default_check_out=time(10)
    )
    check_in, check_out = stay_bounds(house, date(2026, 6, 3), date(2026, 6, 5))
    assert check_in == utc(2026, 6, 3, 20, 0)
    assert check_out == utc(2026, 6, 5, 14, 0)


def test_a_stay_over_the_spring_night_is_an_hour_shorter_yet_keeps_its_local_times(db):
    hotel = factories.PropertyFactory(time_zone="Europe/Lisbon")
    check_in, check_out = stay_bounds(hotel, date(2026, 3, 28), date(2026, 3, 30))
    assert check_in.astimezone(LISBON).time() == time(15)
    assert check_out.astimezone(LISBON).time() == time(11)
    assert check_out - check_in == timedelta(hours=43)


def test_a_stay_over_the_autumn_night_is_an_hour_longer(db):
    hotel = factories.PropertyFactory(time_zone="Europe/Lisbon")
    check_in, check_out = stay_bounds(hotel, date(2026, 10, 24), date(2026, 10, 26))
    assert check_out - check_in == timedelta(hours=45)


def test_given_times_win_over_the_propertys_defaults(db):
    hotel = factories.PropertyFactory(time_zone="Europe/Lisbon")
    check_in, check_out = stay_bounds(
        hotel, date(2026, 6, 3), date(2026, 6, 5), time(12, 30), time(9, 0)
    )
    assert check_in == utc(2026, 6, 3, 11, 30)
    assert check_out == utc(2026, 6, 5, 8, 0)


def test_a_late_arrival_at_midnight_is_kept(db):
    hotel = factories.PropertyFactory(time_zone="Europe/Lisbon")
    check_in, _ = stay_bounds(hotel, date(2026, 6, 3), date(2026, 6, 5), time(0, 0))
    assert check_in == utc(2026, 6, 2, 23, 0)
