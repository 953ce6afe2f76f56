"""A local stand-in of Seam's API answering from recorded answers (tests/seam/recorded/), for
what Seam's fake cannot produce: keypad entries naming their code, denied attempts, a feed
longer than a page, an unlock the lock fails to carry out. The driver reaches it through the
real `seam` SDK, pointed at its loopback address.

`events/list` pages its feed as Seam does: events created after `since` (or inside `between`,
both ends left out), of the `event_types` asked, at most `limit` (500 unless told), the newest
first (as Seam's own examples list them) or, with `newest_first=False`, the oldest first.
"""

import json
from copy import deepcopy
from datetime import datetime
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from locks.models import DriverAccount
from tests.local_server import LocalServer, send

RECORDED = Path(__file__).resolve().parent / "recorded"
API_KEY = "seam_recorded_key"
DEVICE_ID = "0b6ac7a5-8a9e-4c39-9f1e-6f3f1d2c8e41"  # Room 12 door, in devices_get.json


def recorded(name: str) -> dict:
    return json.loads((RECORDED / f"{name}.json").read_text())


def recorded_event(event_id_end: str, **fields) -> dict:
    """The recorded event whose id ends so, with `fields` changed."""
    events = recorded("events_list")["events"]
    (event,) = [e for e in events if e["event_id"].endswith(event_id_end)]
    return {**deepcopy(event), **fields}


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text)


class RecordedSeam(LocalServer):
    METHODS = ("GET", "POST")

    def __init__(self, events: list[dict] | None = None, *, newest_first: bool = True):
        super().__init__()
        self.events = list(recorded("events_list")["events"] if events is None else events)
        self.newest_first = newest_first
        self.answers = {"devices/get": recorded("devices_get")}
        self.asked: list[dict] = []  # the parameters of each events/list

    def handle(self, http: BaseHTTPRequestHandler) -> None:
        if http.headers.get("Authorization") != f"Bearer {API_KEY}":
            return self._answer(http, 401, {"error": {"type": "unauthorized"}, "ok": False})
        url = urlsplit(http.path)
        params = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(url.query).items()}
        length = int(http.headers.get("Content-Length") or 0)
        if length:
            params.update(json.loads(http.rfile.read(length)))
        path = url.path.strip("/")
        if path == "events/list":
            return self._answer(http, 200, {"events": self._events(params), "ok": True})
        if path in self.answers:
            return self._answer(http, 200, self.answers[path])
        not_found = {"type": "not_found", "message": f"No route {path}"}
        return self._answer(http, 404, {"error": not_found, "ok": False})

    def _events(self, params: dict) -> list[dict]:
        self.asked.append(params)
        types = params.get("event_types")
        types = [types] if isinstance(types, str) else types
        if "between" in params:
            after, before = (_when(t) for t in params["between"])
        else:
            after, before = _when(params["since"]), None
        found = [
            e
            for e in self.events
            if _when(e["created_at"]) > after
            and (before is None or _when(e["created_at"]) < before)
            and (not types or e["event_type"] in types)
        ]
        found.sort(key=lambda e: _when(e["created_at"]), reverse=self.newest_first)
        return found[: int(float(params.get("limit", 500)))]

    @staticmethod
    def _answer(http, status: int, body: dict) -> None:
        send(http, status, json.dumps(body).encode(), "application/json")


@pytest.fixture
def recorded_seam():
    with RecordedSeam() as server:
        yield server


@pytest.fixture
def recorded_workspace(owner, recorded_seam):
    """The owner's Seam workspace, answered by the recorded stand-in."""
    return DriverAccount.objects.create(
        owner=owner,
        driver="seam",
        name="Seam workspace",
        account_ref="9a8b7c6d-5e4f-3a2b-1c0d-9e8f7a6b5c4d",
        credentials={"api_key": API_KEY, "endpoint": recorded_seam.base_url},
    )
