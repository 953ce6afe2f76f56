"""Guests' text messages to us: recorded on their stay, and HELP or CODE answered with their code.

The answer is not given in the webhook's TwiML: it is queued like every message (written first,
counted in the stay's daily limit, rendered at send time), so it gives the guest's code if it
works on every door, or a backup if it does not, and its delivery is tracked.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from locks.errors import ServiceError
from locks.models import Owner
from locks.records import event_record
from messaging.models import Message, MessagingSettings
from messaging.owner_settings import messaging_settings
from messaging.sending import message_queue
from reservations.models import Reservation

log = logging.getLogger(__name__)

KEYWORDS = {"HELP", "CODE"}
# A guest texting the day before arrival is matched to the stay they are about to start.
ARRIVING_WITHIN = timedelta(days=1)


def recipients(*, to: str, messaging_service_sid: str = "") -> list[tuple[str, list[Owner]]]:
    """Whose Twilio sender received the message: (auth token, owners) for each token that
    could have signed the webhook, so only the owners whose token checks out are believed."""
    found = []
    sender = Q()
    if to:
        sender |= Q(twilio_from_number=to)
    if messaging_service_sid:
        sender |= Q(twilio_messaging_service_sid=messaging_service_sid)
    if sender:
        own = MessagingSettings.objects.filter(sender, transport=MessagingSettings.Transport.TWILIO)
        for config in own.select_related("owner"):
            found.append((config.twilio_auth_token, [config.owner]))
    install_number = to and to == settings.TWILIO_FROM_NUMBER
    install_service = (
        messaging_service_sid and messaging_service_sid == settings.TWILIO_MESSAGING_SERVICE_SID
    )
    if settings.TWILIO_AUTH_TOKEN and (install_number or install_service):
        # Every owner without a Twilio account of their own sends from the install's.
        shared = Owner.objects.exclude(messaging__transport=MessagingSettings.Transport.TWILIO)
        found.append((settings.TWILIO_AUTH_TOKEN, list(shared)))
    return found


def _stay_of(owners: list[Owner], phone: str, now: datetime) -> Reservation | None:
    """The guest's stay: under way, or starting within a day (the earliest, if several)."""
    return (
        Reservation.objects.filter(
            owner__in=owners,
            phone=phone,
            status=Reservation.Status.CONFIRMED,
            checked_out_at__isnull=True,
            check_in__lte=now + ARRIVING_WITHIN,
            check_out__gt=now,
        )
        .select_related("owner", "unit__property")
        .order_by("check_in")
        .first()
    )


def message_receive(
    *, owners: list[Owner], from_number: str, to: str, body: str, provider_id: str, now: datetime
) -> Message | None:
    """Record a guest's text (once, though Twilio may call again) and answer HELP or CODE."""
    with transaction.atomic():
        again = Message.objects.filter(
            owner__in=owners, direction=Message.Direction.INBOUND, provider_id=provider_id
        ).first()
        if again is not None:
            return again
        stay = _stay_of(owners, from_number, now)
        if stay is not None:
            owner = stay.owner
        elif len(owners) == 1:
            owner = owners[0]
        else:
            # A shared number and no stay to tell whose guest this is: nobody's to read.
            log.warning("Text %s to a shared number matches no stay; not recorded.", provider_id)
            return None
        message = Message.objects.create(
            owner=owner,
            reservation=stay,
            direction=Message.Direction.INBOUND,
            kind=Message.Kind.INBOUND,
            to=to[:20],
            from_number=from_number[:20],
            transport="twilio",
            text=body[:1000],
            preview=body[:1000],
            status=Message.Status.RECEIVED,
            provider_id=provider_id[:64],
            created_at=now,
        )
        if stay is not None:
            _answer(stay, message, now)
    return message


def _answer(stay: Reservation, received: Message, now: datetime) -> None:
    """The stay's history gets the exchange; the guest gets their code if they asked for it."""
    # The guest's words stay on the message: they may have typed a PIN, and events never hold one.
    what = "The guest sent a text message."
    keyword = received.text.strip().upper()
    if keyword in KEYWORDS and messaging_settings(stay.owner).reply_keywords_enabled:
        try:
            message_queue(reservation=stay, kind=Message.Kind.REPLY, now=now)
        except ServiceError as exc:
            what = f"The guest texted {keyword} for their code. {exc.message}"
        else:
            what = f"The guest texted {keyword}: their door code is being sent again."
    event_record(
        owner=stay.owner,
        event_type="message.received",
        now=now,
        reservation=stay,
        message=what,
        message_id=str(received.pk),
    )
