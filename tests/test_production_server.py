"""The production web server for real: gunicorn with gunicorn.conf.py in its own process, on
this test's database (tests/production_server.py), through real HTTP.

Runs in `make test` (SQLite) and `make test-postgres`; it never skips: a missing gunicorn, a
broken config or a server that will not start fails it.
"""

import re
import socket

import httpx
import pytest
from django.db import connection
from django.utils import timezone
from seam import Seam

from locks.access_codes import access_code_create
from tests.production_server import database_url_for, production_server

PIN = "482913"


def raw_request(base_url: str, request: bytes) -> bytes:
    """What the server answers to bytes no HTTP client would send."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        return conn.recv(200)


# A token of the guest page's shape (its stay is not there: the page answers 404, logged).
GUEST_TOKEN = "wJlLxEL1QJOKgBeF0A_tiA.DTj1wFE_3AW0ttifX_5AdCX1Bcr-JhFUgPpa_tfkKeU"


@pytest.mark.django_db(transaction=True)
def test_gunicorn_serves_pages_styles_and_the_api_keeps_pins_out_of_its_log_and_stops(
    lock, key, tmp_path
):
    access_code_create(lock=lock, now=timezone.now(), name="Cleaner", code=PIN)

    with (
        production_server(database_url_for(connection, tmp_path), folder=tmp_path) as server,
        httpx.Client(base_url=server.base_url, timeout=10) as http,
    ):
        login = http.get("/login/")
        assert login.status_code == 200 and 'name="password"' in login.text
        (stylesheet,) = re.findall(r'<link rel="stylesheet" href="([^"]+)"', login.text)
        styles = http.get(stylesheet)
        assert styles.status_code == 200
        assert styles.headers["content-type"].startswith("text/css") and styles.content

        refused = http.get("/api/locks/list", headers={"Authorization": "Bearer seam_ik_nope"})
        assert refused.status_code == 401
        assert refused.json() == {
            "error": {
                "type": "unauthorized",
                "message": "That API key is not known. Check that it was copied whole.",
            },
            "ok": False,
        }

        with Seam(api_key=key, endpoint=f"{server.base_url}/api") as seam:
            locks = [(d.device_id, d.display_name) for d in seam.locks.list()]
        assert locks == [(str(lock.public_id), "Room 101 door")]
        # The API reads parameters from the query string too, so a PIN can arrive in a URL.
        found = http.get(
            "/api/access_codes/get",
            params={"device_id": str(lock.public_id), "code": PIN},
            headers={"Authorization": f"Bearer {key}"},
        )
        assert found.status_code == 200
        assert found.json()["access_code"]["name"] == "Cleaner"
        # A request line gunicorn refuses (a raw "é") is logged by gunicorn itself.
        refused_line = raw_request(
            server.base_url,
            f"GET /api/access_codes/get?code={PIN}&name=José HTTP/1.1\r\n".encode()
            + b"Host: 127.0.0.1\r\n\r\n",
        )
        assert refused_line.startswith(b"HTTP/1.1 400 ")
        # A guest page's token opens the stay's PIN: neither its page nor its 404 logs it.
        stay_page = http.get(f"/g/{GUEST_TOKEN}/")
        assert stay_page.status_code == 404

    assert server.returncode == 0, server.log()
    log = server.log()
    assert '"GET /api/access_codes/get HTTP/1.1" 200' in log
    assert "Invalid HTTP request line: 'GET /api/access_codes/get?…" in log
    assert PIN not in log
    assert GUEST_TOKEN not in log and '"GET /g/…/ HTTP/1.1" 404' in log
    assert "Shutting down: Master" in log
