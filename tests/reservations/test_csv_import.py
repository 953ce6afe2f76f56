"""The CSV import: a preview that says what every line would do, then each line imported whole."""

from datetime import UTC, datetime, timedelta

import pytest

from locks.errors import ServiceError
from reservations.imports.csv_import import csv_import_row, csv_preview
from reservations.imports.sample import sample_csv
from reservations.models import Reservation
from reservations.stays import reservation_cancel
from tests import factories
from tests.reservations.stays import book

HEADER = "unit,guest name,phone,email,guests,check-in,check-out,external id,notes\n"


@pytest.fixture
def units(hotel, room):
    """Room 101 and Room 102 of the Seaside Hotel (Lisbon, Portugal)."""
    hotel.country = "PT"
    hotel.save()
    return room, factories.UnitFactory(property=hotel, name="Room 102")


def preview(owner, text: str, now) -> list[dict]:
    return csv_preview(owner=owner, data=text.encode(), now=now)


def one(owner, line: str, now) -> dict:
    (row,) = preview(owner, HEADER + line + "\n", now)
    return row


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_good_line_will_create_a_stay_at_the_propertys_times(owner, units, t0):
    row = one(
        owner, "Room 101,Anna Silva,912 345 678,anna@example.com,2,2026-07-10,2026-07-12,BK-1,", t0
    )

    assert (row["action"], row["message"], row["line"]) == ("create", "", 2)
    assert row["unit"] == "Seaside Hotel — Room 101"
    assert row["when"] == "Fri 10 Jul, 15:00 WEST → Sun 12 Jul, 11:00 WEST"
    assert row["data"]["phone"] == "+351912345678"  # read as a Portuguese number
    assert not Reservation.objects.exists()


def test_common_header_spellings_semicolons_and_day_first_dates_are_understood(owner, units, t0):
    text = (
        "Room;Property;Name;Mobile;Arrival;Departure;Arrival time;Booking ID\n"
        "room 102;Seaside Hotel;Tom Becker;+49 30 12345678;11/07/2026;14/07/2026;13:00;B-7\n"
    )

    (row,) = preview(owner, text, t0)

    assert row["action"] == "create"
    assert row["unit"] == "Seaside Hotel — Room 102"
    assert row["when"] == "Sat 11 Jul, 13:00 WEST → Tue 14 Jul, 11:00 WEST"
    assert row["data"]["external_id"] == "B-7"


def test_a_us_property_reads_dates_month_first(owner, t0):
    cabin = factories.PropertyFactory(owner=owner, name="Lake Cabin", time_zone="America/New_York")
    cabin.country = "US"
    cabin.save()
    factories.UnitFactory(property=cabin, name="Cabin")

    row = one(owner, "Cabin,Joe,,,,07/11/2026,07/14/2026,,", t0)

    assert row["when"].startswith("Sat 11 Jul, 15:00 EDT")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("Room 999,Anna,,,,2026-07-10,2026-07-12,,", "There is no unit called “Room 999”"),
        ("Room 101,,,,,2026-07-10,2026-07-12,,", "The guest's name is missing."),
        ("Room 101,Anna,,,,10 July,2026-07-12,,", "The check-in date “10 July” could not be read"),
        ("Room 101,Anna,,,,2026-07-10,,,", "The check-out date is missing."),
        ("Room 101,Anna,,,,2026-07-12,2026-07-10,,", "The check-out is not after the check-in"),
        ("Room 101,Anna,12,,,2026-07-10,2026-07-12,,", "“12” is not a valid phone number"),
        ("Room 101,Anna,,anna@,,2026-07-10,2026-07-12,,", "“anna@” is not an email address"),
        ("Room 101,Anna,,,two,2026-07-10,2026-07-12,,", "“two” is not a number of guests"),
    ],
)
def test_a_bad_line_says_what_to_fix(owner, units, t0, line, words):
    row = one(owner, line, t0)

    assert row["action"] == "error"
    assert words in row["message"]
    assert "data" not in row


def test_a_line_that_overlaps_a_booked_stay_is_an_error(owner, units, t0):
    book(
        owner,
        units[0],
        t0,
        guest_name="Mia Wong",
        check_in=utc(2026, 7, 9, 14),
        check_out=utc(2026, 7, 11, 10),
    )

    row = one(owner, "Room 101,Anna,,,,2026-07-10,2026-07-12,,", t0)

    assert row["action"] == "error"
    assert row["message"].startswith("Room 101 is already booked by Mia Wong from Thu 9 Jul")


def test_lines_of_one_file_that_overlap_each_other_are_caught(owner, units, t0):
    rows = preview(
        owner,
        HEADER
        + "Room 101,Anna,,,,2026-07-10,2026-07-12,,\n"
        + "Room 101,Tom,,,,2026-07-11,2026-07-13,,\n"
        + "Room 101,Mia,,,,2026-07-12,2026-07-14,,\n",  # back to back with Anna: fine
        t0,
    )

    assert [r["action"] for r in rows] == ["create", "error", "create"]
    assert "Anna (line 2 of this file)" in rows[1]["message"]


def test_an_external_id_twice_in_one_file_is_an_error(owner, units, t0):
    rows = preview(
        owner,
        HEADER
        + "Room 101,Anna,,,,2026-07-10,2026-07-12,BK-1,\n"
        + "Room 102,Tom,,,,2026-07-10,2026-07-12,BK-1,\n",
        t0,
    )

    assert rows[1]["action"] == "error"
    assert "“BK-1” is on line 2 already" in rows[1]["message"]


def test_a_stay_that_is_over_is_skipped(owner, units, t0):
    row = one(owner, "Room 101,Anna,,,,2026-05-10,2026-05-12,,", t0)

    assert (row["action"], row["message"]) == ("skip", "This stay is over, so it is not imported.")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "The file is empty"),
        ("unit,guest name\nRoom 101,Anna\n", "no column for the check-in (or arrival), check-out"),
        (HEADER, "no reservations under them"),
    ],
)
def test_a_file_that_cannot_be_imported_says_why(owner, units, t0, text, words):
    with pytest.raises(ServiceError) as refused:
        preview(owner, text, t0)

    assert words in refused.value.message


def test_importing_a_line_creates_the_stay_with_its_guest_code(owner, units, lock, t0):
    row = one(owner, "Room 101,Anna Silva,912 345 678,,2,2026-07-10,2026-07-12,BK-1,Late", t0)

    assert csv_import_row(owner=owner, row=row, now=t0) == "created"

    anna = Reservation.objects.get()
    assert (anna.source, anna.external_id, anna.guests, anna.notes) == ("csv", "BK-1", 2, "Late")
    assert (anna.check_in, anna.check_out) == (utc(2026, 7, 10, 14), utc(2026, 7, 12, 10))
    assert anna.access_codes.count() == 1


def test_importing_a_file_again_updates_stays_by_external_id(owner, units, t0):
    first = one(owner, "Room 101,Anna,,,,2026-07-10,2026-07-12,BK-1,", t0)
    csv_import_row(owner=owner, row=first, now=t0)

    again = one(owner, "Room 102,Anna,,,,2026-07-10,2026-07-13,BK-1,", t0)
    assert (again["action"], again["message"]) == ("update", "Changes check out, unit.")
    assert csv_import_row(owner=owner, row=again, now=t0) == "updated"

    anna = Reservation.objects.get()
    assert (anna.unit, anna.check_out) == (units[1], utc(2026, 7, 13, 10))
    same = one(owner, "Room 102,Anna,,,,2026-07-10,2026-07-13,BK-1,", t0)
    assert same["action"] == "unchanged"


def test_a_cancelled_stay_is_not_brought_back_by_an_import(owner, units, t0):
    row = one(owner, "Room 101,Anna,,,,2026-07-10,2026-07-12,BK-1,", t0)
    csv_import_row(owner=owner, row=row, now=t0)
    reservation_cancel(reservation=Reservation.objects.get(), now=t0)

    again = one(owner, "Room 101,Anna,,,,2026-07-10,2026-07-12,BK-1,", t0)

    assert again["action"] == "error"
    assert "is cancelled in Innkeeper" in again["message"]


def test_a_line_that_no_longer_fits_at_import_is_refused_whole(owner, units, t0):
    row = one(owner, "Room 101,Anna,,,,2026-07-10,2026-07-12,,", t0)
    book(
        owner,
        units[0],
        t0 + timedelta(minutes=1),
        guest_name="Booked meanwhile",
        check_in=utc(2026, 7, 11, 14),
        check_out=utc(2026, 7, 13, 10),
    )

    with pytest.raises(ServiceError) as refused:
        csv_import_row(owner=owner, row=row, now=t0 + timedelta(minutes=2))

    assert "already booked by Booked meanwhile" in refused.value.message
    assert Reservation.objects.count() == 1


def test_another_owners_units_are_not_found(owner, units, other_owner, t0):
    factories.UnitFactory(
        property=factories.PropertyFactory(owner=other_owner, name="Hilltop House"), name="Loft"
    )

    row = one(owner, "Loft,Anna,,,,2026-07-10,2026-07-12,,", t0)

    assert row["action"] == "error"


def test_the_sample_file_previews_cleanly(owner, units, t0):
    book(owner, units[1], t0, check_in=utc(2026, 6, 5, 14), check_out=utc(2026, 6, 20, 10))

    rows = csv_preview(owner=owner, data=sample_csv(owner=owner, now=t0).encode(), now=t0)

    assert [r["action"] for r in rows] == ["create", "create"]
    # A week from today in Room 101; Room 102 after the stay booked there.
    assert [r["when"][:10] for r in rows] == ["Mon 8 Jun,", "Sun 21 Jun"]


def test_without_units_any_file_is_refused_with_what_to_do_first(owner, t0):
    with pytest.raises(ServiceError) as refused:
        csv_preview(owner=owner, data=sample_csv(owner=owner, now=t0).encode(), now=t0)

    assert "Add a property and its units in Settings → Properties first" in refused.value.message


def test_an_optional_language_column_gives_the_stays_language(owner, units, t0):
    header = "unit,guest name,check-in,check-out,external id,language\n"
    (row,) = preview(owner, header + "Room 101,Ana,2026-07-10,2026-07-12,BK-9,Português\n", t0)
    assert row["data"]["language"] == "pt"
    csv_import_row(owner=owner, row=row, now=t0)
    assert Reservation.objects.get().language == "pt"
    # A file without the column leaves the language as it is.
    (again,) = preview(owner, HEADER + "Room 101,Ana,,,1,2026-07-10,2026-07-12,BK-9,\n", t0)
    assert again["action"] == "unchanged"
    (bad,) = preview(owner, header + "Room 101,Bea,2026-07-20,2026-07-22,BK-10,xx\n", t0)
    assert bad["action"] == "error" and "not a guest language" in bad["message"]
