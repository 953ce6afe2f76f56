"""The guide's getGuestMessage: the guest's own PIN when their code is healthy, a backup for a
door where it is not, and never a PIN known not to work.

Every PIN is checked where a guest would check it: typed on the simulated keypad at check-in.
"""

from datetime import timedelta

from backups.services import backup_pool_enable
from locks.models import AccessCode, Event
from locks.simulator import simulated_refuse_writes, simulated_set_online
from messaging import sending
from messaging.models import Message
from tests import factories
from tests.backups.lockside import opens, ready, run, run_through
from tests.messaging import guest_phone
from tests.messaging.guest_phone import pins_in, tick
from tests.reservations.front_desk import book

phone = guest_phone.phone
MOBILE = "+351912345678"
HOUR = timedelta(hours=1)


def arrival(stay) -> Message:
    return Message.objects.get(reservation=stay, kind="arrival")


def go_offline(lock, at):
    simulated_set_online(lock=lock, online=False, now=at)
    run(at)
    lock.refresh_from_db()
    assert not lock.online


def test_a_healthy_code_sends_the_guest_s_own_pin_and_it_opens_the_door(
    owner, room, lock, t0, phone
):
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=2), phone=MOBILE)

    # A day ahead the code is only scheduled (it goes on 30 minutes before check-in) on a lock
    # that is online: that is healthy, and the guest gets their own PIN now.
    (text,) = tick(stay.check_in - 24 * HOUR)
    code = AccessCode.objects.get(reservation=stay, lock=lock)
    assert code.status == AccessCode.Status.UNSET

    assert pins_in(text) == [stay.pin, stay.pin]
    run_through(stay.check_in - HOUR, stay.check_in, step=timedelta(minutes=15))
    assert opens(lock, stay.pin, stay.check_in)
    # Lesson 11: no backup when the guest's own code is fine.
    assert arrival(stay).backup_code_ids == []
    assert len(ready(lock)) == 5
    assert not AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).exists()


def test_an_offline_door_waits_far_from_check_in_then_gets_a_backup_that_opens_it(
    owner, hotel, room, lock, t0, phone
):
    street = factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=t0)
    backup_pool_enable(lock=lock, now=t0)
    backup_pool_enable(lock=street, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=2), phone=MOBILE)
    go_offline(lock, t0 + HOUR)

    assert tick(stay.check_in - 24 * HOUR) == []
    message = arrival(stay)
    assert message.status == "queued"
    assert message.error_message == (
        "Waiting: the guest's code is not working yet (Room 101 door is offline). It goes out as "
        "soon as it does, or with a backup code at Wed 3 Jun 10:00."
    )
    assert tick(stay.check_in - 3 * HOUR - timedelta(minutes=1)) == []

    (text,) = tick(stay.check_in - 3 * HOUR)

    message.refresh_from_db()
    (backup,) = AccessCode.objects.filter(pk__in=message.backup_code_ids)
    assert backup.lock == lock
    assert f"Room 101 door {backup.code}" in text
    assert f"Street entrance {stay.pin}" in text  # the healthy door keeps the guest's own PIN
    assert message.status == "delivered" and message.error_message == ""
    run_through(stay.check_in - HOUR, stay.check_in, step=timedelta(minutes=15))
    assert not opens(lock, stay.pin, stay.check_in), "the guest's own code never reached it"
    assert opens(lock, backup.code, stay.check_in)
    assert opens(street, stay.pin, stay.check_in)
    # The street entrance's code is only scheduled, on a lock that is online: no backup there.
    assert len(ready(street)) == 5


def test_a_code_with_an_error_gets_a_backup_within_three_hours_of_check_in(
    owner, hotel, room, t0, phone
):
    # A lock that holds schedules itself gets the code days ahead; this one refuses the write.
    door = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101 door", model="scheduling", now=t0
    )
    backup_pool_enable(lock=door, now=t0)
    run(t0)
    simulated_refuse_writes(lock=door, until=t0 + timedelta(days=5), now=t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=2), phone=MOBILE)
    run_through(t0, t0 + 2 * HOUR, step=timedelta(minutes=15))
    assert AccessCode.objects.get(reservation=stay).errors

    assert tick(stay.check_in - 24 * HOUR) == []
    assert "Room 101 door: " in arrival(stay).error_message
    (text,) = tick(stay.check_in - 3 * HOUR)

    (pin,) = pins_in(text.split("(")[0])
    assert pin != stay.pin
    assert opens(door, pin, stay.check_in)
    assert not opens(door, stay.pin, stay.check_in)


def test_an_offline_door_without_a_backup_keeps_a_code_that_is_on_its_keypad(
    owner, hotel, room, t0, phone
):
    door = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101 door", model="scheduling", now=t0
    )
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=2), phone=MOBILE)
    run(t0)
    assert AccessCode.objects.get(reservation=stay).is_on_lock  # stored with its schedule
    go_offline(door, t0 + HOUR)

    assert tick(stay.check_in - 24 * HOUR) == []
    (text,) = tick(stay.check_in - 3 * HOUR)

    assert pins_in(text) == [stay.pin, stay.pin]
    assert opens(door, stay.pin, stay.check_in)


def test_a_door_with_no_working_code_and_no_backup_is_never_given_a_pin(
    owner, room, lock, t0, phone
):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=2), phone=MOBILE)
    go_offline(lock, t0 + HOUR)

    assert tick(stay.check_in - 3 * HOUR) == []
    assert "no backup code is ready there" in arrival(stay).error_message
    assert tick(stay.check_in - HOUR) == []
    assert arrival(stay).status == "queued"

    assert tick(stay.check_in) == []

    message = arrival(stay)
    assert message.status == "failed"
    assert message.error_message.startswith("Not sent: no working code for Room 101 door")
    assert message.error_message.endswith("Call the guest.")
    failed = Event.objects.get(reservation=stay, event_type="message.failed")
    assert failed.message == message.error_message
    assert phone == []


def test_sending_the_arrival_message_again_gives_the_same_backups(owner, room, lock, t0, phone):
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=MOBILE)
    go_offline(lock, t0 + timedelta(minutes=5))
    at = t0 + timedelta(minutes=10)
    (first,) = tick(at)

    sending.message_queue(reservation=stay, kind="arrival", now=at)
    (again,) = tick(at)

    assert pins_in(first) == pins_in(again)
    assert AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).count() == 1


def test_a_guest_who_asks_for_their_code_gets_a_backup_at_once_for_a_door_that_is_down(
    owner, room, lock, t0, phone
):
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), phone=MOBILE)
    go_offline(lock, t0 + HOUR)

    # Far from check-in an arrival message would wait; a guest's CODE reply does not.
    sending.message_queue(reservation=stay, kind="reply", now=t0 + HOUR)
    (text,) = tick(t0 + HOUR)

    (backup,) = AccessCode.objects.filter(lock=lock, pulled_at__isnull=False)
    assert pins_in(text) == [backup.code, backup.code]
    assert opens(lock, backup.code, stay.check_in)
