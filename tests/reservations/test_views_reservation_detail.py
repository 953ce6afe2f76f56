"""One stay: its guest code per door, the PIN behind a manager's reveal, history, actions."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks import simulator
from locks.models import Event
from locks.scheduler import run_due_locks
from reservations.models import Reservation
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book

HOUR = timedelta(hours=1)


def page(client, stay) -> str:
    return html_of(client, "reservation_detail", stay.pk)


def test_it_shows_the_code_on_each_door(client_for, alice, owner, hotel, room, lock, frozen):
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=frozen)
    stay = book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1))
    run_due_locks(now=frozen)
    html = page(client_for(alice), stay)
    assert "Room 101 door" in html and "Street entrance" in html
    assert html.count("On the lock") == 2
    assert "Ready" in html


def test_an_offline_door_is_explained(client_for, alice, owner, room, lock, frozen):
    simulator.simulated_set_online(lock=lock, online=False, now=frozen)
    stay = book(owner, room, frozen, check_in=frozen + 20 * timedelta(minutes=1))
    run_due_locks(now=frozen + 15 * timedelta(minutes=1))
    html = page(client_for(alice), stay)
    assert "At risk" in html
    assert "Room 101 door is offline." in html
    assert "Codes already on it keep working" in html


def test_the_pin_is_hidden_until_a_manager_reveals_it(client_for, alice, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    client = client_for(alice)
    html = page(client, stay)
    assert f">{stay.pin}<" not in html and "Reveal" in html
    response = client.post(
        reverse("reservation_pin_reveal", args=[stay.pk]), HTTP_HX_REQUEST="true"
    )
    assert f">{stay.pin}<" in response.content.decode()
    event = Event.objects.get(event_type="reservation.pin_revealed")
    assert event.reservation_id == stay.pk and event.data == {"revealed_by": "alice"}
    assert stay.pin not in str(event.data) + event.message
    assert "PIN shown to alice" in page(client, stay)


def test_the_front_desk_never_gets_the_pin(client_for, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    client = client_for(bob)
    html = page(client, stay)
    assert f">{stay.pin}<" not in html and "Reveal" not in html
    response = client.post(reverse("reservation_pin_reveal", args=[stay.pk]))
    assert response.status_code == 403
    assert stay.pin not in response.content.decode()
    assert not Event.objects.filter(event_type="reservation.pin_revealed").exists()


def test_the_pin_note_is_shown(client_for, alice, owner, room, lock, frozen):
    owner.guest_pin_source = "phone"
    owner.save()
    stay = book(owner, room, frozen, check_in=frozen + HOUR)  # no phone to take it from
    assert stay.pin_note
    assert stay.pin_note in page(client_for(alice), stay)


def test_the_front_desk_checks_a_guest_out_early(client_for, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen - HOUR)
    client = client_for(bob)
    assert "Check out now" in page(client, stay)
    response = client.post(reverse("reservation_check_out", args=[stay.pk]), follow=True)
    html = response.content.decode()
    assert "is checked out; their code comes off the doors now." in html
    stay.refresh_from_db()
    assert stay.checked_out_at == frozen
    assert "Checked out early: the code ends now" in html


def test_checking_out_a_guest_who_has_not_arrived_says_what_to_do(
    client_for, alice, owner, room, lock, frozen
):
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    assert "Check out now" not in page(client_for(alice), stay)
    response = client_for(alice).post(reverse("reservation_check_out", args=[stay.pk]), follow=True)
    assert "change the dates instead" in response.content.decode()


def test_a_manager_cancels_a_stay(client_for, alice, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    response = client_for(alice).post(reverse("reservation_cancel", args=[stay.pk]), follow=True)
    assert "stay is cancelled" in response.content.decode()
    stay.refresh_from_db()
    assert stay.status == Reservation.Status.CANCELLED
    assert not stay.access_codes.filter(deleted_at__isnull=True, removed_at__isnull=True).exists()


def test_a_manager_issues_a_new_pin(client_for, alice, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    old = stay.pin
    response = client_for(alice).post(reverse("reservation_new_pin", args=[stay.pk]), follow=True)
    html = response.content.decode()
    assert "has a new PIN" in html
    stay.refresh_from_db()
    assert stay.pin != old
    assert f">{old}<" not in html and f">{stay.pin}<" not in html
    assert "New PIN issued" in html


def test_the_front_desk_may_not_cancel_or_replace_a_pin(client_for, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    client = client_for(bob)
    assert "Cancel stay" not in page(client, stay)
    pin = stay.pin
    for name in ("reservation_cancel", "reservation_new_pin"):
        assert client.post(reverse(name, args=[stay.pk])).status_code == 403
    stay.refresh_from_db()
    assert stay.is_confirmed and stay.pin == pin


def test_actions_only_take_posts(client_for, alice, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen - HOUR)
    for name in ("reservation_cancel", "reservation_new_pin", "reservation_check_out"):
        assert client_for(alice).get(reverse(name, args=[stay.pk])).status_code == 405


def test_a_stays_page_costs_the_same_queries_for_one_door_or_five(
    client_for, alice, owner, hotel, room, lock, frozen
):
    client = client_for(alice)
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    run_due_locks(now=frozen)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reservation_detail", args=[stay.pk])).status_code == 200
        return len(captured)

    few = queries()
    for n in range(4):
        factories.simulated_lock(owner=owner, property=hotel, name=f"Entrance {n}", now=frozen)
    run_due_locks(now=frozen + HOUR / 2)
    assert queries() == few
    assert "Entrance 3" in page(client, stay)


# --- a room without a smart lock of its own ---------------------------------------------------


def test_a_room_without_its_own_lock_needs_a_key_past_the_shared_door(
    client_for, alice, owner, hotel, frozen
):
    factories.simulated_lock(owner=owner, property=hotel, name="Front door", now=frozen)
    room_7 = factories.UnitFactory(property=hotel, name="Room 7")
    stay = book(owner, room_7, frozen, check_in=frozen + HOUR)
    html = page(client_for(alice), stay)
    assert "Only Front door has a smart lock; Room 7 needs a key." in html
    assert "Front door" in html  # the guest's PIN is still shown on the shared door


def test_a_stay_with_no_smart_lock_at_all_says_so_and_is_not_ready(
    client_for, alice, owner, hotel, frozen
):
    room_7 = factories.UnitFactory(property=hotel, name="Room 7")
    stay = book(owner, room_7, frozen, check_in=frozen + HOUR)
    html = page(client_for(alice), stay)
    assert html.count("No smart lock for this stay: Room 7 needs a key.") == 1
    assert "Ready" not in html
    assert "No code" in html


def test_a_room_with_its_own_lock_needs_no_key(client_for, alice, owner, hotel, room, lock, frozen):
    factories.simulated_lock(owner=owner, property=hotel, name="Front door", now=frozen)
    stay = book(owner, room, frozen, check_in=frozen + HOUR)
    html = page(client_for(alice), stay)
    assert "needs a key" not in html and "Only Front door" not in html
