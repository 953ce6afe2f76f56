"""Seam's own fake server (`@seamapi/fake-seam-connect`, pinned in package-lock.json).

Started once per test run (once per xdist worker) on a free loopback port, and reset to its
seeded state before each test. `make test` installs it with npm first. Without node or the
package the tests skip locally, but fail in CI (CI=true): there they must run.
"""

import json
import os
import subprocess

import httpx
import pytest

from locks.models import DriverAccount
from tests.seam import fake_server
from tests.seam.fake_server import API_KEY
from tests.seam.recorded_seam import recorded_seam, recorded_workspace  # noqa: F401 (fixtures)


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"Seam's fake server is needed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class FakeSeam:
    def __init__(self, process: subprocess.Popen, url: str):
        self.process = process
        self.url = url
        self.http = httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {API_KEY}"}, timeout=10
        )

    def command(self, command: str, **fields) -> None:
        self.process.stdin.write(json.dumps({"command": command, **fields}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().strip()
        assert answer == f"ok {command}", answer

    def reset(self) -> None:
        self.command("reset")

    def set_status(self, access_code_id: str, status: str) -> None:
        """What the real service does once the lock confirms (or starts removing) a code."""
        self.command("update_access_code", access_code_id=access_code_id, status=status)

    def codes(self, device_id: str) -> list[dict]:
        """Managed codes on a device, straight from the fake (whose list ignores device_id)."""
        body = self.http.get("/access_codes/list", params={"device_id": device_id}).json()
        return [c for c in body["access_codes"] if c["device_id"] == device_id]

    def add_event(self, **event) -> None:
        """What Seam records when a lock reports something at its door (a PIN typed, a wrong
        one): the fake has no keypad of its own to type at."""
        self.command("add_event", **event)

    def events(self) -> list[dict]:
        """Every event the fake has recorded, as events/list answers them."""
        since = "2000-01-01T00:00:00.000Z"
        return self.http.get("/events/list", params={"since": since}).json()["events"]

    def device(self, device_id: str) -> dict:
        return self.http.get("/devices/get", params={"device_id": device_id}).json()["device"]

    def add_unmanaged(self, device_id: str, code: str, name: str) -> dict:
        """A code someone put on the lock outside Seam (the fake creates it as `set`)."""
        response = self.http.post(
            "/access_codes/simulate/create_unmanaged_access_code",
            json={"device_id": device_id, "code": code, "name": name},
        )
        response.raise_for_status()
        return response.json()["access_code"]


@pytest.fixture(autouse=True)
def _seam_on_loopback(loopback_allowed):
    """Seam's fake server and the recorded pages are on loopback, which only
    OUTBOUND_ALLOWED_NETWORKS lets the Seam driver call (`locks.outbound`)."""


@pytest.fixture(scope="session")
def fake_seam_server():
    try:
        with fake_server.running() as (process, url):
            fake = FakeSeam(process, url)
            yield fake
            fake.http.close()
    except fake_server.Unavailable as reason:
        _unavailable(str(reason))


@pytest.fixture
def fake_seam(fake_seam_server):
    fake_seam_server.reset()
    return fake_seam_server


@pytest.fixture
def workspace(owner, fake_seam):
    """The owner's Seam workspace, as the Devices page's form connects it."""
    return DriverAccount.objects.create(
        owner=owner,
        driver="seam",
        name="Seam workspace",
        account_ref="seed_workspace_1",
        credentials={"api_key": API_KEY, "endpoint": fake_seam.url},
    )
