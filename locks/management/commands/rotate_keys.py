"""`python manage.py rotate_keys`: every encrypted PIN and secret re-encrypted with the newest key.

Put the new key first in FIELD_ENCRYPTION_KEYS (keeping the old ones after it), restart, run
this; then the old keys can be removed (docs/OPERATIONS.md, "Encryption keys").
"""

from django.core.management.base import BaseCommand, CommandError

from locks.crypto import UndecryptableError, secrets_reencrypt


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        try:
            counts = secrets_reencrypt()
        except UndecryptableError as exc:
            raise CommandError(str(exc)) from None
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted")
        self.stdout.write(f"Done: {sum(counts.values())} rows now use the newest key.")
