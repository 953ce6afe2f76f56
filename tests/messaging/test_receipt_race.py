"""A delivery receipt that arrives before Twilio's answer to the send has been saved."""

from datetime import timedelta

from messaging import receipts, sending
from messaging.models import Message
from messaging.transports import TRANSPORTS
from messaging.transports.base import Sent
from tests.reservations.front_desk import book


class ReceiptFirstTransport:
    """Twilio answers `queued`, but its `delivered` receipt overtakes the answer."""

    key = "console"

    def __init__(self, **_options):
        pass

    def send(self, *, to: str, body: str, status_callback: str = "") -> Sent:
        message = Message.objects.get(status=Message.Status.SENDING)
        receipts.message_status_update(message=message, status="delivered", now=message.created_at)
        return Sent(provider_id="SM-overtaken", status="queued")


def test_a_receipt_that_overtakes_the_send_is_kept(owner, room, lock, t0, monkeypatch):
    monkeypatch.setitem(TRANSPORTS, "console", f"{__name__}.ReceiptFirstTransport")
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    message = sending.message_queue(reservation=stay, kind="free", now=t0, text="Hello")

    sending.message_send(message_id=message.pk, now=t0)

    message.refresh_from_db()
    assert (message.status, message.provider_id) == ("delivered", "SM-overtaken")
