import pytest

from tests.locks.seam_api import api_key_for, seam_client


@pytest.fixture
def key(owner):
    """An API key of Seaside Hotels."""
    return api_key_for(owner)


@pytest.fixture
def seam(key):
    """Seam's own SDK, signed in with `key`, talking to the app in-process."""
    with seam_client(key, wait_for_action_attempt=False) as client:
        yield client
