"""Today's first-run checklist: the steps of a new owner's first hour, for its managers.

Each step links to its page and is ticked from the owner's own data (one query, plus whether
texts really leave). It shows until every step is done, or until a manager puts it away.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.db.models import Exists, OuterRef
from django.shortcuts import redirect
from django.urls import reverse

from locks.models import Lock, Owner
from locks.tenancy.decorators import manager_post
from locks.tenancy.services import first_run_dismiss as owner_first_run_dismiss
from messaging.owner_settings import sms_connected
from reservations.models import Reservation, ReservationFeed


@dataclass(frozen=True)
class Step:
    title: str
    detail: str
    url: str
    link: str
    done: bool


def _owned(model, **filters):
    return Exists(model.objects.filter(owner=OuterRef("pk"), **filters))


def first_run_steps(request, properties: list) -> list[Step]:
    """The checklist for this member on Today, or [] (the front desk, put away, or all done)."""
    membership = request.membership
    owner = membership.owner
    if not membership.is_manager or owner.first_run_dismissed:
        return []
    has = (
        Owner.objects.filter(pk=owner.pk)
        .annotate(
            lock=_owned(Lock),
            pool=_owned(Lock, backup_pool_enabled=True),
            stay=_owned(Reservation),
            feed=_owned(ReservationFeed),
        )
        .values("lock", "pool", "stay", "feed")
        .get()
    )
    steps = [
        Step(
            "Connect your locks",
            "Link a Seam workspace or a Z-Wave JS server, or add a simulated lock to try things.",
            reverse("devices"),
            "Devices",
            has["lock"],
        ),
        Step(
            "Add a property",
            "Your hotel or home, with its rooms, so each stay has its doors.",
            reverse("property_create"),
            "Add a property",
            bool(properties),
        ),
        Step(
            "Import your stays",
            "From a spreadsheet (CSV), or add a booking calendar (Airbnb, Vrbo, Booking.com) "
            "on Feeds.",
            reverse("csv_import"),
            "Import from CSV",
            has["stay"] or has["feed"],
        ),
        Step(
            "Turn on backup codes",
            "Codes kept ready on each lock, for a guest whose own code does not work.",
            reverse("settings") + "#codes-settings",
            "Settings → Guest codes and locks",
            owner.backup_pool_on_new_locks or has["pool"],
        ),
        Step(
            "Connect Twilio",
            "So guests get their codes by text; until then messages wait in the Outbox, unsent.",
            reverse("settings_messages"),
            "Settings → Messages",
            sms_connected(owner),
        ),
    ]
    if all(step.done for step in steps):
        return []
    return steps


@manager_post
def first_run_dismiss(request):
    owner_first_run_dismiss(owner=request.membership.owner)
    messages.success(request, "The first-run checklist is put away.")
    return redirect("today")
