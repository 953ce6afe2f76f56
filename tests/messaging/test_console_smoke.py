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
    assert message.status == "kept"
    assert stay.pin not in message.preview
    assert "••••" in message.preview
    assert automatic.arrivals_send(now=t0 + timedelta(minutes=1)) == 0


def test_a_console_message_never_shows_as_on_the_guests_phone(
    client_for, bob, owner, room, lock, t0
):
    from django.urls import reverse

    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    automatic.arrivals_send(now=t0)
    message = Message.objects.get(reservation=stay)
    sending.message_send(message_id=message.pk, now=t0)
    client = client_for(bob)
    status = client.get(reverse("message_status", args=[message.pk])).content.decode()
    outbox = client.get(reverse("outbox")).content.decode()
    for html in (status, outbox):
        assert 'message-pill">Delivered<' not in html and "On the guest's phone" not in html
        assert 'message-pill">Not sent<' in html
    assert "Kept in the Outbox, not sent" in status
    assert "Texts are not being sent." in outbox and "Settings → Messages" in outbox
