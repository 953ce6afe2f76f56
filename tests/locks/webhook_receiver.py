"""A PMS's webhook receiver on a free loopback port: it records what it is sent and answers
with the statuses it is told to (one per request, then 200), optionally after a delay; and the
senders' clock, moved by hand."""

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from locks.outgoing import delivery as sender
from tests.local_server import LocalServer, send


@dataclass
class Received:
    body: str
    headers: dict
    path: str


class Receiver(LocalServer):
    METHODS = ("POST",)

    def __init__(self):
        super().__init__()
        self.received: list[Received] = []
        self.statuses: list[int] = []
        self.delay = 0.0
        self.answered = threading.Event()
        self.before_answer = None  # a callable run before each answer (a test's rendezvous)

    def handle(self, http) -> None:
        length = int(http.headers.get("Content-Length", 0))
        body = http.rfile.read(length).decode()
        self.received.append(Received(body, dict(http.headers.items()), http.path))
        if self.before_answer:
            self.before_answer()
        if self.delay:
            threading.Event().wait(self.delay)
        status = self.statuses.pop(0) if self.statuses else 200
        headers = {"Location": "http://127.0.0.1:9/elsewhere"} if 300 <= status < 400 else {}
        if headers:
            try:
                http.send_response(status)
                http.send_header("Location", headers["Location"])
                http.send_header("Content-Length", "0")
                http.end_headers()
            except OSError:
                pass
        else:
            send(http, status, b'{"received": true}', "application/json")
        self.answered.set()

    @property
    def url(self) -> str:
        return self.base_url + "/hooks/innkeeper"


@pytest.fixture
def loopback_allowed():
    """Tests' receivers live on loopback, which only OUTBOUND_ALLOWED_NETWORKS lets us call."""
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"]):
        yield


@pytest.fixture
def receiver(loopback_allowed):
    with Receiver() as server:
        yield server


class SenderClock:
    """The senders' `now`, moved by hand; waiting for a retry moves it instead of sleeping."""

    def __init__(self):
        self.now = timezone.now()

    def __call__(self):
        return self.now

    def wait(self, seconds: float):
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def sender_clock(monkeypatch):
    clock = SenderClock()
    monkeypatch.setattr(sender, "sleep", clock.wait)
    return clock
