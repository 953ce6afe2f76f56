"""Twilio's delivery receipts: believed only when signed with the message owner's token."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from twilio.request_validator import RequestValidator

from messaging import sending
from messaging.models import Message
from messaging.transports.twilio import PERMANENT_ERRORS
from tests.messaging import twilio_standin
from tests.messaging.twilio_standin import (
    OWNER_SID,
    OWNER_TOKEN,
    install_uses_twilio,
    owner_uses_twilio,
    post_signed,
)
from tests.reservations.front_desk import book


@pytest.fixture
def sent(owner, room, lock, t0, twilio_api):
    """An arrival message Twilio accepted (status queued, with its SID)."""
    owner_uses_twilio(owner)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    message = sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=t0)
    sending.message_send(message_id=message.pk, now=t0)
    message.refresh_from_db()
    return message


@pytest.fixture
def clock(monkeypatch, t0):
    """The webhook's clock, moved by hand: `clock.at(moment)`."""

    class Clock:
        def at(self, moment):
            monkeypatch.setattr(timezone, "now", lambda: moment)

    clock = Clock()
    clock.at(t0)
    return clock


def receipt(message, status, **extra):
    return {
        "MessageSid": message.provider_id,
        "SmsSid": message.provider_id,
        "AccountSid": OWNER_SID,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": message.to,
        "From": twilio_standin.OWNER_NUMBER,
        "ApiVersion": "2010-04-01",
        **extra,
    }


def post_receipt(client, message, status, *, token=OWNER_TOKEN, signed_url="", **extra):
    path = reverse("twilio_status", args=[message.pk])
    return post_signed(
        client, path, receipt(message, status, **extra), token=token, signed_url=signed_url
    )


def test_a_signed_receipt_moves_the_message_to_delivered(client, sent, t0, clock):
    clock.at(t0 + timedelta(seconds=5))
    assert post_receipt(client, sent, "sent").status_code == 204
    clock.at(t0 + timedelta(seconds=9))
    assert post_receipt(client, sent, "delivered").status_code == 204

    sent.refresh_from_db()
    assert sent.status == "delivered"
    assert sent.delivered_at == t0 + timedelta(seconds=9)


def test_an_undelivered_receipt_explains_the_carrier_s_error(client, sent, clock):
    response = post_receipt(client, sent, "undelivered", ErrorCode="30003")

    assert response.status_code == 204
    sent.refresh_from_db()
    assert sent.status == "undelivered"
    assert sent.error_code == "30003"
    assert sent.error_message == PERMANENT_ERRORS["30003"]


def test_a_forged_or_missing_signature_is_refused(client, sent, clock):
    path = reverse("twilio_status", args=[sent.pk])

    forged = post_receipt(client, sent, "delivered", token="guessed-token")
    missing = client.post(path, receipt(sent, "delivered"))
    tampered = client.post(
        path,
        receipt(sent, "delivered"),
        # Twilio's signature for "sent", on a receipt that says "delivered".
        HTTP_X_TWILIO_SIGNATURE=RequestValidator(OWNER_TOKEN).compute_signature(
            f"http://testserver{path}", receipt(sent, "sent")
        ),
    )

    assert [forged.status_code, missing.status_code, tampered.status_code] == [403, 403, 403]
    sent.refresh_from_db()
    assert sent.status == "queued"


def test_a_receipt_signed_with_another_owner_s_token_cannot_touch_this_message(
    client, sent, other_owner, settings, clock
):
    # Hilltop's manager knows Hilltop's token, and the install's, but not Seaside's.
    owner_uses_twilio(other_owner, twilio_auth_token="hilltop-token-0123456789abcdef")
    install_uses_twilio(settings)

    for token in ("hilltop-token-0123456789abcdef", settings.TWILIO_AUTH_TOKEN):
        assert post_receipt(client, sent, "delivered", token=token).status_code == 403

    sent.refresh_from_db()
    assert sent.status == "queued"


def test_a_receipt_for_another_message_sid_is_refused(client, sent, clock):
    response = post_receipt(client, sent, "delivered", MessageSid="SM" + "f" * 32)

    assert response.status_code == 403
    sent.refresh_from_db()
    assert sent.status == "queued"


def test_the_same_receipt_twice_changes_the_message_once(client, sent, t0, clock):
    clock.at(t0 + timedelta(seconds=9))
    post_receipt(client, sent, "delivered")
    clock.at(t0 + timedelta(minutes=3))
    again = post_receipt(client, sent, "delivered")

    assert again.status_code == 204
    sent.refresh_from_db()
    assert sent.delivered_at == t0 + timedelta(seconds=9)


def test_a_late_sent_receipt_never_moves_a_delivered_message_back(client, sent, clock):
    post_receipt(client, sent, "delivered")
    post_receipt(client, sent, "sent")
    post_receipt(client, sent, "queued")

    sent.refresh_from_db()
    assert sent.status == "delivered"


def test_a_receipt_for_an_unknown_message_is_404(client, sent, clock):
    path = reverse("twilio_status", args=["6f1c0b1e-0000-4000-8000-000000000000"])
    response = post_signed(client, path, receipt(sent, "delivered"), token=OWNER_TOKEN)

    assert response.status_code == 404


def test_with_a_public_address_the_signature_is_checked_against_the_callback_url(
    client, owner, room, lock, t0, twilio_api, settings, clock
):
    settings.PUBLIC_BASE_URL = "https://locks.example.com"
    owner_uses_twilio(owner)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    message = sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=t0)
    sending.message_send(message_id=message.pk, now=t0)
    message.refresh_from_db()
    callback = twilio_api.sent[0].status_callback
    assert urlsplit(callback).path == reverse("twilio_status", args=[message.pk])

    # Signed over the address this server sees (as behind a proxy): not what Twilio signs.
    assert post_receipt(client, message, "delivered").status_code == 403
    assert post_receipt(client, message, "delivered", signed_url=callback).status_code == 204

    message.refresh_from_db()
    assert message.status == "delivered"


def test_a_single_owner_install_s_receipts_are_signed_with_the_environment_s_token(
    client, owner, room, lock, t0, twilio_api, settings, clock
):
    install_uses_twilio(settings)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    message = sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=t0)
    sending.message_send(message_id=message.pk, now=t0)
    message.refresh_from_db()

    assert post_receipt(client, message, "delivered").status_code == 403
    response = post_receipt(client, message, "delivered", token=settings.TWILIO_AUTH_TOKEN)

    assert response.status_code == 204
    message.refresh_from_db()
    assert message.status == "delivered"
