"""The guest's page. Every answer for a link that names no open stay is the same page, so a
link tells nobody whether a stay exists."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from reservations.guest_codes import doors_of
from reservations.guest_links import guest_link_find, guest_link_open


@never_cache
def guest_page(request, token: str):
    stay = guest_link_find(token)
    now = timezone.now()
    if stay is None or not guest_link_open(stay, now):
        return render(request, "messaging/guest/closed.html", status=404)
    context = {"stay": stay, "now": now, "token": token, "doors": doors_of(stay.unit)}
    return render(request, "messaging/guest/page.html", context)
