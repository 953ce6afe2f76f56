"""The dashboard, its task worker and the door listener (`listen_doors`) in one command (what
`make run` calls); Ctrl-C stops them all, and so does a plain `kill` (SIGTERM), which would
otherwise leave them running, the old code still serving the port. If one of them stops by
itself, the others are stopped and the command fails, naming it.

Each runs in a process group of its own, which its own children (django-q2's cluster forks a
sentinel, a pusher, a monitor and the workers) share: stopping a group stops all of them, even
those of a worker that was killed outright and could not stop its children itself."""

import contextlib
import os
import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError

STOP_SECONDS = 10  # for each to stop on SIGINT; then it and what is left of its group are killed


def _stop(signum, frame):
    raise KeyboardInterrupt  # stop as Ctrl-C does: the children are told to stop, then waited for


class Command(BaseCommand):
    help = "Serve the dashboard and run the django-q2 worker beside it, until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        signal.signal(signal.SIGTERM, _stop)
        manage = [sys.executable, "manage.py"]
        commands = {
            "the task worker": [*manage, "qcluster"],
            "the web server": [*manage, "runserver", addrport, "--noreload"],
            # Z-Wave locks push their events: someone must be connected to hear them.
            "the door listener": [*manage, "listen_doors"],
        }
        # A group each (process_group=0): Ctrl-C in the terminal reaches only this command,
        # which stops each group in turn.
        processes = {name: subprocess.Popen(cmd, process_group=0) for name, cmd in commands.items()}
        self.stdout.write(f"Innkeeper is at http://{addrport}/ (Ctrl-C stops it)")
        stopped = None
        try:
            while stopped is None:
                stopped = next((n for n, p in processes.items() if p.poll() is not None), None)
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        finally:
            # A second Ctrl-C or kill must not cut the stopping short and leave some running.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _stop_all(processes.values())
        if stopped is not None:
            others = " and ".join(n for n in processes if n != stopped)
            raise CommandError(
                f"{stopped.capitalize()} stopped (exit status {processes[stopped].returncode}), "
                f"so {others} were stopped too; see the output above."
            )


def _stop_all(processes) -> None:
    for process in processes:
        _signal_group(process, signal.SIGINT)
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
    # Whatever is left of each group: a process that would not stop, or the children of one
    # that died without stopping them.
    for process in processes:
        _signal_group(process, signal.SIGKILL)
        process.wait()


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the group is gone: nothing of it is left
        os.killpg(process.pid, signum)
