"""Every webhook in messaging/urls.py refuses a request Twilio did not sign (the URL is public)."""

from datetime import timedelta

import pytest
from django.urls import reverse

from messaging import sending
from messaging.models import Message
from messaging.urls import urlpatterns
from tests.messaging.twilio_standin import OWNER_NUMBER, owner_uses_twilio
from tests.reservations.front_desk import book

WEBHOOKS = {p.name for p in urlpatterns if p.callback.__module__ == "messaging.webhooks"}


@pytest.fixture
def webhook_urls(owner, room, lock, t0, twilio_api):
    owner_uses_twilio(owner, reply_keywords_enabled=True)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    message = sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=t0)
    sending.message_send(message_id=message.pk, now=t0)
    message.refresh_from_db()
    data = {
        "MessageSid": message.provider_id,
        "MessageStatus": "delivered",
        "From": stay.phone,
        "To": OWNER_NUMBER,
        "Body": "CODE",
    }
    return (
        message,
        data,
        {
            "twilio_status": reverse("twilio_status", args=[message.pk]),
            "twilio_inbound": reverse("twilio_inbound"),
        },
    )


def test_every_webhook_refuses_an_unsigned_request(client, webhook_urls):
    message, data, urls = webhook_urls
    for name, url in urls.items():
        assert client.post(url, data).status_code == 403, name
        assert client.post(url, data, HTTP_X_TWILIO_SIGNATURE="bm9wZQ==").status_code == 403

    message.refresh_from_db()
    assert message.status == "queued"
    assert Message.objects.count() == 1  # no text recorded, no reply queued


def test_every_webhook_in_the_urls_is_in_the_unsigned_check(webhook_urls):
    _, _, urls = webhook_urls
    assert set(urls) == WEBHOOKS


def test_webhooks_take_no_get(client, webhook_urls):
    _, _, urls = webhook_urls
    for url in urls.values():
        assert client.get(url).status_code == 405
