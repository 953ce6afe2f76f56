"""Today for many properties: one line each until one is opened or a guest searched for, and a
refresh that sends nothing when nothing changed."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reservations.models import Reservation
from reservations.stays import reservation_check_out_early, reservation_update
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book

HOUR = timedelta(hours=1)
POLL = {"HX-Request": "true", "HX-Target": "today"}


def estate(owner, t0, count: int) -> list:
    """`count` hotels, each with a Room 1 and a guest arriving there in two hours."""
    hotels = []
    for n in range(count):
        hotel = factories.PropertyFactory(owner=owner, name=f"Hotel {n:02}")
        unit = factories.UnitFactory(property=hotel, name="Room 1")
        factories.simulated_lock(owner=owner, property=hotel, unit=unit, now=t0)
        book(owner, unit, t0, check_in=t0 + 2 * HOUR, guest_name=f"Guest of hotel {n:02}")
        hotels.append(hotel)
    return hotels


def seen_in(html: str) -> str:
    start = html.index('hx-vals=\'{"seen": "') + len('hx-vals=\'{"seen": "')
    return html[start : html.index('"', start)]


def test_many_properties_show_one_line_each_until_one_is_opened(client_for, alice, owner, frozen):
    hotels = estate(owner, frozen, 5)
    client = client_for(alice)

    html = html_of(client, "today")
    assert "Hotel 03" in html and "1 arriving · 0 leaving · 0 in house" in html
    assert "Guest of hotel" not in html

    html = html_of(client, "today", property=hotels[3].pk)
    assert "Guest of hotel 03" in html
    assert "Guest of hotel 02" not in html


def test_a_search_finds_todays_guest_in_any_property(client_for, bob, owner, frozen):
    estate(owner, frozen, 5)
    html = html_of(client_for(bob), "today", q="hotel 04")
    assert "Guest of hotel 04" in html and "Guest of hotel 01" not in html
    html = html_of(client_for(bob), "today", q="Nobody Here")
    assert "Nobody arriving, leaving or staying today matches" in html


def test_a_refresh_with_nothing_changed_answers_204_with_no_body(client_for, alice, owner, frozen):
    (hotel,) = estate(owner, frozen, 1)
    client = client_for(alice)
    seen = seen_in(html_of(client, "today"))

    response = client.get(reverse("today"), {"seen": seen}, headers=POLL)
    assert response.status_code == 204 and response.content == b""

    book(
        owner,
        factories.UnitFactory(property=hotel, name="Room 2"),
        frozen,
        check_in=frozen + 3 * HOUR,
        guest_name="Late Booker",
    )
    response = client.get(reverse("today"), {"seen": seen}, headers=POLL)
    assert response.status_code == 200
    assert "Late Booker" in response.content.decode()
    assert seen_in(response.content.decode()) != seen


def test_the_refresh_keeps_the_opened_property_and_the_search(client_for, alice, owner, frozen):
    hotels = estate(owner, frozen, 5)
    html = html_of(client_for(alice), "today", property=hotels[2].pk)
    assert f'hx-get="{reverse("today")}?property={hotels[2].pk}"' in html


def test_the_collapsed_page_costs_the_same_queries_for_5_or_15_properties(
    client_for, alice, owner, frozen
):
    client = client_for(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("today")).status_code == 200
        return len(captured)

    estate(owner, frozen, 5)
    few = queries()
    estate(owner, frozen, 10)
    assert queries() == few


def glance_of(html: str, name: str) -> str:
    start = html.index(f">{name}</a>")
    start = html.index('<span class="muted small">', start) + len('<span class="muted small">')
    return html[start : html.index("</span>", start)]


def test_each_time_zone_has_its_own_day_for_the_same_moments(client_for, alice, owner, frozen):
    # 16:00 UTC on 1 June is 17:00 that day in Lisbon, but already 01:00 on 2 June in Tokyo.
    four_pm = frozen + 4 * HOUR
    for zone in ("Lisbon", "Tokyo"):
        for letter in "AB":
            hotel = factories.PropertyFactory(
                owner=owner,
                name=f"{zone} {letter}",
                time_zone="Europe/Lisbon" if zone == "Lisbon" else "Asia/Tokyo",
            )
            unit = factories.UnitFactory(property=hotel, name="Room 1")
            factories.simulated_lock(owner=owner, property=hotel, unit=unit, now=frozen)
            if letter == "A":
                book(owner, unit, frozen, check_in=four_pm, guest_name=f"Arrives {zone}")
            else:
                check_in = four_pm - 52 * HOUR
                book(owner, unit, frozen, check_in=check_in, hours=52, guest_name=f"Leaves {zone}")
    client = client_for(alice)

    html = html_of(client, "today")
    assert glance_of(html, "Lisbon A") == "1 arriving · 0 leaving · 0 in house"
    assert glance_of(html, "Lisbon B") == "0 arriving · 1 leaving · 0 in house"
    assert glance_of(html, "Tokyo A") == "0 arriving · 0 leaving · 0 in house"
    assert glance_of(html, "Tokyo B") == "0 arriving · 0 leaving · 1 in house"

    html = html_of(client, "today", q="Arrives")
    assert "Arrives Lisbon" in html and "Arrives Tokyo" not in html
    html = html_of(client, "today", q="Leaves")
    assert "Leaves Lisbon" in html and "Leaves Tokyo" in html


def test_an_early_check_out_today_counts_as_leaving_not_in_house(client_for, alice, owner, frozen):
    hotels = estate(owner, frozen, 4)
    for hotel in hotels[:2]:
        unit = factories.UnitFactory(property=hotel, name="Room 2")
        stay = book(owner, unit, frozen, check_in=frozen - 24 * HOUR, nights=3, guest_name="Stays")
    reservation_check_out_early(reservation=stay, now=frozen - HOUR)
    html = html_of(client_for(alice), "today")
    assert glance_of(html, "Hotel 00") == "1 arriving · 0 leaving · 1 in house"
    assert glance_of(html, "Hotel 01") == "1 arriving · 1 leaving · 0 in house"


def test_guests_in_house_are_counted_and_listed_however_long_they_stay(
    client_for, alice, owner, frozen
):
    hotels = estate(owner, frozen, 4)
    lengths = {"Weekend Wanda": (1, 2), "Month Marta": (20, 40), "Year Yuri": (300, 400)}
    for n, (name, (days_ago, nights)) in enumerate(lengths.items(), start=2):
        unit = factories.UnitFactory(property=hotels[0], name=f"Room {n}")
        book(
            owner,
            unit,
            frozen,
            check_in=frozen - days_ago * 24 * HOUR,
            nights=nights,
            guest_name=name,
        )
    client = client_for(alice)
    assert glance_of(html_of(client, "today"), "Hotel 00") == "1 arriving · 0 leaving · 3 in house"
    html = html_of(client, "today", property=hotels[0].pk)
    assert all(name in html for name in lengths)


def test_past_twenty_properties_the_lines_come_a_page_at_a_time(client_for, alice, owner, frozen):
    estate(owner, frozen, 23)
    client = client_for(alice)
    first = html_of(client, "today")
    assert "Hotel 19" in first and "Hotel 20" not in first
    assert "More properties" in first and "page=2" in first
    second = html_of(client, "today", page=2)
    assert "Hotel 19" not in second
    assert glance_of(second, "Hotel 22") == "1 arriving · 0 leaving · 0 in house"
    # Its refresh every 5 seconds stays on that page.
    assert f'hx-get="{reverse("today")}?page=2"' in second


def test_a_stay_moved_to_another_hotel_is_counted_and_listed_there(
    client_for, alice, owner, frozen
):
    hotels = estate(owner, frozen, 5)
    stay = Reservation.objects.get(guest_name="Guest of hotel 00")
    suite = factories.UnitFactory(property=hotels[3], name="Suite 9")
    reservation_update(reservation=stay, now=frozen, unit=suite)
    client = client_for(alice)

    html = html_of(client, "today")
    assert "0 arriving · 0 leaving · 0 in house" in html  # Hotel 00's line
    assert "2 arriving · 0 leaving · 0 in house" in html  # Hotel 03's line
    opened = html_of(client, "today", property=hotels[3].pk)
    assert "Guest of hotel 00" in opened and "Guest of hotel 03" in opened
    assert "Guest of hotel 00" not in html_of(client, "today", property=hotels[0].pk)
