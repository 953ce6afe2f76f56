"""When a stay's dates, room or PIN change after its arrival message went out, the guest hears of
it ("Your stay changed"): once per change, and never with a PIN the lock has not confirmed.

Every PIN is checked where a guest would check it: typed on the simulated keypad at check-in.
"""

from datetime import timedelta

from locks.models import AccessCode
from messaging import owner_settings
from messaging.models import Message
from reservations.guest_codes import reservation_new_pin
from reservations.stays import reservation_cancel, reservation_update
from tests.backups.lockside import opens, run
from tests.messaging import guest_phone
from tests.messaging.guest_phone import pins_in, tick
from tests.reservations.front_desk import book

phone = guest_phone.phone
MOBILE = "+351912345678"
MINUTE = timedelta(minutes=1)
HOUR = timedelta(hours=1)


def changed(stay):
    return Message.objects.filter(reservation=stay, kind="changed")


def arrived_told(owner, room, t0):
    """A stay arriving in 5 hours whose arrival message went out at t0."""
    stay = book(owner, room, t0, check_in=t0 + 5 * HOUR, phone=MOBILE)
    (text,) = tick(t0)
    assert "welcome to Seaside Hotel" in text
    return stay


def move(stay, now, *, days):
    reservation_update(
        reservation=stay,
        now=now,
        check_in=stay.check_in + timedelta(days=days),
        check_out=stay.check_out + timedelta(days=days),
    )


def test_new_dates_after_the_arrival_message_send_one_message_with_them(
    owner, room, lock, t0, phone
):
    stay = arrived_told(owner, room, t0)

    move(stay, t0 + 10 * MINUTE, days=1)
    (text,) = tick(t0 + 10 * MINUTE)

    # Check-in was Mon 1 Jun 17:00 in Lisbon, for two nights.
    assert text == (
        f"Hello Ana Lima, your stay at Seaside Hotel changed: Room 101, from Tue 2 Jun 18:00 "
        f"until Thu 4 Jun 18:00. Your door code is {stay.pin} (Room 101 door {stay.pin})."
    )
    assert tick(t0 + 20 * MINUTE) == []
    assert changed(stay).count() == 1
    assert Message.objects.filter(reservation=stay, kind="arrival").count() == 1


def test_two_quick_changes_make_one_message_with_the_latest_dates(owner, room, lock, t0, phone):
    stay = arrived_told(owner, room, t0)

    move(stay, t0 + MINUTE, days=1)
    move(stay, t0 + 2 * MINUTE, days=1)
    assert changed(stay).count() == 1
    assert changed(stay).get().status == "queued"

    (text,) = tick(t0 + 3 * MINUTE)
    assert "from Wed 3 Jun 18:00 until Fri 5 Jun 18:00" in text
    assert changed(stay).count() == 1

    # A change after that one went out is news again: one more message.
    move(stay, t0 + HOUR, days=-1)
    (text,) = tick(t0 + HOUR)
    assert "from Tue 2 Jun 18:00 until Thu 4 Jun 18:00" in text
    assert changed(stay).count() == 2


def test_a_change_before_the_arrival_message_goes_in_the_arrival_message(
    owner, room, lock, t0, phone
):
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=3), phone=MOBILE)
    assert tick(t0) == []

    move(stay, t0 + HOUR, days=1)
    assert tick(t0 + HOUR) == []
    assert not changed(stay).exists()

    (text,) = tick(stay.check_in - 24 * HOUR)
    assert "welcome to Seaside Hotel" in text
    assert "It works from Fri 5 Jun 13:00 until Sun 7 Jun 13:00." in text
    assert not changed(stay).exists()


def test_a_new_pin_waits_until_the_lock_has_it_then_goes_and_opens_the_door(
    owner, room, lock, t0, phone
):
    stay = arrived_told(owner, room, t0)
    old_pin = stay.pin

    reservation_new_pin(reservation=stay, now=t0 + HOUR)
    assert stay.pin != old_pin
    # The keypad takes a guest's code 30 minutes before check-in: until then the new PIN is
    # not on the lock, and the message waits.
    assert tick(t0 + HOUR) == []
    message = changed(stay).get()
    assert message.status == "queued"
    assert message.error_message == (
        "Waiting: the new code is not on Room 101 door yet. It goes out as soon as the lock "
        "confirms it."
    )

    received = []
    at = t0 + HOUR
    while at <= stay.check_in and not received:
        run(at)
        received = tick(at)
        code = AccessCode.objects.get(reservation=stay, lock=lock, removed_at__isnull=True)
        if not received:
            assert not code.is_on_lock
        at += 15 * MINUTE

    (text,) = received
    assert code.is_on_lock  # confirmed on the lock when it went out
    assert pins_in(text) == [stay.pin, stay.pin]
    assert opens(lock, stay.pin, stay.check_in)
    assert not opens(lock, old_pin, stay.check_in)
    assert tick(stay.check_in) == []


def test_a_new_room_waits_for_its_door_and_names_it(owner, room, room_102, lock, t0, phone):
    stay = arrived_told(owner, room, t0)

    reservation_update(reservation=stay, now=t0 + HOUR, unit=room_102)
    assert tick(t0 + HOUR) == []
    assert "not on Room 102 door yet" in changed(stay).get().error_message

    run(stay.check_in - 30 * MINUTE)
    (text,) = tick(stay.check_in - 30 * MINUTE)
    assert "changed: Room 102, from" in text
    assert f"Room 102 door {stay.pin}" in text


def test_a_cancelled_stay_gets_no_changed_message(owner, room, lock, t0, phone):
    stay = arrived_told(owner, room, t0)
    move(stay, t0 + MINUTE, days=1)
    reservation_cancel(reservation=stay, now=t0 + 2 * MINUTE)

    assert tick(t0 + 3 * MINUTE) == []
    message = changed(stay).get()
    assert message.status == "failed"
    assert message.error_message == "Not sent: the stay was cancelled."


def test_the_owner_s_own_wording_is_used(owner, room, lock, t0, phone):
    owner_settings.template_save(
        owner=owner, kind="changed", body="{guest_name}: new dates {check_in}, code {pin}."
    )
    stay = arrived_told(owner, room, t0)

    move(stay, t0 + MINUTE, days=1)
    (text,) = tick(t0 + MINUTE)
    assert text == f"Ana Lima: new dates Tue 2 Jun 18:00, code {stay.pin}."
