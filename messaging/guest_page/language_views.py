"""The guest page's language: the stay's own (from the booking, or chosen on the page), else
the guest's browser's. A tiny form on the page changes it, without JavaScript."""

from contextlib import suppress
from functools import wraps

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from locks.errors import ServiceError
from reservations.guest_links import guest_link_find, guest_link_stay
from reservations.stays import reservation_update

CODES = {code for code, _ in settings.GUEST_LANGUAGES}


def page_language(request, stay) -> str:
    """The stay's language; for a stay without one (or a link that opens none), the browser's."""
    if stay is not None and stay.language in CODES:
        return stay.language
    return translation.get_language_from_request(request)


def in_stay_language(view):
    """Answer a guest page's request in its stay's language (the open page and the closed one)."""

    @wraps(view)
    def wrapped(request, token: str, *args, **kwargs):
        language = page_language(request, guest_link_find(token))
        with translation.override(language):
            response = view(request, token, *args, **kwargs)
        response.headers.setdefault("Content-Language", language)
        return response

    return wrapped


@never_cache
@require_POST
def guest_language(request, token: str):
    """The guest picks their language: the stay keeps it (its messages follow it too)."""
    now = timezone.now()
    stay = guest_link_stay(token, now)
    if stay is None:
        with translation.override(page_language(request, None)):
            return render(request, "messaging/guest/closed.html", status=404)
    chosen = request.POST.get("language", "")
    if chosen in CODES and chosen != stay.language:
        # A stay that can no longer change (checked out) keeps its language.
        with suppress(ServiceError):
            reservation_update(reservation=stay, now=now, language=chosen)
    return redirect("guest_page", token=token)
