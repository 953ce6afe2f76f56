"""Bad input to the reservations API: a clear Seam-style error, and nothing half-written."""

import pytest

from locks.models import AccessCode
from reservations.models import Reservation
from tests.locks.seam_api import call
from tests.reservations import reservations_api
from tests.reservations.reservations_api import create, created, in_minutes, iso, next_year, update

key = reservations_api.key  # the hotel is in Portugal


def nothing_written() -> bool:
    return not Reservation.objects.exists() and not AccessCode.objects.exists()


def invalid(status: int, body: dict, field: str) -> str:
    """The message of a 400 invalid_input that names `field`."""
    assert (status, body["error"]["type"], body["ok"]) == (400, "invalid_input", False), body
    assert list(body["error"]["validation_errors"]) == [field], body
    return body["error"]["validation_errors"][field]["_errors"][0]


def test_an_unknown_unit_answers_404(client, key, room, lock):
    status, body = create(client, key, room, unit_id=room.pk + 1000)
    assert (status, body["error"]["type"]) == (404, "unit_not_found")
    assert nothing_written()


@pytest.mark.parametrize(
    "value, words",
    [
        ("next tuesday", "Give a date (2026-07-01) or a time with its offset"),
        ("2027-02-30", "Give a date (2026-07-01) or a time with its offset"),
        ("2027-07-01T15:00:00", "Give the time's UTC offset"),
        (20270701, "Give a date (2026-07-01) or a time with its offset"),
        ("0001-01-01", "Give a date between the years 1900 and 9998"),
        ("9999-12-31T23:59:59-12:00", "Give a date between the years 1900 and 9998"),
    ],
)
def test_a_check_in_that_is_not_a_date_or_a_time_with_its_offset_is_refused(
    client, key, room, lock, value, words
):
    message = invalid(*create(client, key, room, check_in=value), "check_in")
    assert message.startswith(words)
    assert nothing_written()


def test_check_out_before_check_in_is_refused(client, key, room, lock):
    late, early = next_year(7, 4).isoformat(), next_year(7, 1).isoformat()
    status, body = create(client, key, room, check_in=late, check_out=early)
    assert invalid(status, body, "check_out") == "Check-out must be after check-in."
    assert nothing_written()


def test_a_rubbish_phone_number_is_refused_with_what_to_do(client, key, room, lock):
    message = invalid(*create(client, key, room, phone="call me maybe"), "phone")
    assert "call me maybe" in message and "not a phone number" in message
    assert nothing_written()


@pytest.mark.parametrize(
    "field, value",
    [
        ("unit_id", "room one"),
        ("unit_id", True),
        ("guest_name", 42),
        ("guest_name", ""),
        ("guests", "many"),
        ("guests", 0),
        ("email", "anna at example"),
        ("external_id", ["RES-1"]),
    ],
)
def test_wrong_types_are_refused_by_name(client, key, room, lock, field, value):
    invalid(*create(client, key, room, **{field: value}), field)
    assert nothing_written()


def test_missing_fields_are_all_named(client, key, room, lock):
    status, body = call(client, "POST", "reservations/create", key, {})
    assert status == 400
    assert set(body["error"]["validation_errors"]) == {
        "unit_id",
        "guest_name",
        "check_in",
        "check_out",
    }


def test_a_body_that_is_not_an_object_is_refused(client, key, room, lock):
    status, body = call(client, "POST", "reservations/create", key, ["not", "an", "object"])
    assert (status, body["error"]["type"]) == (400, "invalid_input")


@pytest.mark.parametrize("reservation_id", ["0b6c5f3e-1111-4222-8333-944455556666", "R-12"])
@pytest.mark.parametrize(
    "path", ["reservations/get", "reservations/cancel", "reservations/new_pin"]
)
def test_an_unknown_or_malformed_reservation_id_answers_404(client, key, path, reservation_id):
    status, body = call(client, "POST", path, key, {"reservation_id": reservation_id})
    assert (status, body["error"]["type"]) == (404, "reservation_not_found")


def test_get_needs_an_id_or_an_external_id(client, key):
    status, body = call(client, "GET", "reservations/get", key)
    assert (status, body["error"]["message"]) == (400, "Give reservation_id or external_id.")


def test_a_cancelled_stay_cannot_be_updated(client, key, room, lock):
    stay = created(client, key, room)
    call(client, "POST", "reservations/cancel", key, {"reservation_id": stay["reservation_id"]})
    status, body = update(client, key, stay, guest_name="Someone else")
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "cancelled" in body["error"]["message"]
    assert Reservation.objects.get().guest_name == "Anna Smith"


def test_a_refused_update_changes_nothing(client, key, room, lock):
    stay = created(client, key, room)
    status, body = update(
        client, key, stay, guest_name="Anna Jones", check_out=next_year(6, 1).isoformat()
    )
    assert invalid(status, body, "check_out") == "Check-out must be after check-in."
    _, got = call(client, "GET", "reservations/get", key, reservation_id=stay["reservation_id"])
    assert got["reservation"] == stay


def test_a_refused_push_of_a_cancelled_stay_leaves_it_cancelled(client, key, room, lock):
    stay = created(client, key, room, external_id="RES-1")
    call(client, "POST", "reservations/cancel", key, {"reservation_id": stay["reservation_id"]})
    status, body = create(client, key, room, external_id="RES-1", phone="call me maybe")
    invalid(status, body, "phone")
    assert Reservation.objects.get().status == "cancelled"
    assert not AccessCode.objects.filter(deleted_at__isnull=True).exists()


def test_the_external_id_cannot_change(client, key, room, lock):
    stay = created(client, key, room, external_id="RES-1")
    status, body = update(client, key, stay, external_id="RES-2")
    assert "cannot change" in invalid(status, body, "external_id")


def test_checking_out_a_stay_that_has_not_begun_is_refused(client, key, room, lock):
    stay = created(client, key, room)
    status, body = call(
        client, "POST", "reservations/check_out", key, {"reservation_id": stay["reservation_id"]}
    )
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "change the dates instead" in body["error"]["message"]
    assert Reservation.objects.get().checked_out_at is None


def test_a_new_pin_for_a_stay_that_is_over_is_refused(client, key, room, lock):
    stay = created(client, key, room, check_in=iso(in_minutes(-60)), check_out=iso(in_minutes(60)))
    call(client, "POST", "reservations/check_out", key, {"reservation_id": stay["reservation_id"]})
    status, body = call(
        client, "POST", "reservations/new_pin", key, {"reservation_id": stay["reservation_id"]}
    )
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert Reservation.objects.get().pin == stay["guest_code"]["code"]


@pytest.mark.parametrize(
    "query, field",
    [
        ({"status": "maybe"}, "status"),
        ({"from": "2027-07-05", "to": "2027-07-01"}, "to"),
        ({"from": "2027-07-05", "to": "2027-07-06T00:00:00Z"}, "to"),
        ({"from": "soon"}, "from"),
        ({"from": "0001-01-01"}, "from"),
        ({"limit": 0}, "limit"),
        ({"page_cursor": "rubbish"}, "page_cursor"),
        ({"property_id": "hotel"}, "property_id"),
    ],
)
def test_bad_list_filters_are_refused_by_name(client, key, query, field):
    invalid(*call(client, "GET", "reservations/list", key, **query), field)


def test_a_stay_is_created_in_the_guests_language(client, key, room, lock):
    stay = created(client, key, room, language="pt")
    assert stay["language"] == "pt"
    assert stay["guest_page_url"].startswith("/g/")
    status, body = update(client, key, stay, language="de")
    assert (status, body["reservation"]["language"]) == (200, "de")


def test_a_language_that_is_not_a_guest_language_is_refused(client, key, room, lock):
    message = invalid(*create(client, key, room, language="klingon"), "language")
    assert message.startswith("“klingon” is not a guest language; use one of en, pt, es, fr, de")
    assert nothing_written()
