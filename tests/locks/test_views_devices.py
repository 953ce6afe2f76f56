"""The Devices page: accounts, "Check for new devices", and the inbox's three answers."""

from datetime import timedelta

import pytest
from django.urls import reverse

from locks import access_codes, devices, scheduler, simulator
from locks.models import DiscoveredDevice, Event, Lock, SimulatedDevice
from tests import factories


def waiting(name: str) -> DiscoveredDevice:
    return DiscoveredDevice.objects.get(name=name, status="new")


@pytest.fixture
def garden_gate(owner, t0):
    """A keypad lock paired with the hub and discovered: waiting in the inbox."""
    simulator.simulated_device_create(owner=owner, name="Garden gate")
    devices.account_discover(account=simulator.simulated_hub(owner), now=t0)
    return waiting("Garden gate")


@pytest.fixture
def reset_lock(owner, lock, t0):
    """Room 101's lock, factory reset: its door is offline, its new device in the inbox."""
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Cleaner", code="5937")
    scheduler.run_due_locks(now=t0)
    new = simulator.simulated_factory_reset(lock=lock, now=t0)
    scheduler.run_due_locks(now=t0 + timedelta(minutes=6))
    devices.account_discover(account=simulator.simulated_hub(owner), now=t0 + timedelta(minutes=6))
    lock.refresh_from_db()
    assert not lock.online
    return DiscoveredDevice.objects.get(device_id=new.device_id)


def test_a_manager_sees_the_hub_and_can_check_it_now(client_for, alice, owner):
    client = client_for(alice)
    html = client.get(reverse("devices")).content.decode()
    assert "Simulated hub" in html
    assert "not checked yet" in html
    simulator.simulated_device_create(owner=owner, name="Garden gate")

    hub = simulator.simulated_hub(owner)
    response = client.post(reverse("account_discover", args=[hub.pk]), follow=True)

    html = response.content.decode()
    assert "Found 1 new device in “Simulated hub”" in html
    assert "Garden gate" in html
    assert "Is this a new lock, or does it replace one?" in html
    hub.refresh_from_db()
    assert hub.last_discovered_at is not None


def test_checking_again_finds_nothing_new(client_for, alice, owner, garden_gate):
    hub = simulator.simulated_hub(owner)
    response = client_for(alice).post(reverse("account_discover", args=[hub.pk]), follow=True)
    assert "“Simulated hub” has no new devices." in response.content.decode()


def test_adding_a_device_to_the_simulated_hub(client_for, alice, owner):
    response = client_for(alice).post(
        reverse("simulated_device_add"),
        {"name": "Pool gate", "model": "strict", "has_keypad": "on"},
        follow=True,
    )
    assert "Press “Check for new devices” to find it" in response.content.decode()
    device = SimulatedDevice.objects.get(owner=owner, name="Pool gate")
    assert device.max_active_codes == 6 and device.has_keypad
    # Not a door, and not in the inbox until discovery sees it.
    assert not Lock.objects.filter(device_id=device.device_id).exists()
    assert not DiscoveredDevice.objects.filter(device_id=device.device_id).exists()


def test_adding_a_device_without_a_name_says_so(client_for, alice):
    response = client_for(alice).post(
        reverse("simulated_device_add"), {"name": "", "model": "keypad"}, follow=True
    )
    assert "Give the device a name" in response.content.decode()
    assert not SimulatedDevice.objects.exists()


def test_the_reset_lock_is_suggested_first_with_why(client_for, alice, owner, hotel, t0, lock):
    # Another silent lock of another model: suggested too, but after the same model.
    other = factories.simulated_lock(
        owner=owner, property=hotel, name="Back door", model="strict", now=t0
    )
    simulator.simulated_set_online(lock=other, online=False, now=t0)
    access_codes.access_code_create(lock=lock, now=t0, name="Cleaner", code="5937")
    scheduler.run_due_locks(now=t0)
    simulator.simulated_factory_reset(lock=lock, now=t0)
    scheduler.run_due_locks(now=t0 + timedelta(minutes=6))
    devices.account_discover(account=simulator.simulated_hub(owner), now=t0 + timedelta(minutes=6))

    html = client_for(alice).get(reverse("devices")).content.decode()

    inbox = html[html.index('id="new-devices"') :]
    assert inbox.index("Replace Room 101 door") < inbox.index("Replace Back door")
    assert "Offline since Mon 1 Jun" in inbox
    assert "same model" in inbox
    assert "another model (Simulated 6-slot lever lock)" in inbox


def test_replace_asks_for_confirmation_then_the_lock_keeps_everything(
    client_for, alice, lock, reset_lock
):
    client = client_for(alice)
    url = reverse("device_replace", args=[reset_lock.pk])

    confirm = client.get(url, {"lock": lock.pk})

    html = confirm.content.decode()
    assert confirm.status_code == 200
    assert "Replace the device behind “Room 101 door”?" in html
    assert "keeps its name, place, stays, codes, backups and history" in html
    assert "Every code is programmed on the new device" in html
    assert "1 code" in html
    assert "The old device is retired" in html
    lock.refresh_from_db()
    old_device_id = lock.device_id
    assert old_device_id != reset_lock.device_id  # nothing happened on GET

    response = client.post(url, {"lock": lock.pk}, follow=True)

    assert "“Room 101 door” now uses the new device" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("lock_detail", args=[lock.pk])
    lock.refresh_from_db()
    assert lock.device_id == reset_lock.device_id
    reset_lock.refresh_from_db()
    assert reset_lock.status == "registered"
    assert Event.objects.filter(lock=lock, event_type="device.replaced").exists()
    assert "The lock was replaced by a new device" in response.content.decode()


def test_replace_without_a_lock_offers_the_choice(client_for, alice, lock, reset_lock):
    html = client_for(alice).get(reverse("device_replace", args=[reset_lock.pk])).content.decode()
    assert "Which lock does" in html
    assert "Most likely: Room 101 door" in html
    assert f'<option value="{lock.pk}"' in html


def test_replace_refuses_another_companys_lock(client_for, alice, lock, other_lock, reset_lock):
    response = client_for(alice).post(
        reverse("device_replace", args=[reset_lock.pk]), {"lock": other_lock.pk}
    )
    assert response.status_code == 400
    assert "Pick one of your locks." in response.content.decode()
    other_lock.refresh_from_db()
    assert other_lock.device_id != reset_lock.device_id
    assert waiting(reset_lock.name) == reset_lock


def test_a_device_already_answered_is_not_answered_twice(client_for, alice, lock, reset_lock):
    client = client_for(alice)
    url = reverse("device_replace", args=[reset_lock.pk])
    client.post(url, {"lock": lock.pk})
    response = client.post(url, {"lock": lock.pk}, follow=True)
    assert "already a lock here; nothing to decide" in response.content.decode()


def test_a_new_lock_is_named_and_placed(client_for, alice, hotel, room, garden_gate):
    client = client_for(alice)
    url = reverse("device_register", args=[garden_gate.pk])
    html = client.get(url).content.decode()
    assert "is a new lock" in html
    assert 'value="Garden gate"' in html  # the device's name, to keep or change

    response = client.post(
        url,
        {"name": "Garden gate", "property": hotel.pk, "unit": "", "location": "Behind the pool"},
        follow=True,
    )

    lock = Lock.objects.get(device_id=garden_gate.device_id)
    assert (lock.name, lock.property, lock.unit, lock.location) == (
        "Garden gate",
        hotel,
        None,
        "Behind the pool",
    )
    assert response.redirect_chain[-1][0] == reverse("lock_detail", args=[lock.pk])
    assert "“Garden gate” is a door of Seaside Hotel now" in response.content.decode()
    garden_gate.refresh_from_db()
    assert garden_gate.status == "registered"
    html = client.get(reverse("devices")).content.decode()
    registered = html[html.index('id="registered"') :]
    assert reverse("lock_detail", args=[lock.pk]) in registered


def test_a_new_lock_in_a_room_of_another_property_is_refused(
    client_for, alice, owner, room, garden_gate
):
    elsewhere = factories.PropertyFactory(owner=owner, name="Beach House")
    response = client_for(alice).post(
        reverse("device_register", args=[garden_gate.pk]),
        {"name": "Gate", "property": elsewhere.pk, "unit": room.pk},
    )
    assert response.status_code == 400
    assert "Room 101 is in Seaside Hotel" in response.content.decode()
    assert not Lock.objects.filter(device_id=garden_gate.device_id).exists()


def test_ignore_and_undo(client_for, alice, garden_gate):
    client = client_for(alice)
    response = client.post(reverse("device_ignore", args=[garden_gate.pk]), follow=True)

    html = response.content.decode()
    assert "“Garden gate” is ignored" in html
    assert "Ignored devices" in html
    assert "No new devices." in html
    garden_gate.refresh_from_db()
    assert garden_gate.status == "ignored"

    response = client.post(reverse("device_unignore", args=[garden_gate.pk]), follow=True)

    assert "“Garden gate” is back among the new devices" in response.content.decode()
    garden_gate.refresh_from_db()
    assert garden_gate.status == "new"


def test_a_device_without_a_keypad_is_listed_but_cannot_be_a_door(
    client_for, alice, owner, hotel, t0
):
    simulator.simulated_device_create(owner=owner, name="Bike shed", has_keypad=False)
    devices.account_discover(account=simulator.simulated_hub(owner), now=t0)
    shed = waiting("Bike shed")
    client = client_for(alice)

    html = client.get(reverse("devices")).content.decode()
    card = html[html.index(f'id="device-{shed.pk}"') :]
    card = card[: card.index("</li>\n")]
    assert "No keypad" in card
    assert "it cannot be a door here or replace one" in card
    assert card.count("disabled") == 2
    assert reverse("device_register", args=[shed.pk]) not in card

    response = client.post(
        reverse("device_register", args=[shed.pk]), {"name": "Bike shed", "property": hotel.pk}
    )

    assert response.status_code == 400
    assert "“Bike shed” cannot hold access codes (it has no keypad)" in response.content.decode()
    assert not Lock.objects.filter(device_id=shed.device_id).exists()


def test_the_front_desk_cannot_answer_the_inbox(client_for, bob, owner, lock, garden_gate):
    client = client_for(bob)
    hub = simulator.simulated_hub(owner)
    for method, url in (
        ("get", reverse("devices")),
        ("post", reverse("account_discover", args=[hub.pk])),
        ("post", reverse("simulated_device_add")),
        ("get", reverse("device_register", args=[garden_gate.pk])),
        ("post", reverse("device_register", args=[garden_gate.pk])),
        ("get", reverse("device_replace", args=[garden_gate.pk])),
        ("post", reverse("device_replace", args=[garden_gate.pk])),
        ("post", reverse("device_ignore", args=[garden_gate.pk])),
        ("post", reverse("device_unignore", args=[garden_gate.pk])),
    ):
        data = {"name": "X", "property": lock.property_id, "lock": lock.pk, "model": "keypad"}
        response = client.post(url, data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    garden_gate.refresh_from_db()
    assert garden_gate.status == "new"
    assert SimulatedDevice.objects.filter(owner=owner).count() == 2
    nav = client.get(reverse("home")).content.decode()
    assert reverse("devices") not in nav


def test_another_companys_inbox_is_not_shown(client_for, charlie, garden_gate):
    html = client_for(charlie).get(reverse("devices")).content.decode()
    assert "<h3>Garden gate</h3>" not in html
    assert "No new devices." in html
