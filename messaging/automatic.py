"""What goes out by itself: the arrival message and the check-out reminder, on the clock.

The messaging tick (every minute) queues each stay's message once it is due, at most one of each
kind per stay (the owner's Settings → Messages say whether, and how long before).
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction

from locks.errors import ServiceError
from locks.models import Owner
from messaging.models import Message
from messaging.owner_settings import messaging_settings
from messaging.sending import arrival_queue, message_queue
from reservations.models import Reservation

log = logging.getLogger(__name__)

Kind = Message.Kind

# A stay entered after its check-in (a walk-in) still gets its arrival message; guests long in
# the house when an owner turns messages on are not welcomed again.
ARRIVAL_LATE = timedelta(hours=12)


def _stays_due(owner: Owner, kind: str):
    """Confirmed stays with a phone (or, for the arrival message, an email), not checked out,
    that never had a message of this kind.

    Once one went out, none follows automatically, even if the dates move: a person resends.
    """
    stays = Reservation.objects.filter(
        owner=owner, status=Reservation.Status.CONFIRMED, checked_out_at__isnull=True
    )
    stays = stays.exclude(phone="", email="") if kind == Kind.ARRIVAL else stays.exclude(phone="")
    return stays.exclude(messages__kind=kind).select_related("owner", "unit__property")


def arrivals_due(*, owner: Owner, now: datetime) -> list[Reservation]:
    """Stays whose arrival message should go out now and has not: at most one per stay."""
    config = messaging_settings(owner)
    if not config.send_arrival_automatically:
        return []
    return list(
        _stays_due(owner, Kind.ARRIVAL).filter(
            check_in__lte=now + timedelta(hours=config.arrival_hours_before),
            check_in__gt=now - ARRIVAL_LATE,
            check_out__gt=now,
        )
    )


def checkouts_due(*, owner: Owner, now: datetime) -> list[Reservation]:
    """Stays whose check-out reminder should go out now and has not (the owner's choice)."""
    config = messaging_settings(owner)
    if not config.send_checkout_reminder:
        return []
    return list(
        _stays_due(owner, Kind.CHECKOUT).filter(
            check_out__lte=now + timedelta(hours=config.checkout_reminder_hours_before),
            check_out__gt=now,
        )
    )


def _queue_once(reservation: Reservation, kind: str, now: datetime) -> Message | None:
    """Queue a stay's automatic message unless it has one of this kind already.

    Two ticks can find the same stay due at once; the stay's row is locked while checking and
    writing (on SQLite the IMMEDIATE transaction does the same), so only one of them writes it.
    """
    with transaction.atomic():
        Reservation.objects.select_for_update().filter(pk=reservation.pk).first()
        if Message.objects.filter(reservation=reservation, kind=kind).exists():
            return None
        if kind == Kind.ARRIVAL:  # a text, and an email to a stay with an address
            return arrival_queue(reservation=reservation, now=now)[0]
        return message_queue(reservation=reservation, kind=kind, now=now)


def _send_due(owners, due, kind: str, now: datetime) -> int:
    queued = 0
    for owner in owners:
        for reservation in due(owner=owner, now=now):
            try:
                queued += _queue_once(reservation, kind, now) is not None
            except ServiceError as exc:
                log.warning("%s message for %s not queued: %s", kind, reservation.pk, exc.type)
    return queued


def arrivals_send(*, now: datetime) -> int:
    """Queue every arrival message that is due (the messaging tick, every minute)."""
    owners = Owner.objects.exclude(messaging__send_arrival_automatically=False)
    return _send_due(owners, arrivals_due, Kind.ARRIVAL, now)


def checkouts_send(*, now: datetime) -> int:
    """Queue every check-out reminder that is due (the messaging tick, every minute)."""
    owners = Owner.objects.filter(messaging__send_checkout_reminder=True)
    return _send_due(owners, checkouts_due, Kind.CHECKOUT, now)
