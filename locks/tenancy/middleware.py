"""Which owner the signed-in person is working for (a person may belong to several)."""

from locks.models import Membership

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
