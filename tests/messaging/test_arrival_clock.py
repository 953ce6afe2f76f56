"""When the arrival message and the check-out reminder go out: once per stay, at the set hour."""

from datetime import timedelta

from messaging import automatic, owner_settings, sending
from messaging.models import Message
from reservations.stays import reservation_cancel, reservation_check_out_early, reservation_update
from tests import factories
from tests.messaging import guest_phone
from tests.messaging.guest_phone import tick
from tests.reservations.front_desk import book

phone = guest_phone.phone
MOBILE = "+351912345678"
MINUTE = timedelta(minutes=1)


def arrivals(stay) -> int:
    return Message.objects.filter(reservation=stay, kind="arrival").count()


def test_the_arrival_message_goes_out_24_hours_before_check_in_and_only_then(
    owner, room, lock, t0, phone
):
    check_in = t0 + timedelta(days=3)
    stay = book(owner, room, t0, check_in=check_in, phone=MOBILE)
    due = check_in - timedelta(hours=24)

    assert tick(t0) == []
    assert tick(due - MINUTE) == []
    (text,) = tick(due)

    assert stay.pin in text
    assert tick(due + MINUTE) == [] and tick(check_in) == []
    assert arrivals(stay) == 1


def test_the_owner_sets_how_long_before_check_in(owner, room, lock, t0, phone):
    owner_settings.messaging_settings_update(owner=owner, arrival_hours_before=4)
    check_in = t0 + timedelta(days=1)
    book(owner, room, t0, check_in=check_in, phone=MOBILE)

    assert tick(check_in - timedelta(hours=24)) == []
    assert len(tick(check_in - timedelta(hours=4))) == 1


def test_a_last_minute_booking_gets_it_right_away(owner, room, lock, t0, phone):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=MOBILE)

    (text,) = tick(t0)

    assert stay.pin in text


def test_a_walk_in_entered_after_check_in_gets_it_but_guests_long_in_the_house_do_not(
    owner, room, t0, lock, phone
):
    owner_settings.messaging_settings_update(owner=owner, send_arrival_automatically=False)
    long_here = book(owner, room, t0 - timedelta(days=3), check_in=t0 - timedelta(days=2), nights=5)
    reservation_update(reservation=long_here, now=t0, phone=MOBILE)
    walk_in_room = room.property.units.create(name="Room 102")
    walk_in = book(owner, walk_in_room, t0, check_in=t0 - timedelta(hours=1), phone=MOBILE)
    owner_settings.messaging_settings_update(owner=owner, send_arrival_automatically=True)

    tick(t0)

    assert arrivals(walk_in) == 1
    assert arrivals(long_here) == 0


def test_two_ticks_at_the_same_moment_send_it_once(owner, room, lock, t0, phone, monkeypatch):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=MOBILE)
    # The second tick read the due stays before the first one wrote its message.
    read_early = automatic.arrivals_due(owner=owner, now=t0)
    assert automatic.arrivals_send(now=t0) == 1
    monkeypatch.setattr(automatic, "arrivals_due", lambda **_: read_early)

    assert automatic.arrivals_send(now=t0) == 0

    tick(t0)
    assert arrivals(stay) == 1
    assert len(phone) == 1


def test_no_message_for_a_cancelled_stay_a_stay_without_a_phone_or_an_owner_who_said_no(
    owner, other_owner, room, lock, t0, phone
):
    check_in = t0 + timedelta(hours=5)
    cancelled = book(owner, room, t0, check_in=check_in, phone=MOBILE)
    reservation_cancel(reservation=cancelled, now=t0)
    no_phone = book(owner, room, t0, check_in=check_in + timedelta(days=3))
    prop = factories.PropertyFactory(owner=other_owner)
    unit = factories.UnitFactory(property=prop)
    factories.simulated_lock(owner=other_owner, property=prop, unit=unit, now=t0)
    owner_settings.messaging_settings_update(owner=other_owner, send_arrival_automatically=False)
    theirs = book(other_owner, unit, t0, check_in=check_in, phone=MOBILE)

    assert tick(t0) == []
    assert tick(check_in) == []
    assert not Message.objects.filter(reservation__in=[cancelled, no_phone, theirs]).exists()


def test_a_stay_cancelled_after_its_message_was_queued_is_not_texted(owner, room, lock, t0, phone):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=5), phone=MOBILE)
    automatic.arrivals_send(now=t0)
    reservation_cancel(reservation=stay, now=t0)

    assert tick(t0) == []

    message = Message.objects.get(reservation=stay)
    assert message.status == "failed"
    assert message.error_message == "Not sent: the stay was cancelled."


def test_moving_the_dates_later_does_not_send_a_second_one(owner, room, lock, t0, phone):
    check_in = t0 + timedelta(hours=5)
    stay = book(owner, room, t0, check_in=check_in, phone=MOBILE)
    assert len(tick(t0)) == 1

    later = check_in + timedelta(days=7)
    reservation_update(reservation=stay, now=t0, check_in=later, check_out=later + timedelta(2))
    # The guest hears of the new dates once ("Your stay changed"), not by a second welcome.
    (text,) = tick(t0)
    assert "your stay at Seaside Hotel changed" in text

    assert tick(later - timedelta(hours=24)) == []
    assert tick(later) == []
    assert arrivals(stay) == 1
    # A person can still send it again.
    sending.message_queue(reservation=stay, kind="arrival", now=later)
    (text,) = tick(later)
    assert stay.pin in text


# --- the check-out reminder --------------------------------------------------------------------


def test_the_check_out_reminder_goes_out_once_at_the_owner_s_time_when_turned_on(
    owner, room, lock, t0, phone
):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), nights=2, phone=MOBILE)
    tick(t0)  # the arrival message
    due = stay.check_out - timedelta(hours=2)
    assert tick(due) == [], "off by default"

    owner_settings.messaging_settings_update(owner=owner, send_checkout_reminder=True)
    assert tick(due - MINUTE) == []
    (text,) = tick(due)

    assert text == (
        "Hello Ana Lima, a reminder that check-out at Seaside Hotel is at Wed 3 Jun 15:00. "
        "Safe travels!"
    )
    assert guest_phone.pins_in(text) == []
    assert tick(due + MINUTE) == [] and tick(stay.check_out - MINUTE) == []


def test_no_check_out_reminder_after_an_early_check_out(owner, room, lock, t0, phone):
    owner_settings.messaging_settings_update(
        owner=owner, send_checkout_reminder=True, send_arrival_automatically=False
    )
    stay = book(owner, room, t0, check_in=t0 - timedelta(hours=20), nights=1, phone=MOBILE)
    reservation_check_out_early(reservation=stay, now=t0)

    assert tick(stay.check_out - timedelta(hours=2)) == []
    assert not Message.objects.filter(reservation=stay).exists()
