"""Another owner's unit is refused at the service level, whoever calls."""

import pytest

from locks.errors import ServiceError
from reservations.models import Reservation
from reservations.stays import reservation_create, reservation_update, reservation_upsert
from tests import factories
from tests.reservations.stays import CHECK_IN, CHECK_OUT

STAY = {"guest_name": "Ana Lima", "check_in": CHECK_IN, "check_out": CHECK_OUT}


@pytest.fixture
def their_unit(other_lock):
    """Hilltop's house, with Hilltop's front door on it."""
    return factories.UnitFactory(property=other_lock.property, name="Whole house")


def test_a_stay_in_another_owners_unit_is_refused(owner, their_unit, t0):
    with pytest.raises(ServiceError, match="not yours") as refused:
        reservation_create(owner=owner, unit=their_unit, now=t0, **STAY)
    assert refused.value.field == "unit"
    assert not Reservation.objects.exists()


def test_a_stay_cannot_be_moved_into_another_owners_unit(owner, room, lock, their_unit, t0):
    stay = reservation_create(owner=owner, unit=room, now=t0, **STAY)
    with pytest.raises(ServiceError, match="not yours"):
        reservation_update(reservation=stay, now=t0, unit=their_unit)
    stay.refresh_from_db()
    assert stay.unit == room


def test_a_pushed_stay_for_another_owners_unit_is_refused(owner, their_unit, t0):
    with pytest.raises(ServiceError, match="not yours"):
        reservation_upsert(
            owner=owner, source="api", external_id="HM-1", unit=their_unit, now=t0, **STAY
        )
    assert not Reservation.objects.exists()


def test_another_owners_shared_door_never_gets_our_guests_pin(owner, room, lock, other_lock, t0):
    stay = reservation_create(owner=owner, unit=room, now=t0, **STAY)
    assert [c.lock for c in stay.access_codes.all()] == [lock]
    assert not other_lock.access_codes.exists()
