"""Guests' phone numbers: read as the property's country's when local, stored in E.164."""

import pytest

from locks.errors import ServiceError
from reservations.models import Reservation
from reservations.phones import phone_normalize
from reservations.stays import reservation_update
from tests.reservations import stays


@pytest.mark.parametrize(
    ("raw", "country", "e164"),
    [
        ("912 345 678", "PT", "+351912345678"),
        ("912345678", "pt", "+351912345678"),
        ("+351 912 345 678", "PT", "+351912345678"),
        ("00351 912 345 678", "PT", "+351912345678"),
        ("+44 7911 123456", "PT", "+447911123456"),
        ("(201) 555-0123", "US", "+12015550123"),
        ("+351 912 345 678", "", "+351912345678"),
        ("  ", "PT", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, country, e164):
    assert phone_normalize(raw, country=country) == e164


def test_a_local_number_without_a_country_asks_for_the_country_code():
    with pytest.raises(ServiceError, match=r"with its country code, e\.g\. \+351") as refused:
        phone_normalize("912 345 678", country="")
    assert refused.value.field == "phone"


@pytest.mark.parametrize("rubbish", ["call me", "12", "+351 12"])
def test_rubbish_is_refused_with_what_to_fix(rubbish):
    with pytest.raises(ServiceError) as refused:
        phone_normalize(rubbish, country="PT")
    assert refused.value.field == "phone"
    assert f"“{rubbish}”" in refused.value.message
    assert "country code" in refused.value.message


@pytest.fixture
def portuguese_hotel(hotel):
    hotel.country = "PT"
    hotel.save()
    return hotel


def book(owner, room, t0, phone):
    return stays.book(owner, room, t0, phone=phone)


def test_a_stay_stores_a_local_number_in_e164_with_the_propertys_country(
    owner, portuguese_hotel, room, t0
):
    stay = book(owner, room, t0, "912 345 678")
    stay.refresh_from_db()
    assert stay.phone == "+351912345678"


def test_a_stay_with_a_bad_number_is_not_saved(owner, portuguese_hotel, room, t0):
    with pytest.raises(ServiceError, match="not a valid phone number"):
        book(owner, room, t0, "+351 12")
    assert not Reservation.objects.exists()


def test_a_changed_number_is_stored_in_e164(owner, portuguese_hotel, room, t0):
    stay = book(owner, room, t0, "")
    reservation_update(reservation=stay, now=t0, phone="936 004 716")
    stay.refresh_from_db()
    assert stay.phone == "+351936004716"
