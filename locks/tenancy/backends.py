"""Signing in with a username or an email address, whatever its capitals.

Invited people's username is their email (lowercased); people type it as their address book
has it ("Dora@Example.com"), and older accounts may be signed in to by their email too.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class EmailOrUsernameBackend(ModelBackend):
    """After Django's `ModelBackend` (listed before it, which checks the exact username): the one
    account whose username or email matches, ignoring case. Two accounts sharing an address sign
    in by username only."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not username or password is None:
            return None
        users = get_user_model()._default_manager
        if users.filter(username=username).exists():
            return None  # ModelBackend has answered for this one
        found = list(users.filter(Q(username__iexact=username) | Q(email__iexact=username))[:2])
        if len(found) != 1:
            users.model().set_password(password)  # as long as a real check: no account oracle
            return None
        user = found[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
