"""Twilio's refusals fail at once, in plain words; its own trouble is retried, a few times."""

import logging
from datetime import timedelta

import pytest

from locks.models import Event
from messaging import sending
from messaging.models import Message
from messaging.transports import twilio
from tests.messaging.twilio_standin import owner_uses_twilio
from tests.reservations.front_desk import book


@pytest.fixture
def stay(owner, room, lock, t0):
    owner_uses_twilio(owner)
    return book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")


@pytest.fixture
def quick_timeout(monkeypatch):
    """A hung Twilio is given up on in a fraction of a second instead of ten."""
    monkeypatch.setattr(twilio, "TIMEOUT_SECONDS", 0.3)


def queue(stay, now):
    return sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=now)


def send(message, now):
    sending.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    return message


def failure_events(stay):
    return list(
        Event.objects.filter(reservation=stay, event_type="message.failed").values_list(
            "message", flat=True
        )
    )


@pytest.mark.parametrize("code", [21211, 21614, 21610, 21408])
def test_a_permanent_error_fails_at_once_in_plain_words(code, stay, t0, twilio_api, caplog):
    caplog.set_level(logging.DEBUG)
    twilio_api.answer_next(status=400, code=code)

    message = send(queue(stay, t0), t0)

    assert message.status == "failed"
    assert message.error_code == str(code)
    assert message.error_message == twilio.PERMANENT_ERRORS[str(code)]
    assert message.next_attempt_at is None and message.attempts == 1
    assert failure_events(stay) == [twilio.PERMANENT_ERRORS[str(code)]]
    assert sending.messages_due(now=t0 + timedelta(days=1)) == []
    assert len(twilio_api.sent) == 1
    assert stay.pin not in "\n".join(r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("trouble", "words"),
    [
        ({"status": 500}, "Twilio had a problem on its side (HTTP 500)."),
        ({"status": 503}, "Twilio had a problem on its side (HTTP 503)."),
        ({"status": 429, "code": 20429}, "Twilio asked us to slow down"),
        ({"hang": True}, "Twilio did not answer in time."),
    ],
)
def test_twilio_s_trouble_is_retried_later_and_the_message_goes_out(
    trouble, words, stay, t0, twilio_api, quick_timeout, caplog
):
    caplog.set_level(logging.DEBUG)
    twilio_api.answer_next(**trouble)
    message = queue(stay, t0)

    message = send(message, t0)

    assert message.status == "queued" and message.provider_id == ""
    assert message.error_message.startswith(words)
    assert message.next_attempt_at == t0 + sending.RETRY_BASE
    assert sending.messages_due(now=t0) == []
    assert sending.messages_due(now=message.next_attempt_at) == [message.pk]

    message = send(message, message.next_attempt_at)

    assert message.status == "queued" and message.provider_id.startswith("SM")
    assert message.attempts == 2 and message.error_message == ""
    assert failure_events(stay) == []
    first, second = twilio_api.sent
    assert first.body == second.body and stay.pin in second.body
    assert stay.pin not in "\n".join(r.getMessage() for r in caplog.records)


def test_it_gives_up_after_the_last_attempt_and_says_so(stay, t0, twilio_api):
    twilio_api.answer_next(sending.MAX_ATTEMPTS, status=503)
    message = queue(stay, t0)
    now, waits = t0, []

    for _ in range(sending.MAX_ATTEMPTS):
        assert sending.messages_due(now=now) == ([] if now == t0 else [message.pk])
        message = send(message, now)
        if message.next_attempt_at:
            waits.append(message.next_attempt_at - now)
            now = message.next_attempt_at

    assert waits == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert message.status == "failed" and message.attempts == sending.MAX_ATTEMPTS
    assert message.error_message == (
        "Twilio had a problem on its side (HTTP 503). Gave up after 4 attempts: send it again "
        "from the reservation, or call the guest."
    )
    assert failure_events(stay) == [message.error_message]
    assert sending.messages_due(now=now + timedelta(days=1)) == []
    assert len(twilio_api.sent) == sending.MAX_ATTEMPTS
