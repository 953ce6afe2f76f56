"""The guest page's buttons: "My code doesn't work" at a door, and "I've checked out".

Plain forms (no JavaScript needed); htmx, when the page has it, swaps a door's answer in
place. The token opens only its own stay, within the stay's window: any other link, door or
time is the closed page, the same whichever way it is wrong.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from locks.errors import ServiceError
from messaging.guest_help import guest_check_out, guest_help_ask
from messaging.guest_page.views import stay_door
from reservations.guest_links import guest_link_stay

CLOSED = "messaging/guest/closed.html"


def _open_stay(token: str, now):
    """The stay of the link, within its code's window; else None."""
    stay = guest_link_stay(token, now)
    if stay is None:
        return None
    starts, _ = stay.code_window(stay.owner)
    return stay if starts <= now else None


@never_cache
@require_POST
def guest_door_help(request, token: str, lock_id: int):
    now = timezone.now()
    stay = _open_stay(token, now)
    if stay is None:
        return render(request, CLOSED, status=404)
    door = stay_door(stay, lock_id)
    if door is None:
        raise Http404
    with translation.override(stay.language or "en"):
        answer = guest_help_ask(reservation=stay, lock=door, now=now)
        context = {"stay": stay, "door": door, "token": token, "answer": answer}
        if answer.steps:  # the PIN goes in here only, for this page
            context["steps"] = answer.steps.split("{pin}", 1)
        if request.htmx:
            return render(request, "messaging/guest/_door_help.html#answer", context)
        return render(request, "messaging/guest/help.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def guest_check_out_view(request, token: str):
    now = timezone.now()
    stay = _open_stay(token, now)
    if stay is None:
        return render(request, CLOSED, status=404)
    with translation.override(stay.language or "en"):
        context = {"stay": stay, "token": token}
        if request.method == "POST":
            try:
                guest_check_out(reservation=stay, now=now)
            except ServiceError:
                context["refused"] = True
            else:
                return render(request, "messaging/guest/goodbye.html", context)
        return render(request, "messaging/guest/check_out.html", context)
