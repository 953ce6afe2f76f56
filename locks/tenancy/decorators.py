"""What every dashboard view opens with: a signed-in member, a manager for changes, and the
owner's own objects only (another owner's answer 404)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from locks.errors import NotFound, ServiceError


def membership_required(view):
    """A signed-in person who belongs to no owner gets a polite page instead of the view."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.membership is None:
            return render(request, "locks/no_company.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def manager_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.membership.is_manager:
            return render(request, "locks/forbidden.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def member_view(view):
    """Any signed-in member of an owner."""
    return login_required(membership_required(view))


def manager_view(view):
    """A manager's page (front desk gets the polite refusal)."""
    return login_required(membership_required(manager_required(view)))


def manager_post(view):
    """A manager's change: POST only."""
    return manager_view(require_POST(view))


def owned_or_404(read, request, object_id, message: str):
    """`read(owner, id)` for the signed-in member's owner; another owner's object is a 404."""
    try:
        return read(request.membership.owner, object_id)
    except NotFound:
        raise Http404(message) from None


def form_error(form, exc: ServiceError) -> None:
    """Show a service's refusal beside the field it names, or above the form."""
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)
