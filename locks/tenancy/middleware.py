"""Which owner the signed-in person is working for (a person may belong to several)."""

from locks.models import Membership

SESSION_KEY = "owner_id"


class CurrentOwnerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        if request.user.is_authenticated:
            memberships = Membership.objects.filter(user=request.user).select_related("owner")
            chosen = request.session.get(SESSION_KEY)
            membership = next((m for m in memberships if m.owner_id == chosen), None)
            if membership is None:
                membership = memberships.order_by("owner__name").first()
            request.membership = membership
        return self.get_response(request)
