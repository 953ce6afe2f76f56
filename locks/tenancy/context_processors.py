def current_owner(request):
    pending = getattr(request, "two_factor_pending", "")  # set by TwoFactorMiddleware
    membership = getattr(request, "membership", None)
    if membership is None or pending == "code":
        # Half-way through signing in, the page names no company and offers no menu.
        return {"two_factor_pending": pending}
    mine = getattr(request, "memberships", [])  # set by CurrentOwnerMiddleware
    return {
        "membership": membership,
        "owner": membership.owner,
        "is_manager": membership.is_manager,
        "other_memberships": [m for m in mine if m.pk != membership.pk],
        "two_factor_pending": pending,
    }
