"""The guest's page. Every answer for a link that names no open stay is the same page, so a
link tells nobody whether a stay exists.

The page works without JavaScript: the property, the stay's dates in the property's time, the
doors in the order the guest meets them (the shared doors, then the room's), the owner's
arrival instructions and photos, and the PIN from the start of the code's window. Photos are
served here only, to the stays whose doors they show (`locks.photos`).
"""

from functools import wraps

from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from locks.models import Lock
from locks.photos import photo_content_type
from reservations.guest_codes import doors_of
from reservations.guest_links import guest_link_stay
from reservations.models import Reservation


def _private(view):
    """No cache keeps the page, no link out of it tells where it was, no search engine lists it."""

    @never_cache
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        # same-origin, not no-referrer: a form posted without JavaScript must keep its Origin
        # for Django's CSRF check; the token still never leaves the site.
        response["Referrer-Policy"] = "same-origin"
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response

    return wrapped


def _closed(request):
    """In the language the URL's wrapper chose (`language_views.in_stay_language`)."""
    return render(request, "messaging/guest/closed.html", status=404)


def stay_door(stay: Reservation, lock_id: int) -> Lock | None:
    """One of the stay's doors by its id, else None (another stay's door opens nothing)."""
    return next((door for door in doors_of(stay.unit) if door.pk == lock_id), None)


def guest_doors(stay: Reservation) -> list[Lock]:
    """The stay's doors in the order the guest meets them: the property's shared doors (the
    street entrance) first, then the room's own."""
    return sorted(doors_of(stay.unit), key=lambda door: (door.unit_id is not None, door.name))


@_private
def guest_page(request, token: str):
    now = timezone.now()
    stay = guest_link_stay(token, now)
    if stay is None:
        return _closed(request)
    starts, ends = stay.code_window(stay.owner)
    context = {
        "stay": stay,
        "property": stay.unit.property,
        "tz": stay.unit.property.tz,
        "now": now,
        "token": token,
        "doors": guest_doors(stay),
        "code_starts": starts,
        # The PIN only inside its window; the link itself closes when the stay ends.
        "pin": stay.pin if starts <= now < ends else "",
    }
    return render(request, "messaging/guest/page.html", context)


@_private
def guest_photo(request, token: str, kind: str, object_id: int):
    """An arrival photo of the stay's property or of one of its doors; anything else, the
    closed page."""
    stay = guest_link_stay(token, timezone.now())
    if stay is None:
        return _closed(request)
    if kind == "property" and object_id == stay.unit.property_id:
        photo = stay.unit.property.arrival_photo
    elif kind == "door":
        door = stay_door(stay, object_id)
        photo = door.arrival_photo if door else None
    else:
        photo = None
    if not photo:
        return _closed(request)
    try:
        opened = photo.open("rb")
    except OSError:
        return _closed(request)
    content_type = photo_content_type(opened)
    if content_type is None:
        opened.close()
        return _closed(request)
    response = FileResponse(opened, content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response
