"""Read every calendar feed that is due, synchronously (for cron users and tests)."""

from django.core.management.base import BaseCommand

from reservations.imports.polling import run_due_feeds


class Command(BaseCommand):
    help = "Read every reservation feed that is due now, in this process, and return."

    def handle(self, *args, **options):
        done = run_due_feeds()
        self.stdout.write(f"Read {done} feed{'s' if done != 1 else ''}.")
