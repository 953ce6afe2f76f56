def current_owner(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    mine = getattr(request, "memberships", [])  # set by CurrentOwnerMiddleware
    return {
        "membership": membership,
        "owner": membership.owner,
        "is_manager": membership.is_manager,
        "other_memberships": [m for m in mine if m.pk != membership.pk],
    }
