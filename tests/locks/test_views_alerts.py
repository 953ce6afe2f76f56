"""The Alerts page: every open problem, the arrival it threatens first, for everyone in the
company; the nav's badge counts the urgent ones."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from locks import device_views, devices, scheduler, simulator
from locks.models import SimulatedDevice
from reservations.stays import reservation_create
from tests import factories


def take_offline(lock) -> None:
    simulator.simulated_set_online(lock=lock, online=False, now=timezone.now())


@pytest.fixture
def troubles(owner, hotel, room, lock):
    """Room 101's door offline with Anna arriving in 5 hours; Room 102's door offline with
    nobody coming; the street door online with a low battery."""
    now = timezone.now()
    stay = reservation_create(
        owner=owner,
        unit=room,
        guest_name="Anna Smith",
        check_in=now + timedelta(hours=5),
        check_out=now + timedelta(days=2),
        now=now,
    )
    quiet_room = factories.UnitFactory(property=hotel, name="Room 102")
    quiet = factories.simulated_lock(
        owner=owner, property=hotel, unit=quiet_room, name="Room 102 door", now=now
    )
    street = factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=now)
    SimulatedDevice.objects.filter(device_id=street.device_id).update(battery_level=0.08)
    # Room 102's door went quiet first: age alone must not put it above an arrival.
    take_offline(quiet)
    scheduler.run_due_locks()
    take_offline(lock)
    scheduler.lock_check_now(lock=street, now=timezone.now())
    scheduler.run_due_locks()
    return stay


def test_an_offline_lock_with_an_arrival_comes_first(client_for, alice, lock, troubles):
    html = client_for(alice).get(reverse("alerts")).content.decode()

    alerts = html[html.index('id="alerts"') :]
    first = alerts.index("Room 101 door is offline: Anna Smith arrives")
    assert first < alerts.index("Room 102 door is offline")
    assert first < alerts.index("battery is low (8%)")
    assert "Urgent" in alerts[:first] and "Soon" not in alerts[:first]
    assert "What to do:" in alerts
    assert reverse("lock_detail", args=[lock.pk]) in alerts
    assert reverse("reservation_detail", args=[troubles.pk]) in alerts


def test_the_front_desk_sees_alerts_and_the_badge(client_for, bob, troubles):
    client = client_for(bob)
    response = client.get(reverse("alerts"))
    assert response.status_code == 200
    assert "Anna Smith arrives" in response.content.decode()
    nav = client.get(reverse("home")).content.decode()
    badge = nav[nav.index(f'href="{reverse("alerts")}"') :]
    assert '<span class="nav-badge" aria-label="1 urgent">1</span>' in badge[:200]


def test_the_page_refreshes_its_list_alone(client_for, alice, troubles):
    response = client_for(alice).get(
        reverse("alerts"), headers={"HX-Request": "true", "HX-Target": "alerts"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="alerts"')
    assert "Room 101 door is offline" in html


def test_nothing_to_do_says_so_and_shows_no_badge(client_for, alice, lock):
    client = client_for(alice)
    html = client.get(reverse("alerts")).content.decode()
    assert "Nothing needs attention" in html
    assert "nav-badge" not in html


def test_another_companys_alerts_are_not_shown(client_for, charlie, troubles):
    html = client_for(charlie).get(reverse("alerts")).content.decode()
    assert "Room 101 door" not in html
    assert "Anna Smith" not in html
    assert "nav-badge" not in html


def test_a_device_waiting_in_the_inbox_links_managers_to_it(client_for, alice, bob, owner):
    simulator.simulated_device_create(owner=owner, name="Garden gate")
    devices.account_discover(account=simulator.simulated_hub(owner), now=timezone.now())
    html = client_for(alice).get(reverse("alerts")).content.decode()
    assert "A new device appeared" in html
    assert f'href="{reverse("devices")}#device-' in html
    html = client_for(bob).get(reverse("alerts")).content.decode()
    assert "A manager answers it in Devices → New devices." in html


def test_a_long_list_comes_a_page_at_a_time_most_urgent_first(
    client_for, alice, troubles, monkeypatch
):
    monkeypatch.setattr(device_views, "ALERTS_PER_PAGE", 2)
    client = client_for(alice)
    first = client.get(reverse("alerts")).content.decode()
    assert "3 open problems, the most urgent first." in first
    # The street door's low battery threatens Anna's arrival too; Room 102's door, nobody's.
    assert "Room 101 door is offline: Anna Smith arrives" in first
    assert "battery is low (8%)" in first
    assert "Room 102 door is offline" not in first
    second = client.get(reverse("alerts"), {"page": 2}).content.decode()
    assert "Room 102 door is offline" in second
    assert f'hx-get="{reverse("alerts")}?page=2"' in second
