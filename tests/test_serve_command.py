"""`manage.py serve` (what `make run` calls): the dashboard, its worker and the door listener,
stopped together.

A plain `kill` (SIGTERM, what a process manager or a terminal's close sends) used to end only
`serve` itself: the web server and the worker it started kept running, the old code still
answering on the port. Ctrl-C (SIGINT) stops them too; if one of them dies the others are
stopped and `serve` fails, naming it; and nothing of django-q2's cluster (a sentinel, a pusher,
a monitor and the workers, forked by `qcluster`) is left behind in any of these cases.
"""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from django.db import connection

from tests.production_server import BASE_DIR, database_url_for
from tests.seam.fake_server import free_port

START_SECONDS = 60
STOP_SECONDS = 30  # serve's own 10 seconds per child, and some

pytestmark = pytest.mark.django_db(transaction=True)


def _process_table() -> dict[int, tuple[int, str]]:
    """Every process on the machine: its parent and its state (Z: a zombie, dead)."""
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # it ended while we looked
            state, ppid = stat.rpartition(")")[2].split()[:2]
            table[int(entry)] = (int(ppid), state)
    return table


def _descendants(pid: int) -> set[int]:
    table = _process_table()
    found: set[int] = set()
    parents = [pid]
    while parents:
        parent = parents.pop()
        for child, (ppid, _) in table.items():
            if ppid == parent and child not in found:
                found.add(child)
                parents.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    table = _process_table()
    return {pid for pid in pids if pid in table and table[pid][1] != "Z"}


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


@dataclass
class Serving:
    process: subprocess.Popen
    port: int
    log_path: Path
    children: dict[str, int]  # "qcluster", "runserver", "listen_doors": the pid of each
    tree: set[int]  # every process under serve, the cluster's included, once all started

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def answers(self) -> bool:
        try:
            return httpx.get(f"http://127.0.0.1:{self.port}/login/", timeout=2).status_code == 200
        except httpx.TransportError:
            return False


@contextmanager
def serving(tmp_path) -> Iterator[Serving]:
    """`manage.py serve` on a copy of the test's database, once the page answers and the task
    worker's cluster has started its processes; whatever is left of it is killed afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for(connection, tmp_path),
        "DEBUG": "True",
        "Q_WORKERS": "1",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "serve", f"127.0.0.1:{port}"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    serve = Serving(process=process, port=port, log_path=log_path, children={}, tree=set())
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            assert process.poll() is None, f"serve stopped:\n{serve.log()}"
            assert time.monotonic() < deadline, f"serve never started:\n{serve.log()}"
            children = {
                name: pid
                for pid in _descendants(process.pid)
                for name in ("qcluster", "runserver", "listen_doors")
                if f"manage.py {name}" in _command(pid)
                and _process_table().get(pid, (0,))[0] == process.pid
            }
            # The cluster: a sentinel, which starts a pusher, a monitor and a worker.
            cluster = _descendants(children["qcluster"]) if "qcluster" in children else set()
            if len(children) == 3 and len(cluster) >= 4 and serve.answers():
                break
            time.sleep(0.3)
        serve.children = children
        serve.tree = _descendants(process.pid)
        yield serve
    finally:
        # Nothing is left behind, even when the test fails.
        for pid in _alive(serve.tree | _descendants(process.pid)):
            os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()
            process.wait()


def _all_gone(serve: Serving) -> set[int]:
    """What is still running of serve's processes once they have had time to stop."""
    deadline = time.monotonic() + STOP_SECONDS
    while _alive(serve.tree) and time.monotonic() < deadline:
        time.sleep(0.2)
    return {pid: _command(pid) for pid in _alive(serve.tree)}


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_web_server_the_worker_and_its_cluster(owner, tmp_path, signum):
    with serving(tmp_path) as serve:
        assert len(serve.tree) >= 7  # three children, and the cluster under the worker

        serve.process.send_signal(signum)
        assert serve.process.wait(timeout=STOP_SECONDS) == 0, serve.log()
        assert _all_gone(serve) == {}, "these kept running"
        assert not serve.answers()


@pytest.mark.parametrize(
    ("child", "name"),
    [("qcluster", "The task worker"), ("runserver", "The web server")],
    ids=["worker", "web"],
)
def test_when_one_dies_the_others_are_stopped_and_serve_fails_saying_which(
    owner, tmp_path, child, name
):
    with serving(tmp_path) as serve:
        # Killed outright (the kernel's out-of-memory killer, a stray kill -9): it stops nothing
        # of its own, so the worker's cluster would be orphaned.
        os.kill(serve.children[child], signal.SIGKILL)

        assert serve.process.wait(timeout=STOP_SECONDS) == 1
        log = serve.log()
        assert f"{name} stopped (exit status -9)" in log, log
        assert "were stopped too" in log
        assert _all_gone(serve) == {}, "these kept running"
        assert not serve.answers()
