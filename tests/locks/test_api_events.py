"""events/list: since/between, device_id, access_code_id, event_type(s)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from locks import scheduler
from tests.locks.seam_api import call


@pytest.fixture
def since():
    return (timezone.now() - timedelta(minutes=1)).isoformat()


def test_it_lists_what_happened_to_a_code(seam, lock, since):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    scheduler.run_due_locks(now=timezone.now())
    events = seam.events.list(since=since, access_code_id=code.access_code_id)
    assert [e.event_type for e in events] == ["access_code.set_on_device", "access_code.created"]
    assert all(e.device_id == str(lock.public_id) for e in events)


def test_it_filters_by_device_and_event_types(seam, lock, since, owner, hotel, t0):
    from tests import factories

    other = factories.simulated_lock(owner=owner, property=hotel, now=timezone.now(), name="Gate")
    seam.access_codes.create(device_id=str(lock.public_id))
    seam.access_codes.create(device_id=str(other.public_id))
    created = seam.events.list(since=since, event_type="access_code.created")
    assert len(created) == 2
    on_lock = seam.events.list(since=since, device_id=str(lock.public_id))
    assert {e.device_id for e in on_lock} == {str(lock.public_id)}
    added = seam.events.list(since=since, event_types=["device.added", "access_code.created"])
    assert {e.event_type for e in added} == {"device.added", "access_code.created"}


def test_it_leaves_out_events_before_since(seam, lock):
    seam.access_codes.create(device_id=str(lock.public_id))
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert seam.events.list(since=later) == []


def test_it_takes_a_between_window(client, key, seam, lock):
    seam.access_codes.create(device_id=str(lock.public_id))
    start = (timezone.now() - timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    end = (timezone.now() + timedelta(minutes=1)).isoformat().replace("+00:00", "Z")
    status, body = call(
        client,
        "POST",
        "events/list",
        key,
        {"between": [start, end], "event_type": "access_code.created"},
    )
    assert status == 200 and len(body["events"]) == 1


def test_it_records_keypad_entries_as_events(seam, lock, since):
    seam.locks.simulate.keypad_code_entry(device_id=str(lock.public_id), code="9157")
    [event] = seam.events.list(since=since, event_type="lock.access_denied")
    assert event.device_id == str(lock.public_id)


@pytest.mark.parametrize(
    "query", [{}, {"since": "yesterday"}, {"since": "2026-01-01", "limit": "0"}]
)
def test_it_refuses_bad_filters(client, key, query):
    status, body = call(client, "GET", "events/list", key, **query)
    assert (status, body["error"]["type"]) == (400, "invalid_input")


def test_entries_wrong_pins_and_remote_unlocks_read_as_seams_lock_events(client, key, seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    scheduler.run_due_locks(now=timezone.now())
    since = (timezone.now() - timedelta(minutes=1)).isoformat()
    seam.locks.simulate.keypad_code_entry(device_id=str(lock.public_id), code="4826")
    seam.locks.simulate.keypad_code_entry(device_id=str(lock.public_id), code="9157")
    attempt = seam.locks.unlock_door(device_id=str(lock.public_id))
    status, body = call(
        client,
        "POST",
        "events/list",
        key,
        {"since": since, "event_types": ["lock.unlocked", "lock.access_denied"]},
    )
    assert status == 200
    remote, denied, entry = body["events"]  # newest first
    assert (entry["event_type"], entry["method"]) == ("lock.unlocked", "keycode")
    assert (entry["access_code_id"], entry["access_code_is_managed"]) == (
        code.access_code_id,
        True,
    )
    assert (denied["event_type"], denied["access_code_id"]) == ("lock.access_denied", None)
    assert "reason" not in denied  # Seam's `reason` is an object; a keypad tells us none
    assert (remote["event_type"], remote["method"]) == ("lock.unlocked", "remote")
    assert remote["action_attempt_id"] == attempt.action_attempt_id
    assert remote["access_code_id"] is None
    assert all(e["device_id"] == str(lock.public_id) for e in body["events"])
    assert all("4826" not in str(e) for e in body["events"])  # never the PIN
