"""The stay's doors: *Unlock now* for its guest, and its entries' export (managers).

The same answers as the lock page's (`locks.entry_views`), for one of the stay's own doors
and recorded for the stay, from its day of arrival until it ends.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from locks import selectors as lock_selectors
from locks.entry_views import csv_name, entries_csv, unlock_answer
from locks.forms import UnlockForm
from locks.tenancy.decorators import manager_view, member_view, owned_or_404
from reservations import guest_codes, selectors
from reservations.models import Reservation


def unlock_offered(stay: Reservation, now) -> bool:
    """Whether the desk may unlock the stay's doors for its guest now: from the day of
    arrival (at the property) until the stay ends, as backups are given."""
    tz = stay.unit.property.tz
    return (
        stay.is_confirmed
        and stay.ends_at > now
        and stay.check_in.astimezone(tz).date() <= now.astimezone(tz).date()
    )


def _stay(request, reservation_id) -> Reservation:
    return owned_or_404(selectors.reservation_get, request, reservation_id, "No such reservation.")


@member_view
def reservation_unlock(request, reservation_id, lock_id):
    """*Unlock now* on the stay's page, for one of its doors."""
    stay = _stay(request, reservation_id)
    lock = owned_or_404(lock_selectors.lock_get, request, lock_id, "No such lock.")
    if lock.pk not in {door.pk for door in guest_codes.doors_of(stay.unit)}:
        raise Http404("That door is not one of this stay's.")
    box = {"guest": stay, "lock": lock, "unlock_url": request.path}
    back = reverse("reservation_detail", args=[stay.pk]) + "#stay-unlock"
    if not unlock_offered(stay, timezone.now()):
        closed = (
            f"{stay.guest_name}'s stay is not on today, so its doors are not unlocked from "
            "here. If someone needs to get in, unlock the door from its own page."
        )
        if request.htmx:
            return render(request, "locks/unlock.html#unlock-box", {**box, "failed": closed})
        messages.error(request, closed)
        return redirect(back)
    form = UnlockForm(request.POST if request.method == "POST" else None)
    if request.method != "POST":
        return render(request, "locks/unlock.html", {**box, "unlock_form": form})
    return unlock_answer(request, lock=lock, form=form, box=box, back=back)


@manager_view
def reservation_entries_csv(request, reservation_id):
    """Every entry of the stay at its doors, oldest first."""
    stay = _stay(request, reservation_id)
    tz = stay.unit.property.tz
    return entries_csv(
        selectors.stay_entries(stay).reverse().iterator(chunk_size=500),
        filename=csv_name(stay.guest_name),
        tz_of=lambda event: tz,
        with_kind=False,
    )
