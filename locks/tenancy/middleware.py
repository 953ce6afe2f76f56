"""Which owner the signed-in person is working for (a person may belong to several)."""

from django.urls import reverse

from locks import audit
from locks.client_address import client_address
from locks.models import AuditEntry, Membership

SESSION_KEY = "owner_id"


class CurrentOwnerMiddleware:
    """Sets `request.membership` (the chosen owner's, else the first by name) and
    `request.memberships` (all of the person's, by owner name): one query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership, request.memberships = None, []
        if request.user.is_authenticated:
            request.memberships = list(
                Membership.objects.filter(user=request.user)
                .select_related("owner")
                .order_by("owner__name", "pk")
            )
            chosen = request.session.get(SESSION_KEY)
            request.membership = next(
                (m for m in request.memberships if m.owner_id == chosen),
                request.memberships[0] if request.memberships else None,
            )
        return self.get_response(request)


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
