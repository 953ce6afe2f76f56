"""What a stay's history keeps of its messages, and what it never keeps: a PIN.

Free messages from the front desk go out exactly as typed.
"""

import logging
from datetime import timedelta

from backups.services import backup_pool_enable
from locks.models import AccessCode, Event
from locks.simulator import simulated_set_online
from messaging import backup_sms, owner_settings, sending, tasks
from messaging.models import Message
from tests.backups.lockside import run
from tests.messaging import guest_phone
from tests.messaging.guest_phone import pins_in, shows, tick
from tests.reservations.front_desk import book

phone = guest_phone.phone
MOBILE = "+351912345678"


def test_a_free_message_goes_as_typed_and_is_recorded(owner, room, lock, t0, phone, alice):
    owner_settings.messaging_settings_update(owner=owner, send_arrival_automatically=False)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=5), phone=MOBILE)
    typed = "Hi {guest_name}, your {pin} is {doors}? Breakfast is 7:30–10:00 {{sic}}."

    message = sending.message_queue(
        reservation=stay, kind="free", text=f"  {typed}\n", now=t0, sent_by=alice
    )
    assert tick(t0) == [typed]

    message.refresh_from_db()
    assert (message.text, message.preview, message.sent_by) == (typed, typed, alice)
    assert message.status == "delivered"
    sent = Event.objects.get(reservation=stay, event_type="message.sent")
    assert sent.message == f"Message from the front desk sent to {MOBILE}."


def test_no_pin_in_any_log_event_or_row_across_a_send_with_a_backup(
    owner, hotel, room, lock, t0, phone, caplog
):
    caplog.set_level(logging.DEBUG)
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=MOBILE)
    simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)

    (arrival_text,) = tick(t0)
    _, given = backup_sms.backup_codes_send(reservation=stay, now=t0)
    (backup_text,) = tick(t0)

    pins = {stay.pin, *pins_in(arrival_text), *pins_in(backup_text)}
    backup = AccessCode.objects.get(lock=lock, pulled_at__isnull=False)
    assert backup.code in arrival_text and backup.code in backup_text
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records)
    events = list(Event.objects.filter(reservation=stay).values("message", "data"))
    rows = list(Message.objects.filter(reservation=stay).values())
    for pin in pins:
        assert not shows(logged, pin)
        assert not shows(repr(events), pin)
        assert not shows(repr(rows), pin)

    history = {
        (e.event_type, e.message)
        for e in Event.objects.filter(reservation=stay, event_type="message.sent")
    }
    assert history == {
        (
            "message.sent",
            f"Arrival message with backup codes (the guest's own code was not working) sent to "
            f"{MOBILE}.",
        ),
        ("message.sent", f"Backup code sent to {MOBILE}."),
    }


def test_a_message_whose_task_was_lost_is_sent_by_the_clock_once(owner, room, lock, t0, phone):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=MOBILE)
    message = sending.message_queue(reservation=stay, kind="free", text="Welcome!", now=t0)

    # Its own task never ran (a worker restarted): the tick picks it up a little later.
    tasks.tick(now=t0 + timedelta(minutes=1))
    assert [m for m in phone if m[1] == "Welcome!"] == []
    tasks.tick(now=t0 + timedelta(minutes=2))
    tasks.tick(now=t0 + timedelta(minutes=3))

    assert [m for m in phone if m[1] == "Welcome!"] == [(MOBILE, "Welcome!")]
    message.refresh_from_db()
    assert message.status == "delivered"
