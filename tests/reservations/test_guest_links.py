"""The guest page's private link: it names one stay, cannot be forged; a new one ends the old."""

import pytest
from django.test import override_settings

from reservations.guest_links import (
    guest_link_find,
    guest_link_open,
    guest_link_renew,
    guest_page_path,
    guest_page_url,
    guest_token,
)
from reservations.stays import reservation_cancel, reservation_check_out_early
from tests.reservations.stays import CHECK_IN, CHECK_OUT, book

pytestmark = pytest.mark.django_db


def later_stay(owner, room, t0):
    return book(
        owner, room, t0, guest_name="Bea", check_in=CHECK_OUT, check_out=CHECK_OUT.replace(day=7)
    )


def test_a_stays_token_finds_that_stay_and_no_other(owner, room, t0):
    ana = book(owner, room, t0)
    bea = later_stay(owner, room, t0)
    assert guest_link_find(guest_token(ana)) == ana
    assert guest_link_find(guest_token(bea)) == bea
    assert guest_token(ana) != guest_token(bea)
    assert len(guest_token(ana)) >= 60


def test_a_forged_or_mistyped_token_finds_nothing(owner, room, t0):
    ana = book(owner, room, t0)
    token = guest_token(ana)
    head, signature = token.split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    for bad in (f"{head}.{flipped}", head, f"{head}.", "", "x" * 66, f"{'!' * 22}.{signature}"):
        assert guest_link_find(bad) is None, bad
    # Another stay's id with this stay's signature opens neither.
    bea = later_stay(owner, room, t0)
    assert guest_link_find(f"{guest_token(bea).split('.')[0]}.{signature}") is None


def test_a_new_link_ends_the_old_one(owner, room, t0):
    ana = book(owner, room, t0)
    old = guest_token(ana)
    guest_link_renew(reservation=ana)
    assert guest_link_find(old) is None
    assert guest_link_find(guest_token(ana)) == ana


def test_links_made_under_a_retired_secret_key_work_while_it_is_a_fallback(
    owner, room, t0, settings
):
    ana = book(owner, room, t0)
    old = guest_token(ana)
    with override_settings(SECRET_KEY="a-new-key-" * 5, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
        assert guest_link_find(old) == ana
    with override_settings(SECRET_KEY="a-new-key-" * 5, SECRET_KEY_FALLBACKS=[]):
        assert guest_link_find(old) is None


def test_the_page_is_open_until_the_stay_ends_and_never_for_a_cancelled_one(owner, room, t0):
    ana = book(owner, room, t0)
    assert guest_link_open(ana, CHECK_IN)
    assert not guest_link_open(ana, CHECK_OUT)
    reservation_check_out_early(reservation=ana, now=CHECK_IN.replace(hour=20))
    assert not guest_link_open(ana, CHECK_IN.replace(hour=21))
    bea = later_stay(owner, room, t0)
    reservation_cancel(reservation=bea, now=t0)
    assert not guest_link_open(bea, CHECK_OUT)


def test_the_link_is_absolute_when_the_public_address_is_set(owner, room, t0, settings):
    ana = book(owner, room, t0)
    settings.PUBLIC_BASE_URL = ""
    assert guest_page_url(ana) == guest_page_path(ana) == f"/g/{guest_token(ana)}/"
    settings.PUBLIC_BASE_URL = "https://stay.example.com"
    assert guest_page_url(ana) == f"https://stay.example.com/g/{guest_token(ana)}/"
