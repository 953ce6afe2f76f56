"""reservations/list (filters, pages, a constant number of queries), properties/list, units/list."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reservations import stays
from reservations.models import Reservation
from tests import factories
from tests.locks.seam_api import call
from tests.reservations.reservations_api import booked, created, lisbon, next_year


@pytest.fixture
def cottage(owner, t0):
    """A second property, on Tokyo's clock, with one unit and its door."""
    prop = factories.PropertyFactory(owner=owner, name="Olive Tree Cottage", time_zone="Asia/Tokyo")
    unit = factories.UnitFactory(property=prop, name="Whole cottage")
    factories.simulated_lock(owner=owner, property=prop, unit=unit, name="Front door", now=t0)
    return unit


def listed(client, key, **query) -> list[str]:
    status, body = call(client, "GET", "reservations/list", key, **query)
    assert status == 200, body
    return [r["guest_name"] for r in body["reservations"]]


def stay(owner, unit, name, check_in, check_out, **fields) -> Reservation:
    return stays.reservation_create(
        owner=owner,
        unit=unit,
        guest_name=name,
        check_in=datetime.fromisoformat(check_in),
        check_out=datetime.fromisoformat(check_out),
        now=timezone.now(),
        source=Reservation.Source.API,
        **fields,
    )


def test_it_lists_every_stay_in_the_order_they_were_entered(client, key, room, lock):
    for name, day in (("Carla", 10), ("Anna", 1), ("Ben", 5)):
        booked(client, key, room, next_year(7, day), next_year(7, day + 2), guest_name=name)
    assert listed(client, key) == ["Carla", "Anna", "Ben"]


def test_it_filters_by_property_and_by_unit(client, key, owner, hotel, room, lock, cottage):
    suite = factories.UnitFactory(property=hotel, name="Suite 1")
    created(client, key, room, guest_name="Anna")
    created(client, key, suite, guest_name="Ben")
    created(client, key, cottage, guest_name="Carla")
    assert listed(client, key, property_id=hotel.pk) == ["Anna", "Ben"]
    assert listed(client, key, property_id=cottage.property_id) == ["Carla"]
    assert listed(client, key, unit_id=suite.pk) == ["Ben"]
    assert listed(client, key, property_id=hotel.pk, unit_id=cottage.pk) == []


def test_it_filters_by_status(client, key, room, lock):
    anna = created(client, key, room, guest_name="Anna")
    booked(client, key, room, next_year(8, 1), next_year(8, 3), guest_name="Ben")
    call(client, "POST", "reservations/cancel", key, {"reservation_id": anna["reservation_id"]})
    assert listed(client, key, status="cancelled") == ["Anna"]
    assert listed(client, key, status="confirmed") == ["Ben"]


def test_from_and_to_dates_find_the_stays_touching_those_days(client, key, room, lock):
    for name, first, last in (("Anna", 1, 4), ("Ben", 4, 6), ("Carla", 10, 12)):
        booked(client, key, room, next_year(7, first), next_year(7, last), guest_name=name)
    day = next_year(7, 4).isoformat()
    # Anna leaves and Ben arrives on the 4th: both are that day's business.
    assert listed(client, key, **{"from": day, "to": day}) == ["Anna", "Ben"]
    assert listed(client, key, **{"from": next_year(7, 5).isoformat()}) == ["Ben", "Carla"]
    assert listed(client, key, to=next_year(7, 3).isoformat()) == ["Anna"]
    assert listed(client, key, **{"from": next_year(7, 7), "to": next_year(7, 9)}) == []


def test_from_and_to_times_find_the_stays_overlapping_that_span(client, key, room, lock):
    created(client, key, room, guest_name="Anna")  # leaves at 11:00 local, 10:00Z
    booked(client, key, room, next_year(7, 4), next_year(7, 6), guest_name="Ben")
    leaving = lisbon(next_year(7, 4), 11)
    assert listed(client, key, **{"from": leaving}) == ["Ben"]
    assert listed(client, key, **{"from": leaving.replace("10:00", "09:59")}) == ["Anna", "Ben"]
    assert listed(client, key, to=lisbon(next_year(7, 4), 15)) == ["Anna"]


def test_dates_are_local_days_at_each_property(client, key, owner, room, lock, cottage):
    day = next_year(7, 4)
    # Both arrive on the 4th by their own clocks, while it is still the 3rd in UTC.
    stay(owner, room, "Anna", f"{day}T00:30:00+01:00", f"{day}T23:00:00+01:00")
    stay(owner, cottage, "Ben", f"{day}T08:00:00+09:00", f"{day}T20:00:00+09:00")
    assert listed(client, key, to=next_year(7, 3).isoformat()) == []
    assert listed(client, key, **{"from": day.isoformat(), "to": day.isoformat()}) == [
        "Anna",
        "Ben",
    ]


def test_it_pages_with_cursors(client, key, owner, room, lock):
    start = datetime(timezone.now().year + 1, 7, 1, 14, tzinfo=UTC)
    for n in range(5):
        begins = start + timedelta(days=2 * n)
        end = begins + timedelta(days=1)
        stay(owner, room, f"Guest {n}", begins.isoformat(), end.isoformat())
    names, cursor = [], None
    for expected in (2, 2, 1):
        query = {"limit": 2, **({"page_cursor": cursor} if cursor else {})}
        status, body = call(client, "GET", "reservations/list", key, **query)
        assert status == 200 and len(body["reservations"]) == expected
        names += [r["guest_name"] for r in body["reservations"]]
        cursor = body["pagination"]["next_page_cursor"]
        assert body["pagination"]["has_next_page"] is (cursor is not None)
    assert names == [f"Guest {n}" for n in range(5)] and cursor is None


def test_a_page_of_stays_takes_the_same_number_of_queries_for_2_or_20(
    client, key, owner, hotel, room, lock
):
    now = timezone.now()
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=now)
    start = datetime(timezone.now().year + 1, 7, 1, 14, tzinfo=UTC)

    def add(n: int) -> None:
        begins = start + timedelta(days=2 * n)
        end = begins + timedelta(days=1)
        stay(owner, room, f"Guest {n}", begins.isoformat(), end.isoformat())

    def count() -> tuple[int, int]:
        query = {"property_id": hotel.pk, "from": start.date().isoformat()}
        with CaptureQueriesContext(connection) as queries:
            status, body = call(client, "GET", "reservations/list", key, **query)
        assert status == 200
        assert all(len(r["guest_code"]["doors"]) == 2 for r in body["reservations"])
        return len(queries), len(body["reservations"])

    for n in range(2):
        add(n)
    call(client, "GET", "units/list", key)  # the key's first use is one more write: not counted
    few, shown = count()
    assert shown == 2
    for n in range(2, 20):
        add(n)
    assert count() == (few, 20)


# --- where stays happen --------------------------------------------------------------------------


def test_properties_list_gives_time_zones_default_times_and_shared_doors(
    client, key, owner, hotel, room, lock, cottage
):
    entrance = factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", now=timezone.now()
    )
    status, body = call(client, "GET", "properties/list", key)
    assert status == 200
    assert body["properties"] == [
        {
            "property_id": cottage.property_id,
            "name": "Olive Tree Cottage",
            "time_zone": "Asia/Tokyo",
            "country": "",
            "default_check_in": "15:00",
            "default_check_out": "11:00",
            "shared_device_ids": [],
        },
        {
            "property_id": hotel.pk,
            "name": "Seaside Hotel",
            "time_zone": "Europe/Lisbon",
            "country": "",
            "default_check_in": "15:00",
            "default_check_out": "11:00",
            "shared_device_ids": [str(entrance.public_id)],
        },
    ]


def test_units_list_names_each_unit_and_its_own_doors(client, key, hotel, room, lock, cottage):
    suite = factories.UnitFactory(property=hotel, name="Suite 1")
    _, body = call(client, "GET", "units/list", key)
    assert [(u["unit_id"], u["property_id"], u["name"]) for u in body["units"]] == [
        (cottage.pk, cottage.property_id, "Whole cottage"),
        (room.pk, hotel.pk, "Room 101"),
        (suite.pk, hotel.pk, "Suite 1"),
    ]
    assert body["units"][1]["device_ids"] == [str(lock.public_id)]
    assert body["units"][2]["device_ids"] == []
    _, only_hotel = call(client, "GET", "units/list", key, property_id=hotel.pk)
    assert [u["name"] for u in only_hotel["units"]] == ["Room 101", "Suite 1"]


def test_properties_list_takes_the_ids_it_wants(client, key, hotel, cottage):
    _, body = call(client, "GET", "properties/list", key, property_ids=hotel.pk)
    assert [p["name"] for p in body["properties"]] == ["Seaside Hotel"]


def test_the_schema_lists_the_reservation_endpoints_and_their_filters(client):
    paths = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"get", "post"} <= set(paths["/api/reservations/list"])
    assert {"patch", "post"} <= set(paths["/api/reservations/update"])
    filters = {p["name"] for p in paths["/api/reservations/list"]["get"]["parameters"]}
    assert {"property_id", "unit_id", "from", "to", "status", "page_cursor"} <= filters
    assert "/api/units/list" in paths and "/api/properties/list" in paths
