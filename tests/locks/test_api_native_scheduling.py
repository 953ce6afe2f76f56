"""Codes on a lock that holds its own schedule, through the API: Seam's statuses, and
`prefer_native_scheduling`."""

from datetime import timedelta

import pytest
from django.utils import timezone

from locks import scheduler
from locks.access_codes import access_code_create
from locks.models import SimulatedDevice
from tests import factories
from tests.locks.seam_api import call, reconcile


@pytest.fixture
def gate(owner, hotel):
    """A simulated lock that stores codes with their window, read once now."""
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Villa gate", now=timezone.now(), model="scheduling"
    )


def on_device(lock):
    return list(SimulatedDevice.objects.get(device_id=lock.device_id).codes.all())


def create(client, key, lock, starts, **fields):
    status, body = call(
        client,
        "POST",
        "access_codes/create",
        key,
        {
            "device_id": str(lock.public_id),
            "name": "Anna Smith",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(days=2)).isoformat(),
            **fields,
        },
    )
    assert status == 200, body
    return body


def get(client, key, access_code_id):
    _, body = call(client, "GET", "access_codes/get", key, access_code_id=access_code_id)
    return body["access_code"]


def test_a_code_stored_on_the_lock_reads_unset_and_scheduled_until_it_starts(client, key, gate):
    created = create(client, key, gate, timezone.now() + timedelta(days=2))
    reconcile()

    code = get(client, key, created["access_code"]["access_code_id"])
    assert (code["status"], code["is_scheduled_on_device"]) == ("unset", True)
    (stored,) = on_device(gate)
    assert stored.starts_at is not None  # with its own window
    _, attempt = call(
        client,
        "GET",
        "action_attempts/get",
        key,
        action_attempt_id=created["action_attempt"]["action_attempt_id"],
    )
    assert attempt["action_attempt"]["status"] == "success"  # the lock has it


def test_prefer_native_scheduling_false_programs_the_code_just_in_time(client, key, gate):
    created = create(
        client, key, gate, timezone.now() + timedelta(days=2), prefer_native_scheduling=False
    )
    reconcile()

    code = get(client, key, created["access_code"]["access_code_id"])
    assert (code["status"], code["is_scheduled_on_device"]) == ("unset", False)
    assert on_device(gate) == []  # not days ahead, though the lock could hold its schedule

    status, _ = call(
        client,
        "POST",
        "access_codes/update",
        key,
        {"access_code_id": code["access_code_id"], "prefer_native_scheduling": True},
    )
    assert status == 200
    reconcile()
    code = get(client, key, code["access_code_id"])
    assert (code["status"], code["is_scheduled_on_device"]) == ("unset", True)


def test_a_just_in_time_code_goes_on_without_a_window_shortly_before_it_starts(owner, hotel, t0):
    gate = factories.simulated_lock(
        owner=owner, property=hotel, name="Villa gate", now=t0, model="scheduling"
    )
    starts = t0 + timedelta(days=2)
    code, _ = access_code_create(
        lock=gate,
        now=t0,
        starts_at=starts,
        ends_at=starts + timedelta(days=1),
        prefer_native_scheduling=False,
    )
    scheduler.run_due_locks(now=starts - timedelta(hours=72))
    assert on_device(gate) == []
    scheduler.run_due_locks(now=starts - timedelta(minutes=30))
    (stored,) = on_device(gate)
    assert (stored.code, stored.starts_at) == (code.code, None)
    code.refresh_from_db()
    assert (code.status, code.is_scheduled_on_device) == ("set", False)
