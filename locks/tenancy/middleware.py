"""Which owner the signed-in person is working for (a person may belong to several), the gate
of two-factor sign-in, and who acts for the audit log."""

from urllib.parse import urlencode

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from locks import audit
from locks.client_address import client_address
from locks.models import AuditEntry, Membership
from locks.tenancy import two_factor

SESSION_KEY = "owner_id"


class CurrentOwnerMiddleware:
    """Sets `request.membership` (the chosen owner's, else the first by name) and
    `request.memberships` (all of the person's, by owner name): one query, every request, so a
    person removed from an owner cannot reach it from the very next request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership, request.memberships = None, []
        if request.user.is_authenticated:
            request.memberships = list(
                Membership.objects.filter(user=request.user)
                .select_related("owner")
                .annotate(two_factor_on=two_factor.two_factor_on_for_member())
                .order_by("owner__name", "pk")
            )
            chosen = request.session.get(SESSION_KEY)
            request.membership = next(
                (m for m in request.memberships if m.owner_id == chosen), None
            )
            if request.membership is None:
                # Never chosen, or the person was removed from it since: the first one left.
                if chosen is not None:
                    del request.session[SESSION_KEY]
                request.membership = request.memberships[0] if request.memberships else None
        return self.get_response(request)


# Pages a person half-way through signing in (password right, code not yet) may open.
WHILE_CODE_PENDING = {"two_factor_verify", "logout"}
# Pages a manager who must set up two-factor sign-in may open before doing so.
WHILE_SETUP_NEEDED = {
    "two_factor",
    "two_factor_confirm",
    "two_factor_verify",
    "logout",
    "owner_switch",
}
# The REST API signs requests in with API keys, never with the session.
API_PREFIX = "/api/"


class TwoFactorMiddleware:
    """One gate for every page (dashboard and admin alike): a person whose two-factor sign-in is
    on reaches nothing but the code page until this session's code is right; a manager of an
    owner that requires it (Settings) reaches nothing but its set-up page until it is on.

    Sets `request.two_factor_pending`: "code", "setup" or "" (templates hide the menus while a
    code is awaited). After `CurrentOwnerMiddleware`, whose memberships it reads."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.two_factor_pending = ""
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or request.path_info.startswith(API_PREFIX):
            return None
        if user.is_verified():
            return None
        here = request.resolver_match.view_name if request.resolver_match else ""
        memberships = getattr(request, "memberships", [])
        # Read with the memberships (one query for both); a person with none asks on their own.
        on = memberships[0].two_factor_on if memberships else two_factor.two_factor_is_on(user)
        if on:
            request.two_factor_pending = "code"
            return None if here in WHILE_CODE_PENDING else _sent_to(request, "two_factor_verify")
        if two_factor.two_factor_required(memberships):
            request.two_factor_pending = "setup"
            return None if here in WHILE_SETUP_NEEDED else _sent_to(request, "two_factor")
        return None


def _sent_to(request, url_name: str):
    url = f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})}"
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)


class AuditActorMiddleware:
    """For the length of a request that may change something (not GET, HEAD or OPTIONS), the
    signed-in person is who acts (`locks.audit`): their changes are written in the audit log,
    from the dashboard or the admin. The API's authentication puts its key in their place.
    Cleared after every request, so work outside one (tasks, ticks) records nothing."""

    SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = None
        if request.method not in self.SAFE_METHODS and request.user.is_authenticated:
            source = (
                AuditEntry.Source.ADMIN
                if request.path.startswith(reverse("admin:index"))
                else AuditEntry.Source.DASHBOARD
            )
            actor = audit.person_actor(request.user, source=source, address=client_address(request))
        token = audit.actor_set(actor)
        try:
            return self.get_response(request)
        finally:
            audit.actor_reset(token)
