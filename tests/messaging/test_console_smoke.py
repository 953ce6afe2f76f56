from datetime import timedelta

from messaging import automatic, sending
from messaging.models import Message
from tests.reservations.front_desk import book


def test_an_arrival_message_goes_to_the_outbox_with_the_pin_masked(owner, room, lock, t0):
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")

    assert automatic.arrivals_send(now=t0) == 1
    message = Message.objects.get(reservation=stay)
    sending.message_send(message_id=message.pk, now=t0)

    message.refresh_from_db()
    assert message.status == "delivered"
    assert stay.pin not in message.preview
    assert "••••" in message.preview
    assert automatic.arrivals_send(now=t0 + timedelta(minutes=1)) == 0
