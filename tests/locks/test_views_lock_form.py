from django.urls import reverse

from locks.models import Lock
from tests import factories
from tests.pages import html_of


def test_it_shows_the_add_form(client_for, alice, hotel, room):
    html = html_of(client_for(alice), "lock_create")
    assert '<optgroup label="Seaside Hotel">' in html
    assert f'<option value="{room.pk}">Room 101</option>' in html
    assert "Keypad deadbolt" in html


def test_the_rooms_to_pick_are_grouped_under_their_property(client_for, alice, owner, room):
    cottage = factories.PropertyFactory(owner=owner, name="Olive Cottage")
    house = factories.UnitFactory(property=cottage, name="Whole house")
    html = html_of(client_for(alice), "lock_create")
    picker = html[html.index('name="unit"') :]
    picker = picker[: picker.index("</select>")]
    # Each room under its property's name, the properties in order, the shared door first.
    shared = picker.index("None: a door the whole property shares")
    olive = picker.index('<optgroup label="Olive Cottage">')
    seaside = picker.index('<optgroup label="Seaside Hotel">')
    assert shared < olive < picker.index(f'<option value="{house.pk}">Whole house') < seaside
    assert seaside < picker.index(f'<option value="{room.pk}">Room 101')


def test_it_adds_a_simulated_lock(client_for, alice, hotel, room):
    response = client_for(alice).post(
        reverse("lock_create"),
        {
            "name": "Room 101",
            "property": hotel.pk,
            "unit": room.pk,
            "model": "strict",
            "location": "First floor",
        },
    )
    lock = Lock.objects.get(name="Room 101")
    assert response.status_code == 302
    assert response.url == reverse("lock_detail", args=[lock.pk])
    assert lock.unit == room
    assert lock.location == "First floor"
    assert lock.driver == "simulated"
    assert lock.supported_code_lengths == [6]


def test_it_adds_a_shared_door(client_for, alice, hotel):
    client_for(alice).post(
        reverse("lock_create"), {"name": "Gate", "property": hotel.pk, "model": "keypad"}
    )
    assert Lock.objects.get(name="Gate").unit is None


def test_it_refuses_a_room_of_another_property(client_for, alice, owner, hotel):
    villa = factories.PropertyFactory(owner=owner, name="Villa")
    villa_room = factories.UnitFactory(property=villa, name="Whole house")
    response = client_for(alice).post(
        reverse("lock_create"),
        {"name": "Gate", "property": hotel.pk, "unit": villa_room.pk, "model": "keypad"},
    )
    assert response.status_code == 200
    assert "Whole house is in Villa" in response.context["form"].errors["unit"][0]
    assert not Lock.objects.exists()


def test_it_refuses_another_owners_property(client_for, alice, other_owner):
    theirs = factories.PropertyFactory(owner=other_owner, name="Hilltop House")
    response = client_for(alice).post(
        reverse("lock_create"), {"name": "Gate", "property": theirs.pk, "model": "keypad"}
    )
    assert "Pick one of your properties." in response.context["form"].errors["property"][0]
    assert not Lock.objects.exists()


def test_it_says_what_is_missing(client_for, alice, hotel):
    response = client_for(alice).post(reverse("lock_create"), {"property": hotel.pk})
    errors = response.context["form"].errors
    assert "Give the door a name" in errors["name"][0]
    assert "model" in errors


def test_it_edits_a_lock(client_for, alice, lock):
    response = client_for(alice).post(
        reverse("lock_edit", args=[lock.pk]), {"name": "Room 101 main door", "location": "Hall"}
    )
    assert response.status_code == 302
    lock.refresh_from_db()
    assert (lock.name, lock.location, lock.unit) == ("Room 101 main door", "Hall", None)


def test_it_shows_the_edit_form_filled_in(client_for, alice, lock):
    html = client_for(alice).get(reverse("lock_edit", args=[lock.pk])).content.decode()
    assert 'value="Room 101 door"' in html


def test_front_desk_cannot_add_or_edit_locks(client_for, bob, hotel, lock):
    client = client_for(bob)
    assert client.get(reverse("lock_create")).status_code == 403
    response = client.post(
        reverse("lock_create"), {"name": "Gate", "property": hotel.pk, "model": "keypad"}
    )
    assert response.status_code == 403
    assert client.get(reverse("lock_edit", args=[lock.pk])).status_code == 403
    assert client.post(reverse("lock_edit", args=[lock.pk]), {"name": "X"}).status_code == 403
    lock.refresh_from_db()
    assert lock.name == "Room 101 door"
    assert Lock.objects.count() == 1
