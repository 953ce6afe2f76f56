"""Every front-desk and settings URL: charlie (Hilltop) gets 404 on Seaside's objects, bob (front
desk) 403 on managers' pages, alice everything."""

from datetime import timedelta

import pytest
from django.urls import URLPattern, resolve, reverse

from locks.models import Event, Membership
from reservations.models import Reservation
from reservations.urls import urlpatterns
from tests.reservations.front_desk import book

MANAGERS_ONLY = {
    "reservation_pin_reveal",
    "reservation_cancel",
    "reservation_new_pin",
    "reservation_entries_csv",
    "settings",
    "invite_create",
    "member_role",
    "member_remove",
    "property_create",
    "property_edit",
    "unit_create",
    "unit_rename",
}


@pytest.fixture
def stay(owner, room, lock, frozen):
    return book(owner, room, frozen, check_in=frozen - timedelta(hours=1))


@pytest.fixture
def seaside_urls(stay, hotel, room, lock, bob):
    on_stay = [stay.pk]
    on_door = [stay.pk, lock.pk]
    membership = Membership.objects.get(user=bob)
    return [
        ("get", reverse("reservation_detail", args=on_stay)),
        ("get", reverse("reservation_edit", args=on_stay)),
        ("post", reverse("reservation_edit", args=on_stay)),
        ("post", reverse("reservation_pin_reveal", args=on_stay)),
        ("post", reverse("reservation_check_out", args=on_stay)),
        ("post", reverse("reservation_cancel", args=on_stay)),
        ("post", reverse("reservation_new_pin", args=on_stay)),
        ("post", reverse("reservation_guest_link_renew", args=on_stay)),
        ("get", reverse("reservation_entries_csv", args=on_stay)),
        ("get", reverse("reservation_unlock", args=on_door)),
        ("post", reverse("reservation_unlock", args=on_door)),
        ("get", reverse("property_edit", args=[hotel.pk])),
        ("post", reverse("property_edit", args=[hotel.pk])),
        ("post", reverse("unit_create", args=[hotel.pk])),
        ("post", reverse("unit_rename", args=[room.pk])),
        ("post", reverse("member_role", args=[membership.pk])),
        ("post", reverse("member_remove", args=[membership.pk])),
    ]


def test_an_outsider_gets_404_on_every_seaside_url(client_for, charlie, seaside_urls, stay, bob):
    client = client_for(charlie)
    data = {"name": "Hacked", "role": "manager", "guest_name": "Hacked", "reason": "Emergency"}
    for method, url in seaside_urls:
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, url
        assert f">{stay.pin}<" not in response.content.decode()
    stay.refresh_from_db()
    assert stay.is_confirmed and stay.checked_out_at is None and stay.guest_name == "Ana Lima"
    assert stay.guest_link_version == 1
    assert Membership.objects.get(user=bob).role == "front_desk"
    assert not Event.objects.filter(event_type="lock.unlocked").exists()


def test_every_front_desk_url_that_names_an_object_is_in_the_outsider_check(seaside_urls):
    naming_an_object = {
        p.name for p in urlpatterns if isinstance(p, URLPattern) and p.pattern.converters
    }
    checked = {resolve(url).url_name for _, url in seaside_urls}
    assert naming_an_object - checked == set()


def test_the_front_desk_is_refused_every_manager_page(client_for, bob, seaside_urls, stay):
    client = client_for(bob)
    urls = [(m, u) for m, u in seaside_urls if resolve(u).url_name in MANAGERS_ONLY]
    urls += [("get", reverse("settings")), ("post", reverse("invite_create"))]
    urls += [("get", reverse("property_create"))]
    assert {resolve(u).url_name for _, u in urls} == MANAGERS_ONLY
    for method, url in urls:
        response = getattr(client, method)(url, {"role": "manager"})
        assert response.status_code == 403, url
    stay.refresh_from_db()
    assert stay.is_confirmed


def test_the_front_desk_sees_every_page_a_clerk_needs(client_for, bob, stay):
    client = client_for(bob)
    for url in (
        reverse("today"),
        reverse("reservations"),
        reverse("reservation_create"),
        reverse("reservation_detail", args=[stay.pk]),
        reverse("reservation_edit", args=[stay.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_the_front_desk_s_menu_has_no_settings_or_keys(client_for, bob, alice):
    html = client_for(bob).get(reverse("today")).content.decode()
    assert ">Today<" in html and ">Reservations<" in html and ">Locks<" in html
    assert reverse("settings") not in html and reverse("api_keys") not in html
    html = client_for(alice).get(reverse("today")).content.decode()
    assert reverse("settings") in html and reverse("api_keys") in html


def test_a_manager_opens_every_page(client_for, alice, stay, hotel):
    client = client_for(alice)
    for url in (
        reverse("today"),
        reverse("reservations"),
        reverse("reservation_create"),
        reverse("reservation_detail", args=[stay.pk]),
        reverse("settings"),
        reverse("property_create"),
        reverse("property_edit", args=[hotel.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_malformed_or_unknown_stay_is_404(client_for, alice):
    client = client_for(alice)
    assert client.get("/reservations/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert client.get("/reservations/not-a-uuid/").status_code == 404


def test_pages_ask_for_a_login(client, stay):
    for url in (reverse("today"), reverse("reservations")):
        assert client.get(url).status_code == 302
    assert Reservation.objects.count() == 1
