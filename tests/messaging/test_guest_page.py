"""The guest's own page: opened by the stay's link alone, the doors in the order the guest meets
them, the owner's instructions and photos, the PIN only inside its window."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from locks.photos import photo_assign
from reservations.guest_links import guest_link_renew, guest_page_path, guest_token
from tests import factories
from tests.reservations.stays import CHECK_IN, CHECK_OUT, book

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def at(monkeypatch):
    """`at(when)`: the views' clock stands at `when`."""

    def set_clock(when):
        monkeypatch.setattr(timezone, "now", lambda: when)

    return set_clock


@pytest.fixture
def entrance(owner, hotel, t0):
    return factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=t0)


@pytest.fixture
def stay(owner, room, lock, entrance, t0):
    return book(owner, room, t0)


def with_photo(obj, name, content):
    photo_assign(obj, SimpleUploadedFile(name, content))
    obj.save()
    return obj


def open_page(client, stay):
    return client.get(guest_page_path(stay))


def test_the_link_opens_the_stays_page_with_its_dates_and_doors(client, stay, at):
    at(CHECK_IN - timedelta(days=1))
    response = open_page(client, stay)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Seaside Hotel" in html and "Ana Lima" in html and "Room 101" in html
    assert "Wed 3 Jun 15:00 – Fri 5 Jun 11:00" in html  # Lisbon time
    assert html.index("Street entrance") < html.index("Room 101 door")


def test_before_the_window_the_page_says_when_the_code_works_and_hides_it(client, stay, at):
    at(CHECK_IN - timedelta(days=1))
    html = open_page(client, stay).content.decode()
    assert stay.pin not in html
    assert "Your code will work from 15:00 on 3 Jun" in html


def test_inside_the_window_each_door_shows_the_pin(client, stay, at):
    at(CHECK_IN + timedelta(hours=1))
    html = open_page(client, stay).content.decode()
    assert html.count(f'<p class="guest-pin">{stay.pin}</p>') == 2


def test_after_the_stay_the_link_opens_the_closed_page(client, stay, at):
    at(CHECK_OUT + timedelta(minutes=1))
    response = open_page(client, stay)
    assert response.status_code == 404
    assert stay.pin not in response.content.decode()
    assert "This link does not open a stay" in response.content.decode()


def test_an_arrived_guest_is_welcomed(client, stay, at):
    stay.arrived_at = CHECK_IN + timedelta(hours=1)
    stay.save(update_fields=["arrived_at"])
    at(CHECK_IN + timedelta(hours=2))
    html = open_page(client, stay).content.decode()
    assert "Welcome, you're in" in html


def test_the_page_is_private(client, stay, at):
    at(CHECK_IN)
    response = open_page(client, stay)
    assert "no-store" in response["Cache-Control"]
    # same-origin: the token never leaves the site, and forms without JavaScript pass CSRF.
    assert response["Referrer-Policy"] == "same-origin"
    assert "noindex" in response["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()
    assert "style=" not in response.content.decode()
    # No inline script: only the site's own htmx, which the page works without.
    assert re.findall(r"<script[^>]*>", response.content.decode()) == [
        '<script src="/static/js/htmx.min.js" defer>'
    ]


def test_wrong_renewed_and_other_stays_tokens_all_get_the_same_closed_page(
    client, owner, stay, at, other_lock
):
    at(CHECK_IN)
    other_prop = other_lock.property
    other = book(
        other_lock.owner,
        factories.UnitFactory(property=other_prop, name="Loft"),
        CHECK_IN - timedelta(days=3),
        guest_name="Bea Costa",
    )
    old = guest_page_path(stay)
    guest_link_renew(reservation=stay)
    wrong = reverse("guest_page", args=["x" * 66])
    closed = [client.get(path) for path in (old, wrong)]
    assert {r.status_code for r in closed} == {404}
    assert closed[0].content == closed[1].content
    html = open_page(client, other).content.decode()
    assert "Bea Costa" in html
    assert "Ana Lima" not in html and "Seaside" not in html and stay.pin not in html
    assert open_page(client, stay).status_code == 200  # the new link


def test_instructions_and_photos_of_the_property_and_doors_are_shown(
    client, stay, hotel, lock, entrance, at
):
    hotel.arrival_instructions = "Walk past the bakery;\nthe green door."
    with_photo(hotel, "street.png", PNG)
    lock.arrival_instructions = "Second floor, left."
    with_photo(lock, "door.jpg", JPEG)
    at(CHECK_IN)
    html = open_page(client, stay).content.decode()
    token = guest_token(stay)
    assert "Walk past the bakery;<br>the green door." in html
    assert "Second floor, left." in html
    property_photo = reverse("guest_photo", args=[token, "property", hotel.pk])
    door_photo = reverse("guest_photo", args=[token, "door", lock.pk])
    assert property_photo in html and door_photo in html
    assert hotel.arrival_photo.name not in html  # never the stored file's own address
    response = client.get(door_photo)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG
    assert "no-store" in response["Cache-Control"]
    assert client.get(property_photo)["Content-Type"] == "image/png"


def test_the_photo_view_refuses_another_stays_door_and_property(
    client, owner, hotel, stay, other_lock, t0, at
):
    with_photo(other_lock, "theirs.png", PNG)
    with_photo(other_lock.property, "theirs.png", PNG)
    other_room = factories.UnitFactory(property=hotel, name="Room 202")
    their_door = factories.simulated_lock(
        owner=owner, property=hotel, unit=other_room, name="Room 202 door", now=t0
    )
    with_photo(their_door, "room202.png", PNG)
    at(CHECK_IN)
    token = guest_token(stay)
    for kind, pk in (
        ("door", other_lock.pk),
        ("door", their_door.pk),
        ("property", other_lock.property_id),
        ("lock", their_door.pk),
    ):
        assert client.get(reverse("guest_photo", args=[token, kind, pk])).status_code == 404


def test_the_page_follows_the_stays_language_tag(client, stay, at):
    stay.language = "pt"
    stay.save(update_fields=["language"])
    at(CHECK_IN)
    assert '<html lang="pt">' in open_page(client, stay).content.decode()


# --- the stay's page in the dashboard ----------------------------------------------------------


def test_the_stays_page_shows_the_link_to_managers_only(client_for, alice, bob, stay, at):
    """The link opens the guest's PIN, which the front desk does not see: they resend it."""
    at(CHECK_IN - timedelta(days=1))
    page = reverse("reservation_detail", args=[stay.pk])
    assert guest_page_path(stay) in client_for(alice).get(page).content.decode()
    desk = client_for(bob).get(page).content.decode()
    assert guest_token(stay) not in desk
    assert "The arrival message carries the link" in desk and "New link" in desk


def test_a_new_link_ends_the_old_one(client_for, alice, bob, stay, at):
    at(CHECK_IN - timedelta(days=1))
    old = guest_page_path(stay)
    client = client_for(bob)  # the front desk may cut a link off, without seeing it
    response = client.post(reverse("reservation_guest_link_renew", args=[stay.pk]), follow=True)
    stay.refresh_from_db()
    assert "has a new guest page link" in response.content.decode()
    html = client_for(alice).get(reverse("reservation_detail", args=[stay.pk])).content.decode()
    assert guest_page_path(stay) in html and old not in html
    client.logout()
    assert client.get(old).status_code == 404
    assert client.get(guest_page_path(stay)).status_code == 200


def test_nobody_else_renews_a_stays_link(client_for, charlie, stay, at):
    at(CHECK_IN - timedelta(days=1))
    response = client_for(charlie).post(reverse("reservation_guest_link_renew", args=[stay.pk]))
    assert response.status_code == 404
    before = stay.guest_link_version
    stay.refresh_from_db()
    assert stay.guest_link_version == before


def test_no_log_names_a_guest_pages_token(client, owner, room, t0, caplog):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1))  # ended: the closed page
    token = guest_page_path(stay).split("/")[2]

    with caplog.at_level("INFO"):
        response = client.get(guest_page_path(stay))

    assert response.status_code == 404
    assert "Not Found: /g/…/" in caplog.text
    assert token not in caplog.text
