"""The guest's phone in the message tests: every text the transport was asked to send, and the
messaging clock moved by hand."""

import re
from datetime import datetime

import pytest

from messaging import tasks
from messaging.models import Message
from messaging.sending import message_send
from messaging.transports import TRANSPORTS
from messaging.transports.base import Sent

# (to, body) of every text handed to the transport, in order.
INBOX: list[tuple[str, str]] = []


class RecordingTransport:
    """Stands in for the console transport: delivers at once and keeps what it was given."""

    key = "console"

    def __init__(self, **_options):
        pass

    def send(self, *, to: str, body: str, status_callback: str = "") -> Sent:
        INBOX.append((to, body))
        return Sent(provider_id=f"recorded-{len(INBOX)}", status="delivered")


@pytest.fixture
def phone(monkeypatch):
    """The texts guests received (a list of (to, body)), through the default transport."""
    monkeypatch.setitem(TRANSPORTS, "console", f"{__name__}.RecordingTransport")
    INBOX.clear()
    yield INBOX
    INBOX.clear()


def tick(at: datetime) -> list[str]:
    """One minute of the messaging clock at `at`, plus what each queued message's own task
    sends right after it is written. Returns the texts sent meanwhile."""
    before = len(INBOX)
    tasks.tick(now=at)
    for pk in Message.objects.filter(status="queued", next_attempt_at__isnull=True).values_list(
        "pk", flat=True
    ):
        message_send(message_id=pk, now=at)
    return [body for _, body in INBOX[before:]]


def pins_in(text: str) -> list[str]:
    """The PINs a guest reads in a text (runs of 4 to 8 digits; times like 15:00 are not)."""
    return re.findall(r"(?<![\d:])\d{4,8}(?![\d:])", text)


def shows(text: str, pin: str) -> bool:
    """Whether `pin` stands in `text` as a number of its own (not inside an id or a phone)."""
    return re.search(rf"(?<![0-9A-Za-z]){pin}(?![0-9A-Za-z])", text) is not None
