"""`python manage.py prune_audit --before YYYY-MM-DD`: delete audit entries older than a day."""

from datetime import UTC, datetime

from django.core.management.base import BaseCommand, CommandError

from locks.models import AuditEntry


class Command(BaseCommand):
    help = "Delete the audit log's entries from before a day (UTC), every owner's."

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="A day, YYYY-MM-DD: older goes.")

    def handle(self, *args, before: str, **options):
        try:
            day = datetime.strptime(before, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise CommandError(f"“{before}” is not a day: write it YYYY-MM-DD.") from None
        deleted, _ = AuditEntry.objects.filter(at__lt=day).delete()
        self.stdout.write(
            f"Deleted {deleted} audit entr{'y' if deleted == 1 else 'ies'} from before {before}."
        )
