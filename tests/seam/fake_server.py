"""Seam's own fake server (`@seamapi/fake-seam-connect`, pinned in package-lock.json), run as
a process of its own on a free loopback port: for the seam tests and the API benchmark."""

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
LAUNCHER = HERE / "fake_seam.mjs"
# Installed beside the tests by .ci/fake-seam.sh, from this folder's package-lock.json.
PACKAGE = HERE / "node_modules" / "@seamapi" / "fake-seam-connect"
START_SECONDS = 30
API_KEY = "seam_apikey1_token"  # the fake's seeded workspace


class Unavailable(Exception):
    """The fake cannot run here, and why."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing() -> str:
    """What the fake needs and this machine lacks ("" when nothing)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not PACKAGE.exists():
        return "@seamapi/fake-seam-connect is not installed (make test runs npm ci)"
    return ""


@contextmanager
def running() -> Iterator[tuple[subprocess.Popen, str]]:
    """The fake's process and base URL, once it answers /health; stopped afterwards."""
    if missing():
        raise Unavailable(missing())
    url = f"http://127.0.0.1:{free_port()}"
    process = subprocess.Popen(
        [shutil.which("node"), str(LAUNCHER)],
        cwd=HERE,
        env={**os.environ, "PORT": url.rsplit(":", 1)[1]},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if process.poll() is not None:
                raise Unavailable(f"the fake server exited with status {process.returncode}")
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise Unavailable(f"the fake server did not answer /health within {START_SECONDS}s")
            time.sleep(0.1)
        yield process, url
    finally:
        process.stdin.close()  # the launcher stops its server and exits
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
