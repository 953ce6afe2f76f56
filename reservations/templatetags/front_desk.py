"""Plain words for stays: their dates at the property, and their history."""

from zoneinfo import ZoneInfo

from django import template

from locks.words import event_sentence
from reservations.models import Reservation

register = template.Library()

STAY_EVENTS = {
    "reservation.created": "Reservation created",
    "reservation.updated": "Reservation changed ({fields})",
    "reservation.cancelled": "Reservation cancelled: the code comes off the doors",
    "reservation.checked_out": "Checked out early: the code ends now",
    "reservation.pin_replaced": "New PIN issued: the old one comes off the doors",
    "reservation.reinstated": "Reservation back on (listed again by its source)",
    "reservation.pin_revealed": "PIN shown to {revealed_by}",
}
FIELD_WORDS = {
    "guest_name": "name",
    "check_in": "check-in",
    "check_out": "check-out",
    "guests": "guests",
    "unit": "room",
}


@register.filter
def stay_dates(stay: Reservation, tz: ZoneInfo) -> str:
    """`Mon 1 Jun 15:00 → Wed 3 Jun 11:00 WEST`, at the property."""
    start, end = stay.check_in.astimezone(tz), stay.check_out.astimezone(tz)
    return (
        f"{start:%a} {start.day} {start:%b} {start:%H:%M} → "
        f"{end:%a} {end.day} {end:%b} {end:%H:%M} {end.tzname()}"
    )


@register.filter
def stay_nights(stay: Reservation, tz: ZoneInfo) -> int:
    return (stay.check_out.astimezone(tz).date() - stay.check_in.astimezone(tz).date()).days


@register.filter
def stay_event(event) -> str:
    """A stay's event: its own in plain words, a code's with the door it happened on."""
    words = STAY_EVENTS.get(event.event_type)
    if words is not None:
        fields = ", ".join(FIELD_WORDS.get(f, f) for f in event.data.get("fields", []))
        return words.format(
            fields=fields or "details", revealed_by=event.data.get("revealed_by", "someone")
        )
    sentence = event_sentence(event)
    return f"{event.lock.name}: {sentence}" if event.lock_id else sentence


@register.filter
def local_day(value, tz: ZoneInfo) -> str:
    """`Wed 3 Jun`: a day at the property."""
    d = value.astimezone(tz)
    return f"{d:%a} {d.day} {d:%b}"
