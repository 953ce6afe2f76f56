"""The support admin of stays and feeds: searchable, filtered by owner, no PIN nor feed token."""

from datetime import timedelta

import pytest

from locks import simulator
from locks.models import AccessCode
from reservations.models import Reservation, ReservationFeed
from tests import admin_pages, factories
from tests.admin_pages import PIN, change_page, changelist, project_models
from tests.backups.lockside import run
from tests.reservations.front_desk import book

support = admin_pages.support
support_client = admin_pages.support_client

FEED_TOKEN = "s9Xv3kQpL7"
FEED_URL = f"https://www.airbnb.com/calendar/ical/41977.ics?s={FEED_TOKEN}"


@pytest.fixture
def stay(owner, room, lock, t0):
    """Ana Lima's stay in Room 101, from the Airbnb feed; her PIN (on the door, and written in
    the notes) is PIN."""
    feed = ReservationFeed.objects.create(owner=owner, unit=room, name="Airbnb", url=FEED_URL)
    stay = book(
        owner,
        room,
        t0,
        check_in=t0 + timedelta(days=1),
        phone="+351912345678",
        email="ana@example.com",
        source=Reservation.Source.ICAL,
        external_id="airbnb-HM8812",
        feed=feed,
        notes=f"Told her the code {PIN} on the phone.",
    )
    # The stay's PIN is made at random; the test picks one it can look for.
    Reservation.objects.filter(pk=stay.pk).update(pin=PIN)
    assert AccessCode.objects.filter(reservation=stay).update(code=PIN) == 1
    stay.refresh_from_db()
    return stay


@pytest.fixture
def other_stay(other_owner, other_lock, t0):
    loft = factories.UnitFactory(property=other_lock.property, name="Hilltop loft")
    ReservationFeed.objects.create(
        owner=other_owner, unit=loft, name="Vrbo", url="https://www.vrbo.com/icalendar/a1.ics"
    )
    return book(other_owner, loft, t0, check_in=t0 + timedelta(days=1), guest_name="Ben Hall")


def test_every_page_of_the_reservations_admin_opens(support_client, stay, lock, t0):
    # Its door offline the day before Ana arrives: an urgent span for the badge.
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    # At check-in, three wrong PINs at her door: a lockout.
    for minute in range(3):
        at = stay.check_in + timedelta(minutes=minute)
        simulator.simulated_keypad_entry(lock=lock, code="9876", now=at)
    admin_pages.every_page_opens(support_client, ["reservations"])


def test_no_pin_and_no_feed_token_shows_on_any_page_of_the_reservations_admin(support_client, stay):
    pages = []
    for model in project_models("reservations"):
        pages.append(changelist(support_client, model))
        pages.extend(change_page(support_client, row) for row in model.objects.all())
    for html in pages:
        assert PIN not in html
        assert FEED_TOKEN not in html and "41977" not in html
    assert "Ana Lima" in pages[0] and "•••• (6 digits)" in pages[0]


def test_a_stay_shows_its_pin_and_its_notes_masked_and_links_to_its_codes(
    support_client, stay, other_stay
):
    html = change_page(support_client, stay)
    assert "•••• (6 digits)" in html and "Ana Lima" in html and "+351912345678" in html
    assert "Told her the code •••• on the phone." in html
    assert f'<a href="/admin/locks/accesscode/?reservation__id__exact={stay.pk}">' in html
    assert AccessCode.objects.filter(reservation=other_stay).exists()
    html = changelist(support_client, AccessCode, reservation__id__exact=stay.pk)
    assert "Ana Lima" in html and "Ben Hall" not in html


def test_a_feed_shows_only_its_host(support_client, stay):
    html = change_page(support_client, stay.feed)
    assert "www.airbnb.com (rest hidden)" in html
    assert FEED_TOKEN not in html


def test_neither_a_pin_nor_a_feed_address_can_be_searched_or_filtered_on(support_client, stay):
    assert "Ana Lima" not in changelist(support_client, Reservation, q=PIN)
    assert "Airbnb" not in changelist(support_client, ReservationFeed, q=FEED_TOKEN)
    for url, query in [
        ("/admin/reservations/reservation/", {"pin": PIN}),
        ("/admin/reservations/reservation/", {"pin__startswith": "4"}),
        ("/admin/reservations/reservation/", {"notes__contains": PIN}),
        ("/admin/reservations/reservationfeed/", {"url__contains": FEED_TOKEN}),
    ]:
        assert support_client.get(url, query).status_code == 400


@pytest.mark.parametrize("words", ["Ana Lima", "912345678", "airbnb-HM8812", "ana@example"])
def test_search_finds_a_stay_by_guest_phone_external_id_or_email(
    support_client, stay, other_stay, words
):
    html = changelist(support_client, Reservation, q=words)
    assert "Ana Lima" in html and "Ben Hall" not in html


def test_the_owner_filter_narrows_stays_and_feeds_to_that_owner(
    support_client, owner, other_owner, stay, other_stay
):
    html = changelist(support_client, Reservation, owner__id__exact=other_owner.pk)
    assert "Ben Hall" in html and "Ana Lima" not in html
    html = changelist(support_client, Reservation, owner__id__exact=owner.pk)
    assert "Ana Lima" in html and "Ben Hall" not in html
    html = changelist(support_client, ReservationFeed, owner__id__exact=other_owner.pk)
    assert "Vrbo" in html and "Airbnb" not in html
