"""The answer to a sign-in refused by django-axes: the login page, saying why, with 429."""

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import render

from locks.tenancy.forms import SignInForm

# True whatever the person does next: a new password (Forgot your password?) does not lift the
# wait; `manage.py axes_reset_username` does, for an operator (docs/OPERATIONS.md).
LOCKED_OUT = (
    "Too many wrong passwords for this account or from this address. Try again in 15 "
    "minutes; if you have forgotten your password, choose a new one with “Forgot your "
    "password?” meanwhile."
)


def locked_out(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE, for the dashboard's login and the admin's alike."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = SignInForm(request, initial={"username": username})
    next_url = request.POST.get(REDIRECT_FIELD_NAME) or request.GET.get(REDIRECT_FIELD_NAME, "")
    return render(
        request,
        "registration/login.html",
        {"form": form, "locked_out": LOCKED_OUT, "next": next_url},
        status=429,
    )
