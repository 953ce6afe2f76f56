"""The hotel's street entrance, and the feed tests' calendar server with a feed on it."""

import pytest

from reservations.imports.feeds import feed_create
from tests import factories
from tests.reservations.feed_server import FeedServer, ics


@pytest.fixture
def entrance(owner, hotel, t0):
    """The hotel's street entrance: shared by every room, holds a schedule itself."""
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", model="scheduling", now=t0
    )


@pytest.fixture
def server(loopback_allowed):
    """A booking site's calendar server, on loopback (which only OUTBOUND_ALLOWED_NETWORKS lets
    a feed be read from)."""
    with FeedServer() as running:
        yield running


@pytest.fixture
def feed(owner, room, server, t0):
    """Room 101's Airbnb feed, served at /airbnb.ics, not read yet."""
    url = server.answer("/airbnb.ics", ics("airbnb.ics"))
    return feed_create(owner=owner, unit=room, name="Airbnb", url=url, now=t0)
