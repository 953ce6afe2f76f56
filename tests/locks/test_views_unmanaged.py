"""The lock page over a device's life: codes found on the lock (take over, remove), codes stored
on the lock with their own schedule, and factory resets (new id, or keeping it)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from locks import access_codes, scheduler, simulator
from locks.models import AccessCode, Event, SimulatedDevice
from tests import factories


def device_of(lock) -> SimulatedDevice:
    return SimulatedDevice.objects.get(device_id=lock.device_id)


@pytest.fixture
def gardener(lock, t0):
    """A PIN someone added at the keypad, found by the next read."""
    simulator.simulated_add_unmanaged_code(lock=lock, code="5927", name="Gardener", now=t0)
    scheduler.run_due_locks(now=t0)
    return AccessCode.objects.get(lock=lock, is_managed=False, removed_at__isnull=True)


def test_a_manager_sees_take_over_and_remove_without_the_pin(client_for, alice, lock, gardener):
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    unmanaged = html[html.index("Found on the lock, managed by nobody here") :]
    assert "Take over" in unmanaged
    assert "Remove from the lock" in unmanaged
    assert reverse("unmanaged_take_over", args=[lock.pk, gardener.pk]) in unmanaged
    assert "5927" not in html


def test_the_front_desk_sees_the_code_but_no_actions(client_for, bob, lock, gardener):
    client = client_for(bob)
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Gardener" in html
    assert "Take over" not in html and "Remove from the lock" not in html
    assert "a manager can take them over or remove them" in html
    for name in ("unmanaged_take_over", "unmanaged_remove"):
        response = client.post(reverse(name, args=[lock.pk, gardener.pk]), {"name": "Mine"})
        assert response.status_code == 403
    gardener.refresh_from_db()
    assert not gardener.is_managed and gardener.deleted_at is None


def test_taking_over_a_code_makes_it_managed_under_its_new_name(
    client_for, alice, lock, gardener, t0
):
    client = client_for(alice)
    response = client.post(
        reverse("unmanaged_take_over", args=[lock.pk, gardener.pk]),
        {"name": "Gardener (Tuesdays)"},
        follow=True,
    )

    html = response.content.decode()
    assert "“Gardener (Tuesdays)” is managed here now" in html
    gardener.refresh_from_db()
    assert gardener.is_managed and gardener.name == "Gardener (Tuesdays)"
    assert "Found on the lock, managed by nobody here" not in html
    codes = html[html.index('id="codes"') :]
    assert f'id="code-{gardener.pk}"' in codes
    scheduler.run_due_locks()  # the views act at the real now
    assert device_of(lock).codes.get().code == "5927"  # still on the lock
    events = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "“Gardener (Tuesdays)”, found on the lock, is managed here now" in events


def test_removing_a_found_code_takes_it_off_the_lock(client_for, alice, lock, gardener, t0):
    response = client_for(alice).post(
        reverse("unmanaged_remove", args=[lock.pk, gardener.pk]), follow=True
    )

    assert "“Gardener” is being taken off the lock" in response.content.decode()
    scheduler.run_due_locks()  # the views act at the real now
    assert not device_of(lock).codes.exists()
    gardener.refresh_from_db()
    assert gardener.removed_at is not None


def test_a_managed_code_is_not_taken_over(client_for, alice, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    for name in ("unmanaged_take_over", "unmanaged_remove"):
        response = client_for(alice).post(reverse(name, args=[lock.pk, code.pk]))
        assert response.status_code == 404
    code.refresh_from_db()
    assert code.deleted_at is None


def test_a_code_stored_on_a_lock_that_holds_schedules_says_so(client_for, bob, owner, hotel):
    now = timezone.now()
    lock = factories.simulated_lock(
        owner=owner, property=hotel, name="Street door", model="scheduling", now=now
    )
    code, _ = access_codes.access_code_create(
        lock=lock,
        now=now,
        name="Anna Smith",
        starts_at=now + timedelta(hours=20),
        ends_at=now + timedelta(days=2),
    )
    scheduler.run_due_locks(now=now)
    code.refresh_from_db()
    assert code.is_scheduled_on_device

    html = client_for(bob).get(reverse("lock_detail", args=[lock.pk])).content.decode()

    row = html[html.index(f'id="code-{code.pk}"') :]
    row = row[: row.index("</li>")]
    assert "Stored on the lock" in row
    assert "even if the lock loses its network" in row
    assert "Stored on the lock, works from" in row
    assert "Code slots <strong>1 of " in html  # it takes its slot while it waits to start
    home = client_for(bob).get(reverse("home")).content.decode()
    assert f"1 of {lock.max_active_codes} slots used" in home  # counted as holding its slot


def test_a_code_on_an_ordinary_lock_is_not_stored_with_a_schedule(client_for, bob, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Cleaner", code="5937")
    scheduler.run_due_locks(now=t0)
    html = client_for(bob).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Stored on the lock" not in html


def test_a_reset_lock_points_managers_to_the_inbox(client_for, alice, bob, lock, t0):
    client = client_for(alice)
    response = client.post(reverse("simulate_factory_reset", args=[lock.pk]), follow=True)
    assert "Devices → New devices" in response.content.decode()
    scheduler.run_due_locks(now=t0 + timedelta(minutes=6))

    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()

    assert "Offline" in html
    assert "If this lock was reset, it may be waiting in" in html
    assert f'href="{reverse("devices")}#new-devices"' in html
    front_desk = client_for(bob).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "ask a manager to link it to this door" in front_desk
    assert f'href="{reverse("devices")}' not in front_desk


def test_an_online_lock_has_no_reset_hint(client_for, alice, lock):
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "If this lock was reset" not in html


def test_a_reset_that_keeps_the_id_wipes_the_codes_and_they_come_back(client_for, alice, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Cleaner", code="5937")
    access_codes.access_code_create(lock=lock, now=t0, name="Plumber", code="6148")
    scheduler.run_due_locks(now=t0)
    client = client_for(alice)
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Factory reset (keeps its id)" in html

    response = client.post(
        reverse("simulate_factory_reset", args=[lock.pk]), {"keep_device_id": "1"}, follow=True
    )

    assert "kept its id: every code on it is wiped" in response.content.decode()
    device = device_of(lock)
    assert not device.wiped and not device.codes.exists()
    scheduler.run_due_locks()  # the views act at the real now
    assert sorted(device.codes.values_list("code", flat=True)) == ["5937", "6148"]
    assert Event.objects.filter(lock=lock, event_type="device.codes_wiped").exists()
    html = client.get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert "Every code was gone from the lock at once (a reset?)" in html
