"""`manage.py serve` (what `make run` calls): the dashboard and its worker, stopped together.

A plain `kill` (SIGTERM, what a process manager or a terminal's close sends) used to end only
`serve` itself: the web server and the worker it started kept running, the old code still
answering on the port.
"""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest
from django.db import connection

from tests.production_server import BASE_DIR, database_url_for
from tests.seam.fake_server import free_port

START_SECONDS = 30
STOP_SECONDS = 20


def _children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True)
    return [int(line) for line in found.stdout.split()]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.mark.django_db(transaction=True)
def test_a_sigterm_stops_the_web_server_and_the_worker_with_it(owner, tmp_path):
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url_for(connection, tmp_path), "DEBUG": "True"}
    serve = subprocess.Popen(
        [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: list[int] = []
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            try:
                assert httpx.get(f"http://127.0.0.1:{port}/login/").status_code == 200
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "serve never answered"
                time.sleep(0.3)
        children = _children(serve.pid)
        assert len(children) == 3  # the web server, the worker and the door listener

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=STOP_SECONDS)
        deadline = time.monotonic() + STOP_SECONDS
        while not all(_gone(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert all(_gone(pid) for pid in children), "the web server or the worker kept running"
        with pytest.raises(httpx.TransportError):
            httpx.get(f"http://127.0.0.1:{port}/login/", timeout=2)
    finally:
        # Nothing is left behind, even when the test fails.
        for pid in [*_children(serve.pid), *children]:
            if not _gone(pid):
                os.kill(pid, signal.SIGKILL)
        if serve.poll() is None:
            serve.kill()
