"""Messages written, queued, claimed and sent, with retries, through the owner's transport.

A message is written (queued) before it is sent, and sent by a task that claims it with a
conditional update, so two workers never send one message twice. Its text is rendered at send
time (`messaging.contents`). Transient failures are retried with back-off, at most
MAX_ATTEMPTS times; permanent ones fail at once, with the reason on the stay.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django_q.tasks import async_task

from locks.errors import ServiceError
from locks.models import AccessCode, Owner
from locks.records import event_record
from messaging.contents import Postpone, email_content, message_body
from messaging.emails import NOT_SET_UP, email_send
from messaging.models import Message, MessagingSettings
from messaging.owner_settings import messaging_settings, sms_route
from messaging.transports import TransportError, get_transport
from reservations.models import Reservation

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
RETRY_BASE = timedelta(minutes=1)
# A queued message's own task normally sends it within seconds; one still waiting after this
# long lost its task (a worker restarted), and the tick sends it. The claim stops a double send.
TASK_LOST_AFTER = timedelta(minutes=2)

Status = Message.Status
Kind = Message.Kind


# --- queueing ---------------------------------------------------------------------------------


def _limit(reservation: Reservation, now: datetime) -> None:
    cap = messaging_settings(reservation.owner).max_messages_per_stay_per_day
    sent_today = Message.objects.filter(
        reservation=reservation,
        direction=Message.Direction.OUTBOUND,
        created_at__gt=now - timedelta(days=1),
    ).count()
    if sent_today >= cap:
        raise ServiceError(
            f"Not sent: {reservation.guest_name} has had {sent_today} messages in the last 24 "
            f"hours, the most Settings → Messages allows for one stay. Call the guest instead.",
            type="message_limit_reached",
            status=429,
        )


def message_queue(
    *,
    reservation: Reservation,
    kind: str,
    now: datetime,
    text: str = "",
    backup_codes: list[AccessCode] | None = None,
    sent_by=None,
    changes: list[str] | None = None,
    channel: str = Message.Channel.SMS,
) -> Message:
    """Write a message for a stay's guest and queue its sending (after the commit).

    A free message is sent exactly as typed: nothing in it is a placeholder. `changes`: what a
    "your stay changed" message is about. By email (`channel`), only the arrival message goes.
    """
    email = channel == Message.Channel.EMAIL
    if email and kind != Kind.ARRIVAL:
        raise ServiceError("Only the arrival message goes by email.")
    if email and not reservation.email:
        raise ServiceError(
            f"{reservation.guest_name} has no email address. Add one to the reservation first.",
            field="email",
        )
    if not email and not reservation.phone:
        raise ServiceError(
            f"{reservation.guest_name} has no mobile number. Add one to the reservation first.",
            field="phone",
        )
    if kind == Kind.FREE and not text.strip():
        raise ServiceError("Write the message.", field="text")
    with transaction.atomic():
        _limit(reservation, now)
        message = Message.objects.create(
            owner=reservation.owner,
            reservation=reservation,
            kind=kind,
            channel=channel,
            to=reservation.email if email else reservation.phone,
            text=text.strip()[:1000],
            backup_code_ids=[str(c.pk) for c in backup_codes or []],
            changes=sorted(changes or []),
            sent_by=sent_by,
            created_at=now,
        )
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def arrival_queue(*, reservation: Reservation, now: datetime, sent_by=None) -> list[Message]:
    """The arrival message: a text to the stay's phone and an email to its address, whichever
    it has (the email gives the guest's page, never the PIN)."""
    queued = []
    with transaction.atomic():
        if reservation.phone or not reservation.email:
            queued.append(
                message_queue(reservation=reservation, kind=Kind.ARRIVAL, now=now, sent_by=sent_by)
            )
        if reservation.email:
            queued.append(
                message_queue(
                    reservation=reservation,
                    kind=Kind.ARRIVAL,
                    now=now,
                    sent_by=sent_by,
                    channel=Message.Channel.EMAIL,
                )
            )
    return queued


def _enqueue(message_id) -> None:
    async_task("messaging.tasks.send_message", str(message_id), task_name=f"sms-{message_id}")


# --- sending ----------------------------------------------------------------------------------


def _transport(owner: Owner):
    key, credentials = sms_route(owner)
    return key, get_transport(key, **credentials)


def twilio_auth_token(owner: Owner) -> str:
    """The token that signs this owner's Twilio calls (theirs, or the install's)."""
    config = messaging_settings(owner)
    if config.transport == MessagingSettings.Transport.TWILIO:
        return config.twilio_auth_token
    return settings.TWILIO_AUTH_TOKEN


def status_callback_url(message: Message) -> str:
    if not settings.PUBLIC_BASE_URL:
        return ""
    return settings.PUBLIC_BASE_URL + reverse("twilio_status", args=[message.pk])


def message_send(*, message_id, now: datetime) -> Message | None:
    """Send one queued message, once. Transient failures are retried with back-off."""
    claimed = (
        Message.objects.filter(pk=message_id, status=Status.QUEUED, provider_id="")
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(status=Status.SENDING, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None  # sent already, being sent by another worker, or not due
    message = Message.objects.select_related("owner", "reservation__unit__property").get(
        pk=message_id
    )
    try:
        if message.channel == Message.Channel.EMAIL:
            message.transport = "email"
            subject, body, message.preview = email_content(message, now)
            sent = email_send(to=message.to, subject=subject, body=body)
        else:
            message.transport, transport = _transport(message.owner)
            body, message.preview = message_body(message, now)
            sent = transport.send(
                to=message.to, body=body, status_callback=status_callback_url(message)
            )
    except Postpone as wait:
        message.status = Status.QUEUED
        message.attempts -= 1
        message.next_attempt_at = min(wait.until, now + timedelta(minutes=15))
        message.error_message = wait.reason
    except (TransportError, ServiceError) as exc:
        _failed(message, exc, now)
    else:
        message.provider_id = sent.provider_id
        message.sent_at = now
        message.error_code = message.error_message = ""
        if message.channel == Message.Channel.EMAIL and sent.status == Status.KEPT:
            message.error_message = NOT_SET_UP
        _record_sent(message, now)
        # A receipt may have come in while the provider's answer was on its way: the status is
        # only ours to set while nobody moved it past `sending`.
        Message.objects.filter(pk=message.pk, status=Status.SENDING).update(
            status=sent.status,
            delivered_at=now if sent.status == Status.DELIVERED else None,
        )
        message.save(update_fields=_SENT_FIELDS)
        message.refresh_from_db(fields=["status", "delivered_at"])
        return message
    message.save()
    return message


_SENT_FIELDS = [
    "provider_id",
    "sent_at",
    "error_code",
    "error_message",
    "preview",
    "transport",
    "backup_code_ids",
    "updated_at",
]


def _record_sent(message: Message, now: datetime) -> None:
    """The stay's history shows what its guest was sent (never the PIN)."""
    if not message.reservation_id:
        return
    what = message.get_kind_display()
    if message.channel == Message.Channel.EMAIL:
        what += " by email"
    if message.kind in (Kind.ARRIVAL, Kind.REPLY) and message.backup_code_ids:
        what += " with backup codes (the guest's own code was not working)"
    event_record(
        owner=message.owner,
        event_type="message.sent",
        now=now,
        reservation=message.reservation,
        message=f"{what} sent to {message.to}.",
        message_id=str(message.pk),
        kind=message.kind,
    )


def _failed(message: Message, exc: Exception, now: datetime) -> None:
    permanent = getattr(exc, "permanent", True)
    message.error_code = getattr(exc, "code", "") or getattr(exc, "type", "")
    message.error_message = exc.message[:500]
    if permanent or message.attempts >= MAX_ATTEMPTS:
        if not permanent:
            message.error_message = (
                f"{exc.message} Gave up after {message.attempts} attempts: send it again "
                "from the reservation, or call the guest."
            )[:500]
        message.status = Status.FAILED
        message.next_attempt_at = None
        if message.reservation_id:
            event_record(
                owner=message.owner,
                event_type="message.failed",
                now=now,
                reservation=message.reservation,
                message=message.error_message,
            )
        log.warning("Message %s failed: %s", message.pk, message.error_code or "no code")
    else:
        message.status = Status.QUEUED
        message.next_attempt_at = now + RETRY_BASE * 2 ** (message.attempts - 1)


def messages_due(*, now: datetime) -> list:
    """Queued messages whose retry time has come, or whose task was lost (the tick sends them)."""
    return list(
        Message.objects.filter(status=Status.QUEUED, provider_id="")
        .filter(
            Q(next_attempt_at__lte=now)
            | Q(next_attempt_at__isnull=True, created_at__lte=now - TASK_LOST_AFTER)
        )
        .values_list("pk", flat=True)[:500]
    )
