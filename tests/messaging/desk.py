"""Fixtures for the messaging pages' tests: a stay arriving within the hour at a door that
keeps a full pool of backups, with the guest's mobile number."""

from datetime import timedelta

import pytest

from backups.services import backup_pool_enable
from locks.scheduler import run_due_locks
from messaging import sending
from messaging.models import Message
from tests.reservations.front_desk import book

GUEST = "+351912345678"


@pytest.fixture
def arriving(owner, room, lock, frozen):
    backup_pool_enable(lock=lock, now=frozen)
    run_due_locks(now=frozen)
    run_due_locks(now=frozen + timedelta(minutes=1))
    return book(owner, room, frozen, check_in=frozen + timedelta(hours=1), phone=GUEST)


def sent_arrival(stay, now) -> Message:
    """The stay's arrival message, queued and sent through the console (kept at once, not sent)."""
    message = sending.message_queue(reservation=stay, kind=Message.Kind.ARRIVAL, now=now)
    sending.message_send(message_id=message.pk, now=now)
    message.refresh_from_db()
    return message
