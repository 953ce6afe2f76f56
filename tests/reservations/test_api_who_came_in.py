"""Issue 13's "done when", through Seam's own SDK: who came in, lockouts caught at the door, a
backup texted and used, remote unlock; what a property system reads of it.

A guest arrives now (the API answers at the wall clock's time): their stay began half an hour
ago, its PIN is on Room 101's simulated keypad, and the door keeps a pool of backup codes.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from seam.exceptions import SeamHttpApiError

from backups.services import backup_pool_enable
from locks.models import AccessCode
from messaging import sending
from messaging.models import Message
from reservations.models import EntryAlert
from tests.locks.seam_api import api_key_for, reconcile, seam_client
from tests.reservations.reservations_api import iso

WRONG_PINS = ("9157", "8264", "7351")


@pytest.fixture
def stay(seam, lock, room, hotel):
    """Anna Smith, checking in now, with a mobile number; her PIN set on Room 101's door."""
    hotel.country = "PT"
    hotel.save()
    backup_pool_enable(lock=lock, now=timezone.now())
    now = timezone.now()
    answer = seam.client.post(
        "/reservations/create",
        json={
            "unit_id": room.pk,
            "guest_name": "Anna Smith",
            "phone": "+351912345678",
            "check_in": iso(now - timedelta(minutes=30)),
            "check_out": iso(now + timedelta(days=2)),
        },
    )["reservation"]
    reconcile()
    return answer


def reservation(seam, stay) -> dict:
    return seam.client.get("/reservations/get", params={"reservation_id": stay["reservation_id"]})[
        "reservation"
    ]


def type_at(seam, lock, pin: str):
    return seam.locks.simulate.keypad_code_entry(device_id=str(lock.public_id), code=pin)


def since() -> str:
    return iso(timezone.now() - timedelta(minutes=1))


def test_an_entry_with_the_stays_pin_is_an_unlock_with_its_code_and_the_arrival(seam, lock, stay):
    [door] = reservation(seam, stay)["guest_code"]["doors"]
    assert door["status"] == "set"
    assert reservation(seam, stay)["arrived_at"] is None

    type_at(seam, lock, stay["guest_code"]["code"])

    [entry] = seam.events.list(since=since(), event_type="lock.unlocked")
    assert (entry.device_id, entry.access_code_id) == (str(lock.public_id), door["access_code_id"])
    assert (entry.method, entry.access_code_is_managed) == ("keycode", True)
    arrived = reservation(seam, stay)
    assert arrived["arrived_at"] == entry.occurred_at
    assert arrived["entries"] == [
        {
            "event_id": entry.event_id,
            "device_id": str(lock.public_id),
            "occurred_at": entry.occurred_at,
            "access_code_id": door["access_code_id"],
            "is_backup": False,
            "method": "keycode",
        }
    ]


def test_three_wrong_pins_at_check_in_text_one_backup_that_lets_the_guest_in(seam, lock, stay):
    for pin in WRONG_PINS[:2]:
        type_at(seam, lock, pin)
    assert not EntryAlert.objects.exists()
    type_at(seam, lock, WRONG_PINS[2])

    denied = seam.events.list(since=since(), event_type="lock.access_denied")
    assert [(e.device_id, e.access_code_id) for e in denied] == [(str(lock.public_id), None)] * 3
    [alert] = EntryAlert.objects.all()
    assert (alert.kind, str(alert.reservation_id), alert.lock_id, alert.attempts) == (
        "lockout",
        stay["reservation_id"],
        lock.pk,
        3,
    )
    assert alert.cleared_at is None

    # One backup text for the stay, sent through the console transport.
    [text] = Message.objects.filter(reservation_id=stay["reservation_id"], kind=Message.Kind.BACKUP)
    sent = sending.message_send(message_id=text.pk, now=timezone.now())
    assert (sent.transport, sent.status) == ("console", Message.Status.KEPT)
    [backup] = AccessCode.objects.filter(pk__in=sent.backup_code_ids)
    assert backup.kind == AccessCode.Kind.BACKUP and backup.lock_id == lock.pk

    # A fourth wrong PIN does not text again.
    type_at(seam, lock, WRONG_PINS[0])
    assert Message.objects.filter(kind=Message.Kind.BACKUP).count() == 1

    assert seam.devices.get(device_id=str(lock.public_id)).properties.locked is True
    type_at(seam, lock, backup.code)

    assert seam.devices.get(device_id=str(lock.public_id)).properties.locked is False
    [entry] = seam.events.list(since=since(), event_type="lock.unlocked")
    assert (entry.access_code_id, entry.method) == (str(backup.pk), "keycode")
    got_in = reservation(seam, stay)
    assert got_in["arrived_at"] == entry.occurred_at
    assert [(e["access_code_id"], e["is_backup"]) for e in got_in["entries"]] == [
        (str(backup.pk), True)
    ]
    alert.refresh_from_db()
    assert alert.cleared_at is not None


def test_unlock_door_opens_the_simulated_door_and_is_recorded(key, lock):
    with seam_client(key) as seam:  # the SDK's default: it waits for the action attempt
        assert seam.devices.get(device_id=str(lock.public_id)).properties.locked is True
        attempt = seam.locks.unlock_door(device_id=str(lock.public_id))
        assert (attempt.action_type, attempt.status) == ("UNLOCK_DOOR", "success")
        assert attempt.result.was_confirmed_by_device is True
        device = seam.devices.get(device_id=str(lock.public_id))
        assert device.properties.locked is False
        [event] = seam.events.list(since=since(), event_type="lock.unlocked")
    assert (event.device_id, event.method) == (str(lock.public_id), "remote")
    assert event.action_attempt_id == attempt.action_attempt_id
    assert event.access_code_id is None


def test_another_owner_cannot_unlock_your_door(other_owner, lock):
    with seam_client(api_key_for(other_owner)) as outsider:
        with pytest.raises(SeamHttpApiError) as refused:
            outsider.locks.unlock_door(device_id=str(lock.public_id))
        assert (refused.value.status_code, refused.value.code) == (404, "device_not_found")
    lock.refresh_from_db()
    assert lock.locked is True
    assert not lock.events.filter(event_type="lock.unlocked").exists()
