"""The per-stay daily limit: a runaway loop cannot text a guest again and again."""

from datetime import timedelta

import pytest

from locks.errors import ServiceError
from messaging import owner_settings, sending
from messaging.models import Message
from tests.messaging import guest_phone
from tests.messaging.guest_phone import tick
from tests.reservations.front_desk import book

phone = guest_phone.phone
MOBILE = "+351912345678"


def test_the_eleventh_message_in_a_day_is_refused_and_a_day_later_it_goes(
    owner, room, lock, t0, phone
):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), nights=3, phone=MOBILE)
    assert len(tick(t0)) == 1  # the automatic arrival message counts too
    for minute in range(1, 10):
        sending.message_queue(
            reservation=stay, kind="free", text="Is all well?", now=t0 + timedelta(minutes=minute)
        )

    with pytest.raises(ServiceError) as refused:
        sending.message_queue(
            reservation=stay, kind="free", text="And now?", now=t0 + timedelta(hours=23)
        )

    assert refused.value.type == "message_limit_reached"
    assert refused.value.message == (
        "Not sent: Ana Lima has had 10 messages in the last 24 hours, the most Settings → "
        "Messages allows for one stay. Call the guest instead."
    )
    assert Message.objects.filter(reservation=stay).count() == 10

    a_day_later = t0 + timedelta(days=1)
    sending.message_queue(reservation=stay, kind="free", text="Hello again", now=a_day_later)
    assert tick(a_day_later)[-1] == "Hello again"


def test_the_owner_sets_the_limit_and_automatic_messages_respect_it(owner, room, lock, t0, phone):
    owner_settings.messaging_settings_update(owner=owner, max_messages_per_stay_per_day=2)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=30), phone=MOBILE)
    for text in ("Your booking is confirmed", "Parking is at the back"):
        sending.message_queue(reservation=stay, kind="free", text=text, now=t0)
    assert tick(t0) == ["Your booking is confirmed", "Parking is at the back"]

    assert tick(t0 + timedelta(hours=6)) == []  # its arrival message is due, but the limit holds
    assert not Message.objects.filter(reservation=stay, kind="arrival").exists()

    # It goes once the day has passed, instead of being lost.
    (text,) = tick(t0 + timedelta(days=1))
    assert stay.pin in text
