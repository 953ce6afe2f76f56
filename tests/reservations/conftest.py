"""The feed tests' calendar server, and a feed on it."""

import pytest

from reservations.imports.feeds import feed_create
from tests.reservations.feed_server import FeedServer, ics


@pytest.fixture
def server():
    with FeedServer() as running:
        yield running


@pytest.fixture
def feed(owner, room, server, t0):
    """Room 101's Airbnb feed, served at /airbnb.ics, not read yet."""
    url = server.answer("/airbnb.ics", ics("airbnb.ics"))
    return feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=t0)
