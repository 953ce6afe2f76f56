"""The reservations list: search by guest, filter by property, days and status, pages."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reservations.stays import (
    reservation_cancel,
    reservation_check_out_early,
    reservation_update,
)
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book, book_in_suites

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


def listing(client, **params) -> str:
    return html_of(client, "reservations", **params)


def test_it_lists_stays_from_today_on_by_default(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen - 10 * DAY, guest_name="Past Paula")
    book(owner, room, frozen, check_in=frozen + 2 * DAY, guest_name="Future Fatima")
    html = listing(client_for(alice))
    assert "Future Fatima" in html and "Past Paula" not in html
    assert 'value="2026-06-01"' in html
    assert "Past Paula" in listing(client_for(alice), date_from="")


def test_it_finds_a_guest_by_name_or_phone(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + DAY, guest_name="Ana Lima", phone="+351912345678")
    book(owner, room, frozen, check_in=frozen + 5 * DAY, guest_name="Bruno Costa")
    client = client_for(alice)
    html = listing(client, q="lima", date_from="")
    assert "Ana Lima" in html and "Bruno Costa" not in html
    html = listing(client, q="912 345", date_from="")
    assert "Ana Lima" in html and "Bruno Costa" not in html


def test_it_filters_by_property(client_for, alice, owner, room, lock, frozen):
    cottage = factories.PropertyFactory(owner=owner, name="Olive Cottage")
    home = factories.UnitFactory(property=cottage, name="Whole house")
    book(owner, room, frozen, check_in=frozen + DAY, guest_name="Hotel Helena")
    book(owner, home, frozen, check_in=frozen + DAY, guest_name="Cottage Carla")
    html = listing(client_for(alice), property=cottage.pk, date_from="")
    assert "Cottage Carla" in html and "Hotel Helena" not in html


def test_it_filters_by_the_days_of_the_stay(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + DAY, nights=2, guest_name="June Joana")
    book(owner, room, frozen, check_in=frozen + 20 * DAY, nights=2, guest_name="Later Lucas")
    html = listing(client_for(alice), date_from="2026-06-03", date_to="2026-06-05")
    assert "June Joana" in html and "Later Lucas" not in html
    html = listing(client_for(alice), date_from="2026-06-05", date_to="2026-06-30")
    assert "June Joana" not in html and "Later Lucas" in html


def test_it_refuses_a_range_that_ends_before_it_starts(client_for, alice, lock, frozen):
    html = listing(client_for(alice), date_from="2026-06-05", date_to="2026-06-01")
    assert "The end of the range is before its start." in html


def test_it_filters_by_status(client_for, alice, owner, room, hotel, lock, frozen):
    other = factories.UnitFactory(property=hotel, name="Room 103")
    kept = book(owner, room, frozen, check_in=frozen + DAY, guest_name="Kept Kim")
    gone = book(owner, other, frozen, check_in=frozen + DAY, guest_name="Gone Gil")
    reservation_cancel(reservation=gone, now=frozen)
    left = book(owner, room, frozen, check_in=frozen - DAY, nights=2, guest_name="Left Lia")
    reservation_check_out_early(reservation=left, now=frozen)
    client = client_for(alice)
    html = listing(client, status="cancelled", date_from="")
    assert "Gone Gil" in html and "Kept Kim" not in html and "Left Lia" not in html
    html = listing(client, status="checked_out", date_from="")
    assert "Left Lia" in html and "Gone Gil" not in html
    html = listing(client, status="confirmed", date_from="")
    assert kept.guest_name in html and "Gone Gil" not in html and "Left Lia" not in html


def test_it_pages_through_many_stays(client_for, alice, owner, hotel, lock, frozen):
    book_in_suites(owner, hotel, frozen, [f"{n:02}" for n in range(30)], check_in=frozen + DAY)
    client = client_for(alice)
    first = listing(client)
    assert "30 stays" in first and "Page 1 of 2" in first
    assert "Guest 00" in first and "Guest 29" not in first
    second = listing(client, page=2, date_from="2026-06-01")
    assert "Guest 29" in second and "Guest 00" not in second


def test_the_search_box_gets_only_the_results_over_htmx(
    client_for, alice, owner, room, lock, frozen
):
    book(owner, room, frozen, check_in=frozen + DAY)
    response = client_for(alice).get(
        reverse("reservations"), {"q": "ana"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="results"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Ana Lima" in html


def test_it_hides_other_owners_stays(client_for, charlie, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + DAY, guest_name="Seaside Sara")
    assert "Seaside Sara" not in listing(client_for(charlie), date_from="")


def test_it_takes_as_many_queries_for_20_stays_as_for_2(
    client_for, alice, owner, hotel, lock, frozen
):
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=frozen)
    client = client_for(alice)

    def fill(count: int) -> None:
        names = [f"{count}-{n}" for n in range(count)]
        book_in_suites(owner, hotel, frozen, names, check_in=frozen + DAY)

    def queries(**params) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reservations"), params).status_code == 200
        return len(captured)

    fill(2)
    few, few_search = queries(), queries(q="guest", date_from="")
    fill(18)
    many, many_search = queries(), queries(q="guest", date_from="")
    assert "Guest 18-17" in listing(client)
    assert (many, many_search) == (few, few_search)


def test_a_stay_with_no_smart_lock_says_the_room_needs_a_key(
    client_for, alice, owner, hotel, room, lock, frozen
):
    shed = factories.UnitFactory(property=hotel, name="Garden shed")
    book(owner, shed, frozen, check_in=frozen + DAY, guest_name="Keyed Kim")
    book(owner, room, frozen, check_in=frozen + 2 * DAY, guest_name="Coded Cara")
    html = listing(client_for(alice))
    kim, cara = html.index("Keyed Kim"), html.index("Coded Cara")
    assert html.index("No smart lock for this stay: Garden shed needs a key.") in range(kim, cara)
    assert "needs a key" not in html[cara:]


def test_the_days_of_the_stay_are_each_property_s_local_days(
    client_for, alice, owner, room, lock, frozen
):
    tokyo = factories.PropertyFactory(owner=owner, name="Tokyo Inn", time_zone="Asia/Tokyo")
    tokyo_room = factories.UnitFactory(property=tokyo, name="Room 7")
    # Leaving at 20:00 UTC on 1 June: 21:00 that day in Lisbon, 05:00 on 2 June in Tokyo.
    leaves = frozen + 8 * HOUR
    book(owner, room, frozen, check_in=leaves - DAY, nights=1, guest_name="Lisbon Lia")
    book(owner, tokyo_room, frozen, check_in=leaves - DAY, nights=1, guest_name="Tokyo Taro")
    html = listing(client_for(alice), date_from="2026-06-02")
    assert "Tokyo Taro" in html and "Lisbon Lia" not in html
    html = listing(client_for(alice), date_from="2026-06-01", date_to="2026-06-01")
    assert "Tokyo Taro" in html and "Lisbon Lia" in html


def test_the_first_page_has_the_guests_in_house_first_however_long_they_stay(
    client_for, alice, owner, hotel, lock, frozen
):
    """From today on: those in house (a weekend, a month, over a year, or a stay extended from
    two nights to a month), by check-in, then the arrivals; the stays already over are not
    there, and paging neither repeats nor drops a stay."""

    def stay(name: str, days_ago: int, nights: int):
        unit = factories.UnitFactory(property=hotel, name=f"Flat {name}")
        return book(
            owner, unit, frozen, check_in=frozen - days_ago * DAY, nights=nights, guest_name=name
        )

    stay("Weekend Wanda", 1, 2)
    stay("Year Yuri", 200, 400)
    stay("Month Marta", 20, 40)
    stay("Gone Gil", 5, 2)
    extended = stay("Long Luis", 10, 2)
    reservation_update(reservation=extended, now=frozen, check_out=frozen + 20 * DAY)
    book_in_suites(owner, hotel, frozen, [f"{n:02}" for n in range(30)], check_in=frozen + DAY)
    client = client_for(alice)

    first, second = listing(client), listing(client, page=2, date_from="2026-06-01")

    found = r"(Weekend Wanda|Year Yuri|Month Marta|Long Luis|Gone Gil|Guest \d\d)"
    names = list(dict.fromkeys(re.findall(found, first + second)))  # each once, in order
    assert names[:4] == ["Year Yuri", "Month Marta", "Long Luis", "Weekend Wanda"]
    assert names[4:] == [f"Guest {n:02}" for n in range(30)]
    assert "34 stays" in first and "Page 1 of 2" in first


def test_the_search_follows_a_renamed_guest_and_a_new_phone(
    client_for, alice, owner, room, lock, frozen
):
    stay = book(
        owner, room, frozen, check_in=frozen + DAY, guest_name="Ana Lima", phone="+351912345678"
    )
    reservation_update(
        reservation=stay, now=frozen, guest_name="Ana Lima-Costa", phone="+351966554433"
    )
    client = client_for(alice)
    assert "Ana Lima-Costa" in listing(client, q="ma-cos", date_from="")
    assert "Ana Lima-Costa" in listing(client, q="966 554", date_from="")
    assert "Ana Lima-Costa" not in listing(client, q="912 345", date_from="")
    assert "No stays match" in listing(client, q="912 345", date_from="")


def test_a_list_past_its_limit_says_so_and_asks_for_a_narrower_search(
    client_for, alice, owner, hotel, lock, frozen, monkeypatch
):
    monkeypatch.setattr("reservations.views.LISTED", 30)
    book_in_suites(owner, hotel, frozen, [f"{n:02}" for n in range(40)], check_in=frozen + DAY)
    client = client_for(alice)
    first = listing(client)
    assert "30+ stays" in first and "Page 1 of 2" in first
    last = listing(client, page=2, date_from="2026-06-01")
    assert "Guest 29" in last and "Guest 30" not in last
    assert "These are the first 30: search for a guest" in last
    assert "10 stays" in listing(client, q="guest 3", date_from="2026-06-01")
