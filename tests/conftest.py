"""The fixed cast every test uses.

- alice: manager at Seaside Hotels (the owner under test)
- bob: front desk at Seaside Hotels
- charlie: manager at another company, Hilltop Homes: an outsider to Seaside's data
"""

from datetime import UTC, datetime

import pytest

from tests import factories
from tests.locks.seam_api import api_key_for, seam_client

# Fixtures that test files of several folders use: the front desk's frozen clock and its second
# room, a stay arriving for the messaging pages, and the stand-in of Twilio's API.
pytest_plugins = [
    "tests.reservations.front_desk",
    "tests.messaging.desk",
    "tests.messaging.twilio_standin",
    "tests.locks.webhook_receiver",
]

# A fixed "now" for tests that move time by hand.
T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def t0():
    return T0


@pytest.fixture
def owner(db):
    return factories.OwnerFactory(slug="seaside", name="Seaside Hotels")


@pytest.fixture
def other_owner(db):
    return factories.OwnerFactory(slug="hilltop", name="Hilltop Homes")


@pytest.fixture
def alice(owner):
    return factories.member(owner, "alice", role="manager")


@pytest.fixture
def bob(owner):
    return factories.member(owner, "bob", role="front_desk")


@pytest.fixture
def charlie(other_owner):
    return factories.member(other_owner, "charlie", role="manager")


@pytest.fixture
def hotel(owner):
    return factories.PropertyFactory(owner=owner, name="Seaside Hotel", time_zone="Europe/Lisbon")


@pytest.fixture
def room(hotel):
    return factories.UnitFactory(property=hotel, name="Room 101")


@pytest.fixture
def lock(owner, hotel, room, t0):
    """A simulated keypad lock on Room 101's door, read once at t0."""
    return factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101 door", now=t0
    )


@pytest.fixture
def other_lock(other_owner, t0):
    prop = factories.PropertyFactory(owner=other_owner, name="Hilltop House")
    return factories.simulated_lock(
        owner=other_owner, property=prop, name="Hilltop front door", now=t0
    )


@pytest.fixture
def key(owner):
    """An API key of Seaside Hotels."""
    return api_key_for(owner)


@pytest.fixture
def seam(key):
    """Seam's own SDK, signed in with `key`, talking to the app in-process."""
    with seam_client(key, wait_for_action_attempt=False) as client:
        yield client


@pytest.fixture
def client_for(client):
    """`client_for(user)`: the test client, signed in as that user."""

    def login(user):
        client.force_login(user)
        return client

    return login
