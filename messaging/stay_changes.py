"""A guest who already has their arrival message hears when their stay's dates, room or PIN
change ("Your stay changed"), once per change.

`reservations` fires `stay_changed` from the services that change a stay. Before the arrival
message went out nothing is queued: that message is rendered when it is sent, so it carries the
new facts itself. While a "changed" message still waits to go, a further change joins it (its
text, too, is rendered when it is sent) instead of texting the guest again.
"""

import logging
from datetime import datetime

from django.db import transaction

from locks.errors import ServiceError
from messaging.models import Message
from messaging.sending import message_queue
from reservations.models import Reservation

log = logging.getLogger(__name__)

Kind = Message.Kind


def _pending(reservation: Reservation):
    """The stay's "changed" message that no worker has claimed yet."""
    return Message.objects.filter(
        reservation=reservation, kind=Kind.CHANGED, status=Message.Status.QUEUED, provider_id=""
    )


def stay_changed_text(*, reservation: Reservation, changed: set[str], now: datetime) -> None:
    if not reservation.is_confirmed or reservation.checked_out_at or reservation.ends_at <= now:
        return
    if not reservation.phone:
        return
    with transaction.atomic():
        # The stay's row, so two changes at once merge into one message (see `automatic`).
        Reservation.objects.select_for_update().filter(pk=reservation.pk).first()
        told = Message.objects.filter(
            reservation=reservation, kind=Kind.ARRIVAL, sent_at__isnull=False
        ).exists()
        if not told:
            return
        pending = _pending(reservation).first()
        if pending is not None:
            merged = sorted(set(pending.changes) | changed)
            # Conditional: a worker that claimed it meanwhile sends it, and this change gets
            # its own message below.
            joined = _pending(reservation).filter(pk=pending.pk)
            if joined.update(changes=merged, to=reservation.phone):
                return
        try:
            message_queue(
                reservation=reservation, kind=Kind.CHANGED, now=now, changes=sorted(changed)
            )
        except ServiceError as exc:
            log.warning("Changed message for %s not queued: %s", reservation.pk, exc.type)
