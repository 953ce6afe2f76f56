"""Innkeeper served as in production, in its own process, for a `with` block: gunicorn with the
project's gunicorn.conf.py, static files collected and served by WhiteNoise, `DEBUG=False`.

    with production_server(database_url) as server:
        httpx.get(server.base_url + "/login/")
    assert server.returncode == 0  # stopped gracefully

`database_url` names a migrated database another process can open. In a test, that is
`database_url_for(connection, tmp_path)` in a `django_db(transaction=True)` test, called once
the test's rows are written (see there); a benchmark passes its throwaway database's URL.

The server binds a free loopback port (port 0, read back from its log), answers for the host
127.0.0.1, and takes the rest of its environment from this process's, then from `env` (e.g.
`WEB_CONCURRENCY`, `WEB_THREADS`; `SECURE_COOKIES=False` to sign in over its plain HTTP). When
the block ends it gets SIGTERM, gunicorn's graceful stop; `server.log()` is everything it
wrote, access log and error log.
"""

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import httpx

BASE_DIR = Path(__file__).resolve().parent.parent
START_SECONDS = 30
STOP_SECONDS = 40  # gunicorn.conf.py's graceful_timeout, and some
LISTENING = re.compile(r"Listening at: http://127\.0\.0\.1:(\d+)")


@dataclass
class ProductionServer:
    process: subprocess.Popen
    log_path: Path
    base_url: str = ""
    returncode: int | None = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def database_url_for(connection, folder: Path) -> str:
    """The DATABASE_URL at which a server finds the rows `connection` has committed.

    The same database, but for the tests' SQLite database, which is in memory: that one is
    copied as it is now into a file in `folder`, and what the server writes stays in the copy.
    """
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
        user = quote(db["USER"] or "", safe="")
        return f"postgres://{user}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    if not connection.is_in_memory_db():
        return f"sqlite:///{db['NAME']}"
    path = folder / "server.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    return f"sqlite:///{path}"


def _run(args: list[str], env: dict[str, str]) -> None:
    run = subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, f"{' '.join(args)} failed:\n{run.stdout}{run.stderr}"


def _started(server: ProductionServer) -> str:
    """The base URL once a worker answers; the server's log in the failure if it never does."""
    deadline = time.monotonic() + START_SECONDS
    base_url = ""
    while time.monotonic() < deadline and server.process.poll() is None:
        if not base_url and (listening := LISTENING.search(server.log())):
            base_url = f"http://127.0.0.1:{listening[1]}"
        if base_url:
            try:
                httpx.head(base_url + "/", timeout=START_SECONDS)
                return base_url
            except httpx.TransportError:
                pass
        time.sleep(0.1)
    raise AssertionError(f"gunicorn did not start:\n{server.log()}")


def _stop(server: ProductionServer) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
    try:
        server.returncode = server.process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.returncode = server.process.wait()


@contextmanager
def production_server(
    database_url: str, *, folder: Path, env: dict[str, str] | None = None
) -> Iterator[ProductionServer]:
    """gunicorn serving Innkeeper on `database_url`; its static files and log go in `folder`."""
    server_env = {
        **os.environ,
        "DEBUG": "False",
        "DATABASE_URL": database_url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(folder / "static"),
        "WEB_BIND": "127.0.0.1:0",
        **(env or {}),
    }
    _run(["manage.py", "collectstatic", "--noinput"], server_env)
    log_path = folder / "gunicorn.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(BASE_DIR / "gunicorn.conf.py")],
            cwd=BASE_DIR,
            env=server_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ProductionServer(process=process, log_path=log_path)
    try:
        server.base_url = _started(server)
        yield server
    finally:
        _stop(server)
