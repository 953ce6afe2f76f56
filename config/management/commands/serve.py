"""The dashboard, its task worker and the door listener (`listen_doors`) in one command (what
`make run` calls); Ctrl-C stops them all, and so does a plain `kill` (SIGTERM), which would
otherwise leave them running, the old code still serving the port."""

import signal
import subprocess
import sys
import time

from django.core.management.base import BaseCommand, CommandError


def _stop(signum, frame):
    raise KeyboardInterrupt  # stop as Ctrl-C does: the children are told to stop, then waited for


class Command(BaseCommand):
    help = "Serve the dashboard and run the django-q2 worker beside it, until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args, addrport: str, **options):
        signal.signal(signal.SIGTERM, _stop)
        manage = [sys.executable, "manage.py"]
        worker = subprocess.Popen([*manage, "qcluster"])
        web = subprocess.Popen([*manage, "runserver", addrport, "--noreload"])
        # Z-Wave locks push their events: someone must be connected to hear them.
        listener = subprocess.Popen([*manage, "listen_doors"])
        self.stdout.write(f"Innkeeper is at http://{addrport}/ (Ctrl-C stops it)")
        processes = [web, worker, listener]
        interrupted = False
        try:
            while all(p.poll() is None for p in processes):
                time.sleep(0.5)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            for process in processes:
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
        if not interrupted:
            raise CommandError(
                "The web server, the task worker or the door listener stopped; see the output "
                "above."
            )
