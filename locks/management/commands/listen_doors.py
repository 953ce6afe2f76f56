"""Listen to the locks that push their events (Z-Wave JS accounts) until stopped."""

import signal
import threading

from django.core.management.base import BaseCommand

from locks.door_listener import listen_doors


class Command(BaseCommand):
    help = (
        "Keep a connection to every connected Z-Wave JS Server and record what its locks "
        "report at their doors (entries, wrong codes, locks and unlocks), until Ctrl-C."
    )

    def handle(self, *args, **options):
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        self.stdout.write("Listening to the Z-Wave JS accounts' locks (Ctrl-C stops).")
        listen_doors(stop=stop)
