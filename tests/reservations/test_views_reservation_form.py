"""Creating and editing a stay: local days and times, and refusals beside their field."""

from datetime import timedelta

from django.urls import reverse

from reservations.models import Reservation
from tests import factories
from tests.reservations.front_desk import book


def stay_data(unit, **fields) -> dict:
    return {
        "guest_name": "Ana Lima",
        "unit": unit.pk,
        "check_in_day": "2026-06-03",
        "check_in_time": "",
        "check_out_day": "2026-06-05",
        "check_out_time": "",
        "phone": "+351 912 345 678",
        "email": "",
        "guests": "2",
        "notes": "",
        **fields,
    }


def test_the_front_desk_creates_a_stay_in_the_property_s_time(
    client_for, bob, hotel, room, lock, frozen
):
    hotel.country = "PT"
    hotel.save()
    data = stay_data(room, phone="912 345 678")
    response = client_for(bob).post(reverse("reservation_create"), data)
    stay = Reservation.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reservation_detail", args=[stay.pk])
    # The hotel's usual 15:00 / 11:00 in Lisbon (WEST, UTC+1).
    assert stay.check_in.isoformat() == "2026-06-03T14:00:00+00:00"
    assert stay.check_out.isoformat() == "2026-06-05T10:00:00+00:00"
    assert stay.phone == "+351912345678"  # read as a Portuguese number: the property's country
    assert stay.access_codes.count() == 1


def test_given_times_are_local_times(client_for, alice, room, lock, frozen):
    data = stay_data(room, check_in_time="09:30", check_out_time="18:00")
    client_for(alice).post(reverse("reservation_create"), data)
    stay = Reservation.objects.get()
    assert stay.check_in.isoformat() == "2026-06-03T08:30:00+00:00"
    assert stay.check_out.isoformat() == "2026-06-05T17:00:00+00:00"


def test_the_form_offers_units_grouped_by_property(client_for, alice, owner, room, lock):
    cottage = factories.PropertyFactory(owner=owner, name="Olive Cottage")
    factories.UnitFactory(property=cottage, name="Whole house")
    html = client_for(alice).get(reverse("reservation_create")).content.decode()
    assert '<optgroup label="Olive Cottage">' in html
    assert '<optgroup label="Seaside Hotel">' in html
    assert 'value="15:00"' in html  # the usual check-in time, ready to change


def test_an_overlap_is_refused_naming_the_other_guest(client_for, alice, owner, room, lock, frozen):
    book(owner, room, frozen, check_in=frozen + timedelta(days=1), nights=3, guest_name="Bea")
    response = client_for(alice).post(reverse("reservation_create"), stay_data(room))
    assert response.status_code == 400
    assert "Room 101 is already booked by Bea" in response.content.decode()
    assert Reservation.objects.count() == 1


def test_a_back_to_back_stay_is_fine(client_for, alice, owner, room, lock, frozen):
    # Bea leaves on 3 June at 11:00 in Lisbon; Ana arrives at 15:00 that day.
    book(owner, room, frozen, check_in=frozen + timedelta(hours=2), hours=44, guest_name="Bea")
    response = client_for(alice).post(reverse("reservation_create"), stay_data(room))
    assert response.status_code == 302


def test_a_bad_phone_is_refused_beside_the_phone(client_for, alice, room, lock, frozen):
    response = client_for(alice).post(
        reverse("reservation_create"), stay_data(room, phone="+351 12")
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="errors-phone"' in html and "is not a valid phone number" in html
    assert not Reservation.objects.exists()


def test_check_out_before_check_in_is_refused(client_for, alice, room, lock, frozen):
    data = stay_data(room, check_out_day="2026-06-02")
    html = client_for(alice).post(reverse("reservation_create"), data).content.decode()
    assert "Check-out must be on or after the check-in day." in html
    data = stay_data(room, check_out_day="2026-06-03", check_out_time="10:00")
    html = client_for(alice).post(reverse("reservation_create"), data).content.decode()
    assert "Check-out must be after check-in." in html
    assert not Reservation.objects.exists()


def test_missing_fields_say_what_to_give(client_for, alice, room, lock, frozen):
    data = stay_data(room, guest_name="", check_in_day="")
    html = client_for(alice).post(reverse("reservation_create"), data).content.decode()
    assert "Give the guest&#x27;s name." in html
    assert "Give the day of arrival." in html


def test_inline_validation_checks_with_the_rules_of_saving_and_saves_nothing(
    client_for, alice, owner, room, lock, frozen
):
    book(owner, room, frozen, check_in=frozen + timedelta(days=1), nights=3, guest_name="Bea")
    response = client_for(alice).post(
        reverse("reservation_create") + "?validate=1",
        stay_data(room, guest_name="Cara"),
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="errors-check_in_day" hx-swap-oob="true"' in html
    assert "Room 101 is already booked by Bea" in html
    assert list(Reservation.objects.values_list("guest_name", flat=True)) == ["Bea"]


def test_inline_validation_is_quiet_about_fields_not_filled_in_yet(
    client_for, alice, room, lock, frozen
):
    data = stay_data(room, guest_name="", check_in_day="", check_out_day="", phone="+351 12")
    response = client_for(alice).post(
        reverse("reservation_create") + "?validate=1", data, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "is not a valid phone number" in html
    assert "Give the guest" not in html and "Give the day" not in html
    assert not Reservation.objects.exists()


def test_editing_moves_the_stay_and_keeps_its_pin(client_for, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen + timedelta(days=1))
    pin = stay.pin
    url = reverse("reservation_edit", args=[stay.pk])
    html = client_for(bob).get(url).content.decode()
    assert 'value="Ana Lima"' in html and 'value="2026-06-02"' in html
    data = stay_data(
        room,
        check_in_day="2026-06-02",
        check_out_day="2026-06-06",
        check_in_time="13:00",
        check_out_time="11:00",
    )
    response = client_for(bob).post(url, data)
    assert response.status_code == 302
    stay.refresh_from_db()
    assert stay.check_out.isoformat() == "2026-06-06T10:00:00+00:00"
    assert stay.pin == pin
    assert stay.access_codes.get(removed_at__isnull=True).ends_at == stay.check_out


def test_a_cancelled_stay_cannot_be_edited(client_for, alice, owner, room, lock, frozen):
    from reservations.stays import reservation_cancel

    stay = book(owner, room, frozen, check_in=frozen + timedelta(days=1))
    reservation_cancel(reservation=stay, now=frozen)
    response = client_for(alice).get(reverse("reservation_edit", args=[stay.pk]), follow=True)
    assert "can no longer change" in response.content.decode()


def test_the_front_desk_sets_the_guests_language(client_for, bob, room, lock, frozen):
    client = client_for(bob)
    client.post(reverse("reservation_create"), stay_data(room, language="pt"))
    stay = Reservation.objects.get()
    assert stay.language == "pt"
    page = client.get(reverse("reservation_detail", args=[stay.pk])).content.decode()
    assert "Português" in page
    response = client.post(reverse("reservation_create"), stay_data(room, language="xx"))
    assert "Pick one of the languages in the list." in response.content.decode()
