"""`python manage.py create_api_key OWNER_SLUG [--name NAME]`: prints a new API key, once."""

from django.core.management.base import BaseCommand, CommandError

from locks.errors import ServiceError
from locks.models import Owner
from locks.tenancy import services as tenancy


class Command(BaseCommand):
    help = "Create an API key for an owner and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("owner_slug", help="The owner's slug, e.g. demo.")
        parser.add_argument("--name", default="Command line", help="What the key is for.")

    def handle(self, *args, owner_slug: str, name: str, **options):
        try:
            owner = Owner.objects.get(slug=owner_slug)
        except Owner.DoesNotExist:
            raise CommandError(f"No owner with the slug “{owner_slug}”.") from None
        try:
            _, secret = tenancy.api_key_create(owner=owner, name=name)
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        self.stderr.write(f"API key “{name}” for {owner.name} (shown once; keep it safe):")
        self.stdout.write(secret)
