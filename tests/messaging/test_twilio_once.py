"""A message is sent once, however many times (or from however many workers) it is sent."""

import threading
from datetime import timedelta

import pytest
from django.db import connection

from messaging import sending
from messaging.models import Message
from tests.messaging.twilio_standin import owner_uses_twilio
from tests.race import on_postgresql
from tests.reservations.front_desk import book


@pytest.fixture
def message(owner, room, lock, t0):
    owner_uses_twilio(owner)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), phone="+351912345678")
    return sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=t0)


def test_sending_a_sent_message_again_does_nothing(message, t0, twilio_api):
    sending.message_send(message_id=message.pk, now=t0)
    again = sending.message_send(message_id=message.pk, now=t0 + timedelta(minutes=5))

    assert again is None
    assert len(twilio_api.sent) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def races(test):
    """SQLite's in-memory test database locks a whole table for a second writer ("database
    table is locked", which no busy timeout waits out): the race runs on PostgreSQL."""
    for mark in on_postgresql("two workers cannot race to send"):
        test = mark(test)
    return test


@races
def test_two_workers_sending_the_same_message_send_it_once(message, t0, twilio_api):
    barrier = threading.Barrier(2)
    results, failures = [], []

    def worker():
        try:
            barrier.wait(timeout=10)
            results.append(sending.message_send(message_id=message.pk, now=t0))
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()  # each thread has its own connection; leave none behind

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert sorted(r is None for r in results) == [False, True]
    assert len(twilio_api.sent) == 1
    message.refresh_from_db()
    assert message.provider_id.startswith("SM") and message.attempts == 1
