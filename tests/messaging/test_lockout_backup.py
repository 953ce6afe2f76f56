"""A guest locked out at check-in is texted a backup for that door, once, and gets in with it."""

from datetime import timedelta

import pytest

from backups.services import backup_pool_enable
from locks import simulator
from locks.models import AccessCode
from messaging import owner_settings, sending
from messaging.models import Message
from reservations.models import EntryAlert
from tests.backups.lockside import run
from tests.reservations.front_desk import book

WRONG = "9876"


@pytest.fixture
def stay(owner, room, lock, t0):
    """Ana arrives at Room 101 tomorrow; the door keeps a pool of backups."""
    backup_pool_enable(lock=lock, now=t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), phone="+351912345678")
    run(stay.check_in - timedelta(minutes=20))
    return stay


def locked_out(lock, stay, *, attempts=3, start=None):
    start = start or stay.check_in
    for minute in range(attempts):
        simulator.simulated_keypad_entry(
            lock=lock, code=WRONG, now=start + timedelta(minutes=minute)
        )


def backup_texts(stay):
    return list(Message.objects.filter(reservation=stay, kind=Message.Kind.BACKUP))


def test_the_guest_is_texted_a_backup_for_that_door_and_gets_in_with_it(stay, lock):
    locked_out(lock, stay)

    (message,) = backup_texts(stay)
    (backup,) = AccessCode.objects.filter(pk__in=message.backup_code_ids)
    assert backup.lock == lock and backup.reservation_id == stay.pk
    sending.message_send(message_id=message.pk, now=stay.check_in + timedelta(minutes=3))
    message.refresh_from_db()
    assert message.status == "kept" and backup.code not in message.preview

    _, entry = simulator.simulated_keypad_entry(
        lock=lock, code=backup.code, now=stay.check_in + timedelta(minutes=5)
    )
    assert entry.event_type == "lock.unlocked" and entry.data["is_backup"] is True
    alert = EntryAlert.objects.get(reservation=stay, kind=EntryAlert.Kind.LOCKOUT)
    assert alert.help_given == (
        "A backup code for Room 101 door was kept in the Outbox, not texted: no SMS service is "
        "connected. A manager can connect Twilio in Settings → Messages."
    )
    assert alert.cleared_at == entry.occurred_at


def test_never_twice_for_one_door_and_stay(stay, lock):
    locked_out(lock, stay)
    locked_out(lock, stay, attempts=6, start=stay.check_in + timedelta(minutes=30))

    assert len(backup_texts(stay)) == 1
    assert EntryAlert.objects.filter(reservation=stay).count() == 1


def test_an_owner_who_turned_it_off_gets_the_alert_and_no_text(owner, stay, lock):
    owner_settings.messaging_settings_update(owner=owner, lockout_text_backup=False)

    locked_out(lock, stay)

    assert backup_texts(stay) == []
    alert = EntryAlert.objects.get(reservation=stay)
    assert alert.cleared_at is None and alert.help_given == ""


def test_a_stay_without_a_mobile_number_is_alerted_with_the_reason(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=3))
    run(stay.check_in - timedelta(minutes=20))

    locked_out(lock, stay)

    alert = EntryAlert.objects.get(reservation=stay)
    assert alert.help_given == "No backup was texted: the stay has no mobile number."
    assert backup_texts(stay) == []


def test_new_owners_have_it_on(owner):
    assert owner_settings.messaging_settings(owner).lockout_text_backup is True
