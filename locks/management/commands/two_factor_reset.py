"""`python manage.py two_factor_reset USERNAME`: for a person who lost their phone (and their
recovery codes): their authenticator app and recovery codes are removed, so their password alone
signs them in; if their company requires it, they are asked to set it up again at once."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from locks.tenancy import two_factor


class Command(BaseCommand):
    help = "Turn off a person's two-factor sign-in (lost phone): remove their app and codes."

    def add_arguments(self, parser):
        parser.add_argument("username", help="The person's username, as they sign in with it.")

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(username__iexact=username.strip()).first()
        if user is None:
            raise CommandError(f"No person signs in as “{username}”.")
        if not two_factor.two_factor_turn_off(user=user):
            self.stdout.write(f"{user.get_username()} has no two-factor sign-in: nothing to do.")
            return
        self.stdout.write(
            f"Two-factor sign-in of {user.get_username()} is off: their password alone signs "
            "them in now (they can set it up again in Two-factor sign-in, from the user menu)."
        )
