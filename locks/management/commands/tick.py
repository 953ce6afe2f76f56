"""One full reconcile pass over every due lock, synchronously (for cron users and tests)."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from locks.door_events import accounts_events_read_due
from locks.outgoing.delivery import webhooks_send_due
from locks.scheduler import run_due_locks


class Command(BaseCommand):
    help = (
        "Read the locks' event feeds, reconcile every lock that is due now, then send every "
        "webhook delivery that is due, in this process, and return."
    )

    def handle(self, *args, **options):
        events = accounts_events_read_due(now=timezone.now())
        done = run_due_locks()
        sent = webhooks_send_due()
        self.stdout.write(
            f"Read {events} new lock event{'s' if events != 1 else ''}. "
            f"Checked {done} lock{'s' if done != 1 else ''}. "
            f"Sent {sent} webhook deliver{'ies' if sent != 1 else 'y'}."
        )
