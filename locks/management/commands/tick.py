"""One full reconcile pass over every due lock, synchronously (for cron users and tests)."""

from django.core.management.base import BaseCommand

from locks.scheduler import run_due_locks


class Command(BaseCommand):
    help = "Reconcile every lock that is due now, in this process, and return."

    def handle(self, *args, **options):
        done = run_due_locks()
        self.stdout.write(f"Checked {done} lock{'s' if done != 1 else ''}.")
