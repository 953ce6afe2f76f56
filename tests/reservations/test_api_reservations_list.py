"""reservations/list (filters, pages, a constant number of queries), properties/list, units/list."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from locks import hooks
from locks.records import event_record
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


def came_in(stay: Reservation, lock, hours_after_check_in: int = 1) -> None:
    """The stay's code opened `lock`, as the lock's feed reports it."""
    at = stay.check_in + timedelta(hours=hours_after_check_in)
    event = event_record(
        owner=stay.owner,
        event_type="lock.unlocked",
        now=at,
        lock=lock,
        access_code=stay.access_codes.get(lock=lock),
        method="keycode",
        is_backup=False,
    )
    hooks.door_events_run(owner=stay.owner, events=[event], now=at)


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


def test_it_filters_by_whether_the_guest_has_arrived(client, key, owner, room, lock):
    anna = stay(owner, room, "Anna", lisbon(next_year(7, 1), 15), lisbon(next_year(7, 3), 11))
    stay(owner, room, "Ben", lisbon(next_year(7, 5), 15), lisbon(next_year(7, 7), 11))
    came_in(anna, lock)
    assert listed(client, key, arrived="true") == ["Anna"]
    assert listed(client, key, arrived="false") == ["Ben"]
    assert listed(client, key) == ["Anna", "Ben"]
    status, body = call(client, "GET", "reservations/list", key, arrived="maybe")
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "arrived" in body["error"]["validation_errors"]


def test_it_lists_each_stays_entries_oldest_first(client, key, owner, hotel, room, lock):
    entrance = factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", now=timezone.now()
    )
    anna = stay(owner, room, "Anna", lisbon(next_year(7, 1), 15), lisbon(next_year(7, 3), 11))
    came_in(anna, lock, hours_after_check_in=2)
    came_in(anna, entrance, hours_after_check_in=1)
    status, body = call(client, "GET", "reservations/list", key)
    assert status == 200
    [listed_stay] = body["reservations"]
    assert listed_stay["arrived_at"] == lisbon(next_year(7, 1), 16)
    assert [(e["device_id"], e["occurred_at"], e["method"]) for e in listed_stay["entries"]] == [
        (str(entrance.public_id), lisbon(next_year(7, 1), 16), "keycode"),
        (str(lock.public_id), lisbon(next_year(7, 1), 17), "keycode"),
    ]
    codes = {str(c.lock.public_id): str(c.pk) for c in anna.access_codes.select_related("lock")}
    assert all(e["access_code_id"] == codes[e["device_id"]] for e in listed_stay["entries"])


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
        came_in(stay(owner, room, f"Guest {n}", begins.isoformat(), end.isoformat()), lock)

    def count() -> tuple[int, int]:
        query = {"property_id": hotel.pk, "from": start.date().isoformat()}
        with CaptureQueriesContext(connection) as queries:
            status, body = call(client, "GET", "reservations/list", key, **query)
        assert status == 200
        assert all(len(r["guest_code"]["doors"]) == 2 for r in body["reservations"])
        assert all(len(r["entries"]) == 1 for r in body["reservations"])
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
