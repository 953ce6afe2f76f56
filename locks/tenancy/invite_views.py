"""The page an invite's link opens: a new person chooses their name and password; a person who
has an account already signs in and joins. Either way they land on Today of the owner that
invited them. A used, expired or withdrawn link gets a page that says so."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils import timezone

from locks.errors import ServiceError
from locks.tenancy import invites
from locks.tenancy.decorators import form_error
from locks.tenancy.forms import InviteAcceptForm
from locks.tenancy.middleware import SESSION_KEY

# The invite made the account, so no other backend has a say (django-axes only judges sign-ins).
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _unusable(request, invite, problem: str):
    status = 404 if problem == invites.UNKNOWN else 410
    context = {"problem": problem, "invite": invite}
    return render(request, "registration/invite_unusable.html", context, status=status)


def _gone(request, invite, now):
    """The invite stopped working while the page was open (used in another tab, withdrawn)."""
    invite.refresh_from_db()
    return _unusable(request, invite, invites.invite_problem(invite, now=now) or invites.USED)


def _welcome(request, invite):
    request.session[SESSION_KEY] = invite.owner_id
    messages.success(
        request,
        f"Welcome to {invite.owner.name}. You are signed in as "
        f"{invite.get_role_display().lower()}.",
    )
    return redirect("today")


def invite_accept(request, token):
    now = timezone.now()
    invite = invites.invite_find(token=token)
    problem = invites.invite_problem(invite, now=now)
    if problem:
        return _unusable(request, invite, problem)
    context = {"invite": invite, "role": invite.get_role_display().lower()}

    if request.user.is_authenticated:
        if not invites.users_with_email(invite.email).filter(pk=request.user.pk).exists():
            return render(request, "registration/invite_accept.html", {**context, "mode": "other"})
        if request.method == "POST":
            try:
                invites.invite_accept_existing(invite=invite, user=request.user, now=now)
            except ServiceError:
                return _gone(request, invite, now)
            return _welcome(request, invite)
        return render(request, "registration/invite_accept.html", {**context, "mode": "join"})

    existing = invites.account_for(invite.email)
    if existing is not None:
        context = {**context, "mode": "sign_in", "account": existing}
        return render(request, "registration/invite_accept.html", context)

    form = InviteAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invites.invite_accept_new(
                invite=invite,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
                now=now,
            )
        except ServiceError as exc:
            if exc.type == "invite_not_usable":
                return _gone(request, invite, now)
            form_error(form, exc)
        else:
            login(request, user, backend=BACKEND)
            return _welcome(request, invite)
    status = 400 if form.errors else 200
    context = {**context, "mode": "new", "form": form}
    return render(request, "registration/invite_accept.html", context, status=status)
