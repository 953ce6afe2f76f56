"""devices/list, devices/get, locks/list, locks/get and action_attempts/get."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from locks import scheduler
from locks.models import ActionAttempt
from tests import factories
from tests.locks.seam_api import call, seam_client


def test_it_describes_a_lock_as_a_seam_device(seam, lock):
    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.device_id == str(lock.public_id)
    assert device.display_name == "Room 101 door"
    assert device.device_type == "simulated_lock"
    assert device.capabilities_supported == ["access_code", "lock"]
    assert device.location.location_name.startswith("Seaside Hotel")
    assert device.location.time_zone == "Europe/Lisbon"
    props = device.properties
    assert props.online is True
    assert props.battery_level == pytest.approx(0.9)
    assert props.supported_code_lengths == [4, 5, 6, 7, 8]
    assert [c.constraint_type for c in props.code_constraints] == ["no_all_same_digits"]
    assert props.max_active_codes_supported == 20
    assert device.errors == [] and device.warnings == []


def test_it_lists_the_owners_devices_and_locks(seam, lock, owner, hotel, t0):
    other = factories.simulated_lock(owner=owner, property=hotel, now=t0, name="Street door")
    ids = {str(lock.public_id), str(other.public_id)}
    assert {d.device_id for d in seam.devices.list()} == ids
    assert {d.device_id for d in seam.locks.list()} == ids
    assert [d.device_id for d in seam.devices.list(device_ids=[str(other.public_id)])] == [
        str(other.public_id)
    ]
    assert seam.devices.list(device_type="august_lock") == []
    assert seam.locks.get(device_id=str(other.public_id)).display_name == "Street door"


def test_it_pages_devices(seam, lock, owner, hotel, t0):
    for n in range(3):
        factories.simulated_lock(owner=owner, property=hotel, now=t0, name=f"Door {n}")
    first = seam.devices.list(limit=2)
    assert len(first) == 2 and first.pagination["has_next_page"]
    assert len(seam.create_paginator(seam.devices.list, {"limit": 2}).flatten_to_list()) == 4


def test_it_answers_locks_under_both_seam_names(client, key, lock):
    _, listed = call(client, "GET", "locks/list", key)
    assert listed["locks"] == listed["devices"] and len(listed["locks"]) == 1
    _, got = call(client, "POST", "locks/get", key, {"device_id": str(lock.public_id)})
    assert got["lock"]["device_id"] == got["device"]["device_id"] == str(lock.public_id)


def test_it_shows_an_offline_lock_with_its_error(seam, lock):
    seam.devices.simulate.disconnect(device_id=str(lock.public_id))
    scheduler.run_due_locks(now=timezone.now())
    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.properties.online is False
    assert [e.error_code for e in device.errors] == ["device_disconnected"]


def test_it_answers_unknown_devices_with_device_not_found(client, key):
    for path in ("devices/get", "locks/get"):
        status, body = call(client, "GET", path, key, device_id="nope")
        assert (status, body["error"]["type"]) == (404, "device_not_found")
    status, body = call(client, "GET", "devices/get", key)
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    status, body = call(client, "GET", "devices/list", key, device_ids="nope")
    assert (status, body["error"]["type"]) == (400, "invalid_input")


def test_it_gets_an_action_attempt_and_waits_for_it(key, lock):
    with seam_client(key, wait_for_action_attempt=False) as seam:
        seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    attempt = ActionAttempt.objects.get()
    scheduler.run_due_locks(now=timezone.now())
    with seam_client(key) as seam:  # the SDK's default: poll until the attempt is done
        done = seam.action_attempts.get(action_attempt_id=str(attempt.pk))
    assert (done.action_type, done.status) == ("CREATE_ACCESS_CODE", "success")


def test_it_answers_an_unknown_action_attempt_with_404(client, key):
    status, body = call(client, "GET", "action_attempts/get", key, action_attempt_id="nope")
    assert (status, body["error"]["type"]) == (404, "action_attempt_not_found")


def test_listing_devices_costs_two_queries_however_many_there_are(seam, owner, hotel, lock, t0):
    for n in range(10):
        factories.simulated_lock(owner=owner, property=hotel, name=f"Door {n}", now=t0)
    seam.devices.list()  # the key's first use of the day is recorded once
    with CaptureQueriesContext(connection) as captured:  # the key, the locks with their places
        assert len(seam.devices.list()) == 11
    assert len(captured.captured_queries) == 2, captured.captured_queries
