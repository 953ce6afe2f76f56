"""Reads of messages for the dashboard: the Outbox, a stay's messages, one message's status.

Every one is scoped to an owner: another owner's message answers 404, as one that does not exist.
A message row never holds a PIN, so nothing read here can show one.
"""

from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from locks.errors import NotFound
from locks.models import Lock, Owner, Property
from locks.times import local_day_bounds
from messaging import texts
from messaging.models import FINAL_STATUSES, GuestHelp, Message
from reservations.models import Reservation


def messages_for(owner: Owner) -> QuerySet[Message]:
    """The owner's messages, newest first, with what a row shows (stay, property, sender)."""
    return (
        Message.objects.filter(owner=owner)
        .select_related("reservation__unit__property", "sent_by")
        .order_by("-created_at", "-pk")
    )


def message_get(owner: Owner, message_id) -> Message:
    try:
        return messages_for(owner).get(pk=message_id)
    except (Message.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("No message with that id.", type="message_not_found") from None


def outbox_search(
    owner: Owner,
    properties: list[Property],
    *,
    q: str = "",
    status: str = "",
    kind: str = "",
    day: date | None = None,
) -> QuerySet[Message]:
    """Messages matching the Outbox's filters: a guest's name or phone digits, a status, a kind,
    and the local day they were written (at the stay's property)."""
    found = messages_for(owner)
    q = q.strip()
    if q:
        match = Q(reservation__guest_name__icontains=q)
        digits = "".join(ch for ch in q if ch.isdigit())
        if len(digits) >= 3:
            match |= Q(to__contains=digits) | Q(from_number__contains=digits)
        found = found.filter(match)
    if status:
        found = found.filter(status=status)
    if kind:
        found = found.filter(kind=kind)
    if day:
        # A message without a stay (a text from an unknown number) counts in UTC.
        start, end = local_day_bounds(day, UTC)
        written = Q(reservation__isnull=True, created_at__gte=start, created_at__lt=end)
        for prop in properties:
            start, end = local_day_bounds(day, prop.tz)
            written |= Q(
                reservation__unit__property=prop, created_at__gte=start, created_at__lt=end
            )
        found = found.filter(written)
    return found


def messages_for_stay(reservation: Reservation, limit: int = 20) -> list[Message]:
    """A stay's messages, newest first (what its page shows)."""
    return list(
        Message.objects.filter(owner_id=reservation.owner_id, reservation=reservation)
        .select_related("sent_by")
        .order_by("-created_at", "-pk")[:limit]
    )


def any_pending(messages) -> bool:
    """Whether a list of messages still has one whose status can change (worth polling for)."""
    return any(m.status not in FINAL_STATUSES for m in messages)


def template_sample(
    owner: Owner, now: datetime, language: str = ""
) -> tuple[dict, list[texts.DoorPin]]:
    """A made-up stay for the templates' live preview: the owner's first room and its doors,
    with masked PINs. Never a real guest's PIN."""
    prop = Property.objects.filter(owner=owner).order_by("name").first()
    unit = prop.units.order_by("name").first() if prop else None
    doors = (
        list(
            Lock.objects.filter(owner=owner, property=prop)
            .filter(Q(unit=unit) | Q(unit__isnull=True))
            .order_by("-unit_id", "name")
            .values_list("name", flat=True)
        )
        if unit
        else []
    ) or ["Front door"]
    tz = prop.tz if prop else UTC
    arrive = (now + timedelta(days=1)).astimezone(tz).replace(hour=15, minute=0)
    leave = arrive + timedelta(days=2, hours=-4)

    def when(moment: datetime) -> str:
        return texts.when(moment, tz, language)

    context = {
        "guest_name": "Anna Smith",
        "property": prop.name if prop else "Seaside Hotel",
        "unit": unit.name if unit else "Room 101",
        "check_in": when(arrive),
        "check_out": when(leave),
        # A made-up link, as sent: absolute only when the site's public address is set.
        "link": settings.PUBLIC_BASE_URL + "/g/sample-link/",
    }
    return context, [texts.DoorPin(name, "0000") for name in doors]


def guest_helps_for_stay(reservation, limit: int = 20) -> list[GuestHelp]:
    """The presses of "My code doesn't work" on the stay's page, newest first."""
    return list(GuestHelp.objects.filter(reservation=reservation).select_related("lock")[:limit])
