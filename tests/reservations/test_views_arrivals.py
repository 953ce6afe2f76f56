"""Arrivals on Today and the Reservations list: *Arrived 19:52* or *Not yet* on each line, and
a filter by arrived or not that the lists, their refresh and their pages keep."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks import scheduler, simulator
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book, book_in_suites

HOUR = timedelta(hours=1)
POLL = {"HX-Request": "true", "HX-Target": "today"}


def section(html: str, title: str) -> str:
    start = html.index(f"<h3>{title}")
    return html[start : html.find("</section>", start)]


def arrive(lock, stay, at) -> None:
    """The guest types their PIN at the door at `at`."""
    scheduler.run_due_locks(now=at)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=at)


def two_arrivals(owner, hotel, room, lock, now):
    """Anna arrived at 12:52 (Lisbon, 11:52 UTC) in Room 101; Bruno, due in Suite B, has not."""
    booked = now - 2 * HOUR
    anna = book(owner, room, booked, check_in=now - HOUR, guest_name="Anna Arrived")
    suite = factories.UnitFactory(property=hotel, name="Suite B")
    factories.simulated_lock(
        owner=owner, property=hotel, unit=suite, name="Suite B door", now=booked
    )
    book(owner, suite, booked, check_in=now - HOUR / 2, guest_name="Bruno Notyet")
    arrive(lock, anna, now - timedelta(minutes=8))
    return anna


def row_of(html: str, name: str) -> str:
    """The line (a Today row, or a list's table row) of the guest `name`."""
    at = html.index(name)
    start = max(html.rfind("<li", 0, at), html.rfind("<tr", 0, at))
    return html[start : html.index("</li>" if html[start : start + 3] == "<li" else "</tr>", at)]


def test_each_arrival_says_when_the_guest_came_in_or_not_yet(
    client_for, bob, owner, hotel, room, lock, frozen
):
    two_arrivals(owner, hotel, room, lock, frozen)
    arriving = section(html_of(client_for(bob), "today"), "Arriving")
    assert "Arrived 12:52" in row_of(arriving, "Anna Arrived")
    bruno = row_of(arriving, "Bruno Notyet")
    assert "Not yet" in bruno and "Arrived 1" not in bruno


def test_today_filters_by_arrived_or_not(client_for, bob, owner, hotel, room, lock, frozen):
    two_arrivals(owner, hotel, room, lock, frozen)
    client = client_for(bob)
    html = html_of(client, "today", arrived="yes")
    assert "Anna Arrived" in html and "Bruno Notyet" not in html
    assert '<option value="yes" selected>Arrived</option>' in html
    html = html_of(client, "today", arrived="no")
    assert "Bruno Notyet" in html and "Anna Arrived" not in html
    html = html_of(client, "today", arrived="nonsense")
    assert "Bruno Notyet" in html and "Anna Arrived" in html


def test_the_refresh_keeps_the_filter(client_for, bob, owner, hotel, room, lock, frozen):
    two_arrivals(owner, hotel, room, lock, frozen)
    client = client_for(bob)
    html = html_of(client, "today", arrived="no")
    assert 'hx-get="/?arrived=no"' in html
    part = client.get(reverse("today"), {"arrived": "no"}, headers=POLL).content.decode()
    assert part.lstrip().startswith('<div id="today" hx-get="/?arrived=no"')
    assert "Bruno Notyet" in part and "Anna Arrived" not in part


def test_a_guest_coming_in_changes_what_the_refresh_sends(
    client_for, bob, owner, hotel, room, lock, frozen
):
    two_arrivals(owner, hotel, room, lock, frozen)
    client = client_for(bob)
    html = html_of(client, "today", arrived="no")
    start = html.index('"seen": "') + len('"seen": "')
    seen = html[start : html.index('"', start)]
    poll = {"arrived": "no", "seen": seen}
    assert client.get(reverse("today"), poll, headers=POLL).status_code == 204
    bruno = owner.reservations.get(guest_name="Bruno Notyet")
    door = bruno.unit.locks.get()
    arrive(door, bruno, frozen)
    part = client.get(reverse("today"), poll, headers=POLL).content.decode()
    assert "Bruno Notyet" not in part and "Nobody here still to come in." in part


def test_many_properties_keep_the_filter_in_their_search_and_lines(client_for, bob, owner, frozen):
    for n in range(5):
        factories.PropertyFactory(owner=owner, name=f"Hotel {n:02}")
    html = html_of(client_for(bob), "today", arrived="no")
    start = html.index('class="today-search"')
    search = html[start : html.index("</form>", start)]
    assert '<input type="hidden" name="arrived" value="no">' in search
    assert "&amp;arrived=no" in html[html.index('class="glances"') :]


def test_the_filter_costs_no_query_per_stay(client_for, bob, owner, hotel, lock, frozen):
    client = client_for(bob)
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=frozen)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("today"), {"arrived": "no"}).status_code == 200
        return len(captured)

    book_in_suites(owner, hotel, frozen, ["a", "b"], check_in=frozen + HOUR)
    few = queries()
    book_in_suites(owner, hotel, frozen, [f"c{n}" for n in range(18)], check_in=frozen + HOUR)
    assert queries() == few


def test_the_list_says_who_arrived_and_filters_by_it(
    client_for, bob, owner, hotel, room, lock, frozen
):
    two_arrivals(owner, hotel, room, lock, frozen)
    book(owner, room, frozen, check_in=frozen + 48 * HOUR, guest_name="Later Lea")
    client = client_for(bob)
    html = html_of(client, "reservations")
    assert "Arrived 12:52" in row_of(html, "Anna Arrived")
    assert "Not arrived yet" in row_of(html, "Bruno Notyet")
    assert "arrived" not in row_of(html, "Later Lea").replace("Later Lea", "").lower()
    html = html_of(client, "reservations", arrived="yes", date_from="")
    assert "Anna Arrived" in html and "Bruno Notyet" not in html and "Later Lea" not in html
    html = html_of(client, "reservations", arrived="no", date_from="2026-06-01")
    assert "Bruno Notyet" in html and "Later Lea" in html and "Anna Arrived" not in html
