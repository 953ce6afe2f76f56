"""A key of one owner never sees or changes another owner's stays, units or properties."""

from datetime import UTC, datetime, time

import pytest
from django.utils import timezone

from locks.models import AccessCode
from reservations import stays
from reservations.models import Reservation
from tests import factories
from tests.locks.seam_api import call, call_with
from tests.reservations.reservations_api import created, next_year, update


@pytest.fixture
def their_unit(other_lock):
    unit = factories.UnitFactory(property=other_lock.property, name="Hilltop room")
    other_lock.unit = unit
    other_lock.save()
    return unit


@pytest.fixture
def their_stay(other_owner, their_unit):
    return stays.reservation_create(
        owner=other_owner,
        unit=their_unit,
        guest_name="Their guest",
        check_in=datetime.combine(next_year(7, 1), time(15), tzinfo=UTC),
        check_out=datetime.combine(next_year(7, 4), time(11), tzinfo=UTC),
        now=timezone.now(),
        source=Reservation.Source.API,
        external_id="THEIRS-1",
    )


def unchanged(stay: Reservation) -> bool:
    before = (stay.guest_name, stay.status, stay.pin, stay.checked_out_at, stay.unit_id)
    stay.refresh_from_db()
    after = (stay.guest_name, stay.status, stay.pin, stay.checked_out_at, stay.unit_id)
    live = AccessCode.objects.filter(reservation=stay, deleted_at__isnull=True).count()
    return before == after and live == 1


@pytest.mark.parametrize(
    "method, path, extra",
    [
        ("GET", "reservations/get", {}),
        ("PATCH", "reservations/update", {"guest_name": "Mine now"}),
        ("POST", "reservations/cancel", {}),
        ("POST", "reservations/check_out", {}),
        ("POST", "reservations/new_pin", {}),
        ("POST", "reservations/give_backup", {}),
    ],
)
def test_their_reservation_answers_404(client, key, their_stay, method, path, extra):
    body = {"reservation_id": str(their_stay.pk), **extra}
    status, answer = call_with(client, method, path, key, body)
    assert (status, answer["error"]["type"]) == (404, "reservation_not_found")
    assert unchanged(their_stay)


def test_their_external_id_answers_404(client, key, their_stay):
    status, answer = call(client, "GET", "reservations/get", key, external_id="THEIRS-1")
    assert (status, answer["error"]["type"]) == (404, "reservation_not_found")


@pytest.mark.parametrize(
    "method, path, extra",
    [
        (
            "POST",
            "reservations/create",
            {"guest_name": "Sneaky", "check_in": "2099-07-01", "check_out": "2099-07-04"},
        ),
        ("GET", "reservations/list", {}),
    ],
)
def test_their_unit_answers_404(client, key, their_unit, method, path, extra):
    body = {"unit_id": their_unit.pk, **extra}
    status, answer = call_with(client, method, path, key, body)
    assert (status, answer["error"]["type"]) == (404, "unit_not_found")
    assert not Reservation.objects.exists()


def test_moving_a_stay_to_their_unit_answers_404(client, key, room, lock, their_unit):
    stay = created(client, key, room)
    status, answer = update(client, key, stay, unit_id=their_unit.pk)
    assert (status, answer["error"]["type"]) == (404, "unit_not_found")
    assert Reservation.objects.get().unit == room


@pytest.mark.parametrize("path", ["reservations/list", "units/list"])
def test_their_property_answers_404(client, key, their_unit, path):
    status, answer = call(client, "GET", path, key, property_id=their_unit.property_id)
    assert (status, answer["error"]["type"]) == (404, "property_not_found")


def test_their_stays_units_and_properties_are_never_listed(
    client, key, hotel, room, lock, their_stay
):
    mine = created(client, key, room, check_in=next_year(7, 1).isoformat())
    _, stays = call(client, "GET", "reservations/list", key)
    assert [r["reservation_id"] for r in stays["reservations"]] == [mine["reservation_id"]]
    _, units = call(client, "GET", "units/list", key)
    assert [u["unit_id"] for u in units["units"]] == [room.pk]
    _, properties = call(client, "GET", "properties/list", key)
    assert [p["property_id"] for p in properties["properties"]] == [hotel.pk]
