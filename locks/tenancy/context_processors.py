from locks.models import Membership


def current_owner(request):
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    others = (
        Membership.objects.filter(user=request.user)
        .exclude(pk=membership.pk)
        .select_related("owner")
    )
    return {
        "membership": membership,
        "owner": membership.owner,
        "is_manager": membership.is_manager,
        "other_memberships": others,
    }
