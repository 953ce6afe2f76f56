"""Today: each property's arrivals and departures on its own clock, with the code's state."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks import scheduler, simulator
from locks.models import SimulatedDevice
from locks.scheduler import run_due_locks
from reservations.models import ReservationFeed
from reservations.stays import reservation_upsert
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book, book_in_suites

HOUR = timedelta(hours=1)


def today_html(client) -> str:
    return html_of(client, "today")


def section(html: str, title: str) -> str:
    """The part of the page under one heading (Arriving, Leaving, In house)."""
    start = html.index(f"<h3>{title}")
    return html[start : html.find("</section>", start)]


def test_it_is_where_everyone_lands_after_signing_in(client, alice):
    response = client.post(reverse("login"), {"username": "alice", "password": factories.PASSWORD})
    assert response.url == reverse("today") == "/"


def test_it_lists_arrivals_departures_and_guests_in_house(
    client_for, alice, owner, hotel, room, room_102, lock, frozen
):
    suite = factories.UnitFactory(property=hotel, name="Suite")
    book(owner, room, frozen, check_in=frozen + 3 * HOUR, guest_name="Arriving Anna")
    book(owner, room_102, frozen, check_in=frozen - 48 * HOUR, hours=53, guest_name="Leaving Luis")
    book(owner, suite, frozen, check_in=frozen - 24 * HOUR, nights=3, guest_name="Staying Sofia")
    html = today_html(client_for(alice))
    assert "Arriving Anna" in section(html, "Arriving")
    assert "Leaving Luis" in section(html, "Leaving")
    assert "Staying Sofia" in section(html, "In house")
    assert "Arriving Anna" not in section(html, "Leaving")


def test_the_day_is_the_property_s_local_day(client_for, alice, owner, room, lock, frozen):
    # 23:30 UTC on 1 June is already 00:30 on 2 June in Lisbon (WEST): not today there.
    book(owner, room, frozen, check_in=frozen + 11.5 * HOUR, guest_name="Late Lara")
    html = today_html(client_for(alice))
    assert "Late Lara" not in html
    assert "Monday 1 June" in html


def test_a_code_that_goes_on_later_is_scheduled_with_its_local_time(
    client_for, alice, owner, room, lock, frozen
):
    book(owner, room, frozen, check_in=frozen + 2 * HOUR)
    html = today_html(client_for(alice))
    # Programmed 30 minutes before check-in: 13:30 UTC is 14:30 in Lisbon.
    assert "Scheduled" in html
    assert "Goes on the doors at Mon 1 Jun, 14:30 WEST" in html


def test_a_code_on_every_door_is_ready(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1))
    run_due_locks(now=frozen)
    html = today_html(client_for(alice))
    assert "Ready" in html
    assert "The code is on every door." in html


def test_an_offline_door_puts_the_arrival_at_risk_and_says_which(
    client_for, alice, owner, room, lock, frozen
):
    simulator.simulated_set_online(lock=lock, online=False, now=frozen)
    book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1))
    run_due_locks(now=frozen)
    html = today_html(client_for(alice))
    assert "At risk" in html
    assert "Room 101 door is offline." in html
    assert "1 stay needs attention." in html


def test_a_low_battery_puts_the_arrival_at_risk(client_for, alice, owner, room, lock, frozen):
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(battery_level=0.1)
    scheduler.lock_check_now(lock=lock, now=frozen)
    book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1))
    run_due_locks(now=frozen)
    html = today_html(client_for(alice))
    assert "At risk" in html
    assert "Room 101 door&#x27;s battery is low (10%)." in html


def test_issues_come_first(client_for, alice, owner, room, room_102, lock, frozen):
    book(owner, room_102, frozen, check_in=frozen + 2 * HOUR, guest_name="Fine Filipa")
    book(owner, room, frozen, check_in=frozen + 4 * HOUR, guest_name="Risky Rui")
    simulator.simulated_set_online(lock=lock, online=False, now=frozen)
    run_due_locks(now=frozen)
    arrivals = section(today_html(client_for(alice)), "Arriving")
    assert arrivals.index("Risky Rui") < arrivals.index("Fine Filipa")


def test_a_double_booking_is_shown(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + 2 * HOUR, guest_name="Ana")
    book(
        owner,
        room,
        frozen,
        check_in=frozen + 3 * HOUR,
        guest_name="Bea",
        source="api",
        external_id="pms-1",
    )
    html = today_html(client_for(alice))
    assert html.count("Double-booked") == 2
    assert "Overlaps another stay in Room 101" in html


def test_cancelled_stays_are_not_expected(client_for, alice, owner, room, lock, frozen):
    from reservations.stays import reservation_cancel

    stay = book(owner, room, frozen, check_in=frozen + 2 * HOUR, guest_name="Gone Gil")
    reservation_cancel(reservation=stay, now=frozen)
    assert "Gone Gil" not in today_html(client_for(alice))


def test_htmx_polling_gets_only_the_list(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + 2 * HOUR)
    response = client_for(alice).get(
        reverse("today"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="today"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="today"')
    assert "Ana Lima" in html and "<html" not in html


def test_the_front_desk_sees_today_without_any_pin(client_for, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1))
    run_due_locks(now=frozen)
    html = today_html(client_for(bob))
    assert "Ana Lima" in html
    assert f">{stay.pin}<" not in html


def test_other_owners_stays_are_not_shown(client_for, charlie, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + 2 * HOUR, guest_name="Seaside Sara")
    assert "Seaside Sara" not in today_html(client_for(charlie))


def test_it_takes_as_many_queries_for_20_stays_as_for_2(
    client_for, alice, owner, hotel, lock, frozen
):
    client = client_for(alice)
    # A shared door, so that every stay has a guest code to show.
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=frozen)

    def fill(count: int) -> None:
        names = [f"{count}-{n}" for n in range(count)]
        book_in_suites(owner, hotel, frozen, names, check_in=frozen + HOUR)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("today")).status_code == 200
        return len(captured)

    fill(2)
    few = queries()
    fill(18)
    many = queries()
    assert "Guest 18-17" in today_html(client)
    assert many == few


def test_a_stay_in_a_room_without_its_own_lock_says_it_needs_a_key(
    client_for, alice, owner, hotel, room, lock, frozen
):
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=frozen)
    factories.simulated_lock(owner=owner, property=hotel, name="Garden gate", now=frozen)
    attic = factories.UnitFactory(property=hotel, name="Attic")
    book(owner, attic, frozen, check_in=frozen + HOUR, guest_name="Keyed Kim")
    book(owner, room, frozen, check_in=frozen + 2 * HOUR, guest_name="Coded Cara")
    arriving = section(today_html(client_for(alice)), "Arriving")
    kim, cara = arriving.index("Keyed Kim"), arriving.index("Coded Cara")
    assert kim < cara
    # Shared doors by name; the room with its own lock has no such line.
    note = "Only Garden gate and Street entrance have smart locks; Attic needs a key."
    assert arriving.index(note) in range(kim, cara)
    assert "needs a key" not in arriving[cara:]


def test_double_bookings_ahead_are_listed_on_today(client_for, alice, owner, room, lock, frozen):
    t0 = frozen
    for n, (guest, days) in enumerate([("Nina Feed", (10, 14)), ("Otto Api", (12, 15))]):
        reservation_upsert(
            owner=owner,
            source="api",
            external_id=f"pms-{n}",
            unit=room,
            now=t0,
            guest_name=guest,
            check_in=t0 + timedelta(days=days[0]),
            check_out=t0 + timedelta(days=days[1]),
        )
    page = client_for(alice).get(reverse("today")).content.decode()
    assert "Double bookings ahead" in page
    assert "Nina Feed" in page and "Otto Api" in page


def test_a_feed_that_cannot_be_read_is_shown_on_today(client_for, bob, owner, room, frozen):
    ReservationFeed.objects.create(
        owner=owner,
        unit=room,
        name="Airbnb",
        url="http://127.0.0.1:9/cal.ics",
        last_polled_at=frozen,
        consecutive_failures=2,
        last_error="The calendar's server did not answer.",
    )
    page = client_for(bob).get(reverse("today")).content.decode()
    assert "Calendar feeds that cannot be read" in page
    assert "did not answer" in page
