"""locks/unlock_door and locks/lock_door, and what a device says of its bolt and events."""

from datetime import timedelta

import pytest
from django.utils import timezone
from seam.exceptions import SeamActionAttemptFailedError, SeamHttpApiError

from locks.drivers import DRIVERS
from locks.models import Event, SimulatedDevice
from reservations.models import EntryAlert, Reservation
from tests import factories
from tests.locks.seam_api import call, reconcile, seam_client
from tests.reservations.front_desk import book


def bolt(lock) -> bool:
    """The simulated hardware's bolt: locked or not."""
    return SimulatedDevice.objects.get(device_id=lock.device_id).locked


def turn(client, key, path, lock, **fields):
    return call(client, "POST", path, key, {"device_id": str(lock.public_id), **fields})


def test_unlock_and_lock_turn_the_bolt_and_say_who_and_why(client, key, seam, lock):
    status, body = turn(client, key, "locks/unlock_door", lock, reason="Guest's phone is dead")
    assert status == 200
    attempt = body["action_attempt"]
    assert (attempt["action_type"], attempt["status"], attempt["error"]) == (
        "UNLOCK_DOOR",
        "success",
        None,
    )
    assert bolt(lock) is False
    assert seam.locks.get(device_id=str(lock.public_id)).properties.locked is False

    status, body = turn(client, key, "locks/lock_door", lock)
    assert (status, body["action_attempt"]["action_type"]) == (200, "LOCK_DOOR")
    assert bolt(lock) is True
    assert seam.devices.get(device_id=str(lock.public_id)).properties.locked is True

    unlocked = Event.objects.get(event_type="lock.unlocked")
    assert unlocked.data["method"] == "remote"
    assert (unlocked.data["by"], unlocked.data["reason"]) == (
        "Property system",
        "Guest's phone is dead",
    )
    assert unlocked.data["action_attempt_id"] == attempt["action_attempt_id"]
    assert Event.objects.filter(event_type="lock.locked", data__method="remote").exists()


def test_action_attempts_get_reads_a_finished_unlock(key, seam, lock):
    attempt = seam.locks.unlock_door(device_id=str(lock.public_id))
    with seam_client(key) as waiting:  # the SDK's default: poll until the attempt is done
        done = waiting.action_attempts.get(action_attempt_id=attempt.action_attempt_id)
    assert (done.action_type, done.status) == ("UNLOCK_DOOR", "success")
    assert done.result.was_confirmed_by_device is True


def test_an_offline_lock_refuses_with_the_reason_and_stays_shut(client, key, seam, lock):
    seam.devices.simulate.disconnect(device_id=str(lock.public_id))
    reconcile()
    status, body = turn(client, key, "locks/unlock_door", lock)
    assert (status, body["ok"], body["error"]["type"]) == (400, False, "device_disconnected")
    assert "offline" in body["error"]["message"]
    assert bolt(lock) is True
    assert not Event.objects.filter(event_type="lock.unlocked").exists()
    with pytest.raises(SeamHttpApiError) as refused:
        seam.locks.lock_door(device_id=str(lock.public_id))
    assert refused.value.code == "device_disconnected"


def test_a_lock_that_cannot_turn_remotely_says_so_and_refuses(client, key, seam, lock):
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(remote_unlock=False)
    reconcile()
    device = seam.devices.get(device_id=str(lock.public_id))
    assert (device.can_remotely_unlock, device.can_remotely_lock) == (False, False)
    status, body = turn(client, key, "locks/unlock_door", lock)
    assert (status, body["error"]["type"]) == (400, "device_cannot_perform_requested_action")
    assert bolt(lock) is True


def test_a_lock_that_fails_to_unlock_answers_an_attempt_in_error(client, key, lock):
    # The lock said it could, then refuses (before its next reading says otherwise).
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(remote_unlock=False)
    status, body = turn(client, key, "locks/unlock_door", lock)
    attempt = body["action_attempt"]
    assert (status, attempt["status"], attempt["result"]) == (200, "error", None)
    assert attempt["error"]["message"] and attempt["error"]["type"]
    with seam_client(key) as seam, pytest.raises(SeamActionAttemptFailedError):
        seam.locks.unlock_door(device_id=str(lock.public_id))
    assert bolt(lock) is True
    assert not Event.objects.filter(event_type="lock.unlocked").exists()


def test_another_owners_door_or_no_door_is_not_found(client, key, other_lock):
    for path in ("locks/unlock_door", "locks/lock_door"):
        status, body = turn(client, key, path, other_lock)
        assert (status, body["error"]["type"]) == (404, "device_not_found")
    assert bolt(other_lock) is True
    status, body = call(client, "POST", "locks/unlock_door", key, {})
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "device_id" in body["error"]["validation_errors"]


def test_a_device_reports_its_remote_turns_and_its_entry_events(seam, lock, monkeypatch):
    device = seam.devices.get(device_id=str(lock.public_id))
    assert (device.can_remotely_unlock, device.can_remotely_lock) == (True, True)
    assert device.properties.has_native_entry_events is True
    # Whatever the driver is called, it is whether it reads its locks' events that counts.
    monkeypatch.setitem(DRIVERS, "hub", "locks.drivers.simulated.SimulatedDriver")
    monkeypatch.setitem(DRIVERS, "plain", "locks.drivers.base.LockDriver")
    for driver, reads_events in (("hub", True), ("plain", False)):
        lock.driver = driver
        lock.save(update_fields=["driver"])
        [listed] = seam.locks.list()
        assert listed.properties.has_native_entry_events is reads_events


def test_an_unlock_for_a_stay_is_its_entry_and_clears_its_lockout(
    client, key, seam, owner, room, lock, other_owner, t0
):
    now = timezone.now()
    stay = book(owner, room, now, check_in=now, guest_name="Anna Smith")
    lockout = EntryAlert.objects.create(
        owner=owner,
        reservation=stay,
        lock=lock,
        kind="lockout",
        raised_at=now,
        last_attempt_at=now,
        watch_ends_at=now + timedelta(hours=12),
    )

    status, _ = turn(client, key, "locks/unlock_door", lock, reservation_id=str(stay.pk))

    assert status == 200
    entry = Event.objects.get(event_type="lock.unlocked")
    assert entry.reservation_id == stay.pk and entry.data["method"] == "remote"
    assert Reservation.objects.get(pk=stay.pk).arrived_at == entry.occurred_at
    lockout.refresh_from_db()
    assert lockout.cleared_at is not None


def test_an_unlock_for_a_stay_elsewhere_or_another_owner_s_is_refused(
    client, key, owner, hotel, lock, other_owner, t0
):
    now = timezone.now()
    elsewhere = book(owner, factories.UnitFactory(property=hotel, name="Room 9"), now, check_in=now)
    theirs_unit = factories.UnitFactory(
        property=factories.PropertyFactory(owner=other_owner), name="Loft"
    )
    theirs = book(other_owner, theirs_unit, now, check_in=now)

    status, body = turn(client, key, "locks/unlock_door", lock, reservation_id=str(elsewhere.pk))
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "not one of its doors" in body["error"]["message"]
    status, body = turn(client, key, "locks/unlock_door", lock, reservation_id=str(theirs.pk))
    assert (status, body["error"]["type"]) == (404, "reservation_not_found")
    assert bolt(lock) is True
