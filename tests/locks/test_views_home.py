from django.urls import reverse

from locks import access_codes
from locks.models import Lock
from tests import factories
from tests.pages import html_of


def test_it_asks_for_a_login(client, owner):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_it_shows_the_locks_per_property(client_for, alice, lock, hotel):
    html = html_of(client_for(alice), "home")
    assert "Seaside Hotel" in html
    assert "Room 101 door" in html
    assert "Room door · Room 101" in html
    assert "Online" in html
    assert "90%" in html
    assert reverse("lock_detail", args=[lock.pk]) in html


def test_it_shows_a_shared_door(client_for, alice, owner, hotel, t0):
    factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=t0)
    response = client_for(alice).get(reverse("home"))
    assert "Shared door" in response.content.decode()


def test_it_shows_problems_in_plain_words(client_for, alice, lock, t0):
    lock.online = False
    lock.add_error("device_disconnected", "The lock does not answer.", t0)
    lock.save()
    html = client_for(alice).get(reverse("home")).content.decode()
    assert "Offline" in html
    assert "The lock is offline." in html


def test_it_counts_slots_in_the_same_words_as_the_lock_page(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna")
    client = client_for(alice)
    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    words = f"0 of {lock.max_active_codes} slots used"
    assert words in home and words in page


def test_it_hides_other_owners_locks(client_for, charlie, lock, other_lock):
    html = client_for(charlie).get(reverse("home")).content.decode()
    assert "Hilltop front door" in html
    assert "Room 101 door" not in html


def test_it_shows_front_desk_the_locks_without_manager_buttons(client_for, bob, lock):
    html = client_for(bob).get(reverse("home")).content.decode()
    assert "Room 101 door" in html
    assert "Add a lock" not in html
    assert "API keys" not in html


def test_it_returns_the_locks_partial_to_htmx(client_for, alice, lock):
    response = client_for(alice).get(
        reverse("home"), HTTP_HX_REQUEST="true", HTTP_HX_TARGET="locks"
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="locks"')
    assert "<html" not in html


def test_the_low_battery_mark_follows_the_owners_level(client_for, alice, owner, lock):
    Lock.objects.filter(pk=lock.pk).update(battery_level=0.25)
    page = client_for(alice).get(reverse("home")).content.decode()
    assert "Battery low" not in page

    owner.low_battery_percent = 30
    owner.save(update_fields=["low_battery_percent"])
    page = client_for(alice).get(reverse("home")).content.decode()
    assert "Battery low" in page
