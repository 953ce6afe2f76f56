"""Helpers for the front desk's page tests: a clock the views read, and stays booked at it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reservations.stays import reservation_create
from tests import factories


@pytest.fixture
def frozen(monkeypatch, t0):
    """The views' clock stands still at t0 (Mon 1 Jun 2026, 13:00 in Lisbon)."""
    monkeypatch.setattr(timezone, "now", lambda: t0)
    return t0


@pytest.fixture
def room_102(hotel, owner, t0):
    unit = factories.UnitFactory(property=hotel, name="Room 102")
    factories.simulated_lock(owner=owner, property=hotel, unit=unit, name="Room 102 door", now=t0)
    return unit


def book(owner, unit, now, *, check_in, nights=2, hours=None, guest_name="Ana Lima", **fields):
    check_out = check_in + (timedelta(hours=hours) if hours else timedelta(days=nights))
    return reservation_create(
        owner=owner,
        unit=unit,
        guest_name=guest_name,
        check_in=check_in,
        check_out=check_out,
        now=now,
        **fields,
    )


def book_in_suites(owner, hotel, now, names, *, check_in):
    """For each of `names`, Guest <name> in a new Suite <name>, arriving a minute apart."""
    for n, name in enumerate(names):
        unit = factories.UnitFactory(property=hotel, name=f"Suite {name}")
        check_in_n = check_in + n * timedelta(minutes=1)
        book(owner, unit, now, check_in=check_in_n, guest_name=f"Guest {name}")
