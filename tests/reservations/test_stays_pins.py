"""The stay's PIN: one that every door of the stay takes, random or from the guest's phone."""

from datetime import timedelta

import pytest

from locks import pins
from locks.access_codes import access_code_create
from locks.errors import ServiceError
from locks.scheduler import run_due_locks
from locks.simulator import SIMULATED_MODELS
from tests import factories
from tests.reservations.stays import CHECK_IN, book, opens

STRICT = SIMULATED_MODELS["strict"]


@pytest.fixture
def phone_pins(owner):
    owner.guest_pin_source = "phone"
    owner.save()
    return owner


@pytest.fixture
def tower(owner, hotel, t0):
    """A room behind a strict lever lock: 6 digits, no zeros, no runs."""
    unit = factories.UnitFactory(property=hotel, name="Tower room")
    factories.simulated_lock(
        owner=owner, property=hotel, unit=unit, name="Tower door", model="strict", now=t0
    )
    return unit


@pytest.fixture
def entrance(owner, hotel, t0):
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", model="keypad", now=t0
    )


def test_a_random_pin_has_the_owners_length(owner, room, lock, t0):
    owner.guest_pin_length = 6
    owner.save()
    assert len(book(owner, room, t0).pin) == 6


def test_the_pin_takes_the_only_length_every_door_accepts(owner, tower, entrance, t0):
    stay = book(owner, tower, t0)
    assert len(stay.pin) == 6
    assert pins.pin_violations(stay.pin, [6], STRICT["code_constraints"]) == []
    assert opens(tower.locks.get(), stay.pin, CHECK_IN)
    assert opens(entrance, stay.pin, CHECK_IN)


def test_a_random_pin_obeys_the_rules_of_every_door(owner, hotel, room, lock, t0):
    factories.simulated_lock(
        owner=owner,
        property=hotel,
        name="Old gate",
        code_constraints=["cannot_contain_0789"],
        now=t0,
    )
    for n in range(5):
        stay = book(owner, room, t0, guest_name=f"Guest {n}")
        assert not set(stay.pin) & set("0789")
        stay.delete()


def test_doors_with_no_length_in_common_are_refused_with_what_to_check(owner, hotel, room, t0):
    factories.simulated_lock(owner=owner, property=hotel, unit=room, name="Room door", now=t0)
    factories.simulated_lock(
        owner=owner, property=hotel, name="Gate", supported_code_lengths=[7], now=t0
    )
    factories.simulated_lock(
        owner=owner, property=hotel, name="Garage", supported_code_lengths=[8], now=t0
    )
    with pytest.raises(ServiceError, match="accept no PIN length in common"):
        book(owner, room, t0)


def test_the_pin_comes_from_the_last_digits_of_the_guests_phone(phone_pins, room, lock, t0):
    stay = book(phone_pins, room, t0, phone="+351 912 384 716")
    assert stay.pin == "4716"
    assert stay.pin_note == ""
    assert opens(lock, "4716", CHECK_IN)


def test_a_longer_phone_pin_takes_more_of_the_phones_digits(phone_pins, hotel, room, lock, t0):
    phone_pins.guest_pin_length = 6
    phone_pins.save()
    hotel.country = "PT"
    hotel.save()
    assert book(phone_pins, room, t0, phone="912 384 716").pin == "384716"


def test_a_phone_pin_already_on_a_door_falls_back_to_random_with_a_note(phone_pins, room, lock, t0):
    access_code_create(lock=lock, now=t0, name="Cleaner", code="4716")
    stay = book(phone_pins, room, t0, phone="+351 912 384 716")
    assert stay.pin != "4716"
    assert "already in use on “Room 101 door”" in stay.pin_note
    assert "random PIN was chosen" in stay.pin_note
    assert "4716" not in stay.pin_note
    assert opens(lock, stay.pin, CHECK_IN)


def test_two_guests_with_the_same_phone_ending_never_share_the_street_door(
    phone_pins, hotel, room, lock, entrance, t0
):
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    first = book(phone_pins, room, t0, phone="+351 912 384 716")
    second = book(phone_pins, other_room, t0, guest_name="Rui Sousa", phone="+351 936 004 716")
    assert first.pin == "4716"
    assert second.pin != "4716"
    assert "Street entrance" in second.pin_note


def test_a_phone_pin_a_door_cannot_take_falls_back_to_random_with_the_rule(phone_pins, tower, t0):
    stay = book(phone_pins, tower, t0, phone="+351 912 345 670")
    assert stay.pin != "345670"
    assert "must not contain the digit 0" in stay.pin_note
    assert pins.pin_violations(stay.pin, [6], STRICT["code_constraints"]) == []


def test_a_weak_phone_pin_falls_back_to_random(phone_pins, room, lock, t0):
    stay = book(phone_pins, room, t0, phone="+351 912 342 580")
    assert stay.pin != "2580"
    assert "too easy to guess" in stay.pin_note


def test_a_phone_pin_used_by_a_recent_guest_falls_back_to_random(phone_pins, room, lock, t0):
    earlier = book(
        phone_pins,
        room,
        t0,
        phone="+351 912 384 716",
        check_in=t0 - timedelta(days=2),
        check_out=t0 + timedelta(hours=1),
    )
    assert earlier.pin == "4716"
    run_due_locks(now=t0 + timedelta(hours=1))
    stay = book(phone_pins, room, t0 + timedelta(hours=2), phone="+44 7911 124 716")
    assert stay.pin != "4716"
    assert "last 30 days" in stay.pin_note


def test_without_a_phone_the_pin_is_random_with_a_note(phone_pins, room, lock, t0):
    stay = book(phone_pins, room, t0)
    assert len(stay.pin) == 4
    assert "No phone number" in stay.pin_note


def test_a_random_pin_owner_shows_no_note(owner, room, lock, t0):
    stay = book(owner, room, t0, phone="+351 912 384 716")
    assert stay.pin_note == ""
