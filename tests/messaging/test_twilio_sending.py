"""Sending through the real `twilio` SDK to the local stand-in of Twilio's Messages endpoint."""

import logging
from datetime import timedelta

import pytest

from messaging import sending
from messaging.models import Message
from tests import factories
from tests.messaging.twilio_standin import (
    INSTALL_NUMBER,
    INSTALL_SID,
    OWNER_NUMBER,
    OWNER_SID,
    install_uses_twilio,
    owner_uses_twilio,
)
from tests.reservations.front_desk import book

GUEST = "+351912345678"


@pytest.fixture
def stay(owner, room, lock, t0):
    return book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone=GUEST)


def send_arrival(stay, now):
    message = sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=now)
    sending.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    return message


def logged(caplog) -> str:
    return "\n".join(f"{r.getMessage()} {r.exc_text or ''} {r.__dict__}" for r in caplog.records)


def test_it_sends_the_arrival_message_and_keeps_twilio_s_sid(
    owner, stay, t0, twilio_api, settings, caplog
):
    caplog.set_level(logging.DEBUG)
    settings.PUBLIC_BASE_URL = "https://locks.example.com"
    owner_uses_twilio(owner)

    message = send_arrival(stay, t0)

    assert message.status == "queued"
    assert message.provider_id.startswith("SM") and len(message.provider_id) == 34
    assert message.transport == "twilio"
    assert message.sent_at == t0 and message.attempts == 1
    [request] = twilio_api.sent
    assert request.account_sid == OWNER_SID
    assert (request.to, request.from_) == (GUEST, OWNER_NUMBER)
    assert stay.pin in request.body and "Ana Lima" in request.body
    assert request.status_callback == (
        f"https://locks.example.com/messaging/twilio/status/{message.pk}/"
    )
    assert records_hold_no_pin(message, stay.pin)
    assert caplog.records, "the SDK's and urllib3's logs were captured"
    assert stay.pin not in logged(caplog)


def records_hold_no_pin(message, pin) -> bool:
    row = Message.objects.filter(pk=message.pk).values().get()
    return not any(pin in str(value) for value in row.values())


def test_without_a_public_address_it_asks_for_no_delivery_receipts(owner, stay, t0, twilio_api):
    owner_uses_twilio(owner)

    send_arrival(stay, t0)

    assert twilio_api.sent[0].status_callback == ""


def test_a_messaging_service_sends_instead_of_a_number(owner, stay, t0, twilio_api):
    owner_uses_twilio(owner, twilio_from_number="", twilio_messaging_service_sid="MG" + "3" * 32)

    message = send_arrival(stay, t0)

    [request] = twilio_api.sent
    assert request.messaging_service_sid == "MG" + "3" * 32 and request.from_ == ""
    assert message.status == "queued"  # Twilio's "accepted" is queued in our words


def test_a_single_owner_install_sends_with_the_environment_s_account(
    stay, t0, twilio_api, settings
):
    install_uses_twilio(settings)

    message = send_arrival(stay, t0)

    [request] = twilio_api.sent
    assert (request.account_sid, request.from_) == (INSTALL_SID, INSTALL_NUMBER)
    assert message.transport == "twilio" and message.provider_id.startswith("SM")


def test_an_owner_s_own_twilio_wins_over_the_environment_s(
    owner, other_owner, stay, t0, twilio_api, settings
):
    install_uses_twilio(settings)
    owner_uses_twilio(owner)
    hilltop = factories.PropertyFactory(owner=other_owner, name="Hilltop House")
    hilltop_room = factories.UnitFactory(property=hilltop, name="Loft")
    hilltop_stay = book(other_owner, hilltop_room, t0, check_in=t0, phone="+351912000111")

    send_arrival(stay, t0)
    sending.message_send(
        message_id=sending.message_queue(
            reservation=hilltop_stay, kind=Message.Kind.FREE, text="See you soon", now=t0
        ).pk,
        now=t0,
    )

    assert [(r.account_sid, r.from_, r.to) for r in twilio_api.sent] == [
        (OWNER_SID, OWNER_NUMBER, GUEST),
        (INSTALL_SID, INSTALL_NUMBER, "+351912000111"),
    ]


def test_twilio_not_fully_set_up_fails_with_what_to_fix(stay, t0, twilio_api, settings):
    install_uses_twilio(settings)
    settings.TWILIO_AUTH_TOKEN = ""

    message = send_arrival(stay, t0)

    assert message.status == "failed"
    assert message.error_message == (
        "Twilio is not fully set up: add the auth token in Settings → Messages."
    )
    assert twilio_api.sent == []


def test_a_wrong_auth_token_is_a_permanent_failure_in_plain_words(owner, stay, t0, twilio_api):
    owner_uses_twilio(owner, twilio_auth_token="not-the-token")

    message = send_arrival(stay, t0)

    assert message.status == "failed" and message.next_attempt_at is None
    assert message.error_message.startswith("Twilio refused the account SID or auth token.")
