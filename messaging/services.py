"""Every write of the messaging app: settings, templates, queueing, sending, delivery status.

A message is written (queued) before it is sent, and sent by a task that claims it with a
conditional update, so two workers never send one message twice. Its text is rendered at send
time: the arrival message gives the guest's own PIN if their code is healthy on every door, and
otherwise pulls backups and gives those (the guide's `getGuestMessage`), so a guest never
receives a PIN that is known not to work.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from backups.services import reservation_backups_give
from locks.errors import ServiceError
from locks.models import AccessCode, Owner
from locks.services import event_record
from messaging import texts
from messaging.models import (
    FINAL_STATUSES,
    STATUS_RANK,
    Message,
    MessageTemplate,
    MessagingSettings,
)
from messaging.transports import TransportError, get_transport
from reservations.models import Reservation

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 4
RETRY_BASE = timedelta(minutes=1)
# A backup works from the moment it is given, so one is given in an arrival message only this
# close to check-in; earlier, an unhealthy code makes the message wait (and the lock retries).
BACKUP_IN_ARRIVAL_WITHIN = timedelta(hours=3)


class Postpone(Exception):
    def __init__(self, until: datetime, reason: str):
        super().__init__(reason)
        self.until = until
        self.reason = reason


Status = Message.Status
Kind = Message.Kind


def messaging_settings(owner: Owner) -> MessagingSettings:
    found, _ = MessagingSettings.objects.get_or_create(owner=owner)
    return found


def messaging_settings_update(*, owner: Owner, **fields) -> MessagingSettings:
    """Save messaging settings. An empty auth token keeps the saved one (it is never shown)."""
    current = messaging_settings(owner)
    if not fields.get("twilio_auth_token"):
        fields.pop("twilio_auth_token", None)
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    if current.transport == MessagingSettings.Transport.TWILIO:
        if not current.twilio_account_sid.startswith("AC"):
            raise ServiceError(
                "A Twilio account SID starts with AC (see the Twilio console's home page).",
                field="twilio_account_sid",
            )
        if not current.twilio_auth_token:
            raise ServiceError("Paste the Twilio auth token.", field="twilio_auth_token")
        if not (current.twilio_from_number or current.twilio_messaging_service_sid):
            raise ServiceError(
                "Give a sender: a Twilio phone number (+1…) or a messaging service SID (MG…).",
                field="twilio_from_number",
            )
    current.full_clean()
    current.save()
    return current


def template_save(*, owner: Owner, kind: str, body: str) -> MessageTemplate:
    problems = texts.template_problems(kind, body)
    if problems:
        raise ServiceError(" ".join(problems), field="body")
    template, _ = MessageTemplate.objects.update_or_create(
        owner=owner, kind=kind, defaults={"body": body.strip()}
    )
    return template


# --- queueing ---------------------------------------------------------------------------------


def _limit(reservation: Reservation, now: datetime) -> None:
    cap = messaging_settings(reservation.owner).max_messages_per_stay_per_day
    sent_today = Message.objects.filter(
        reservation=reservation,
        direction=Message.Direction.OUTBOUND,
        created_at__gte=now - timedelta(days=1),
    ).count()
    if sent_today >= cap:
        raise ServiceError(
            f"{reservation.guest_name} has been sent {sent_today} messages in the last 24 hours, "
            "the most Settings → Messages allows. Call the guest instead.",
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
) -> Message:
    """Write a message for a stay's guest and queue its sending (after the commit)."""
    if not reservation.phone:
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
            to=reservation.phone,
            text=text.strip()[:1000],
            backup_code_ids=[str(c.pk) for c in backup_codes or []],
            sent_by=sent_by,
        )
        transaction.on_commit(lambda: _enqueue(message.pk))
    return message


def _enqueue(message_id) -> None:
    from django_q.tasks import async_task

    async_task("messaging.tasks.send_message", str(message_id), task_name=f"sms-{message_id}")


def backup_codes_send(*, reservation: Reservation, now: datetime, sent_by=None):
    """The front desk's one click: pull a backup for every door and text them to the guest."""
    given = reservation_backups_give(reservation=reservation, now=now, every_door=True)
    backups = [door.backup for door in given if door.backup is not None]
    if not backups:
        raise ServiceError(
            "No backup code could be given: "
            + " ".join(door.problem for door in given if door.problem)
        )
    message = message_queue(
        reservation=reservation, kind=Kind.BACKUP, now=now, backup_codes=backups, sent_by=sent_by
    )
    return message, given


# --- sending ----------------------------------------------------------------------------------


def _context(reservation: Reservation) -> dict:
    tz = reservation.unit.property.tz

    def when(moment: datetime) -> str:
        local = moment.astimezone(tz)
        return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"

    return {
        "guest_name": reservation.guest_name,
        "property": reservation.unit.property.name,
        "unit": reservation.unit.name,
        "check_in": when(reservation.check_in),
        "check_out": when(reservation.ends_at),
    }


def _guest_code_healthy(codes: list[AccessCode]) -> bool:
    return bool(codes) and all(not c.errors and c.lock.online for c in codes)


def _door_pins(message: Message, now: datetime) -> tuple[str, list[texts.DoorPin]]:
    """Which template to use and the PINs to give, decided now (never stored)."""
    reservation = message.reservation
    if message.kind in (Kind.BACKUP,):
        backups = AccessCode.objects.filter(
            pk__in=message.backup_code_ids, removed_at__isnull=True
        ).select_related("lock")
        return texts.Kind.BACKUP, [texts.DoorPin(b.lock.name, b.code) for b in backups]
    if message.kind != Kind.ARRIVAL:
        return "", []
    codes = list(
        AccessCode.objects.filter(
            reservation=reservation,
            kind=AccessCode.Kind.GUEST,
            removed_at__isnull=True,
            deleted_at__isnull=True,
        ).select_related("lock")
    )
    if _guest_code_healthy(codes):
        return texts.Kind.ARRIVAL, [texts.DoorPin(c.lock.name, c.code) for c in codes]
    backups_from = reservation.check_in - BACKUP_IN_ARRIVAL_WITHIN
    if now < backups_from:
        raise Postpone(
            backups_from,
            "Waiting: the guest's code is not working on every door yet. The message goes out "
            "when it is, or with backup codes 3 hours before check-in.",
        )
    # The guide's getGuestMessage: a code known not to work is never sent; backups are.
    given = reservation_backups_give(reservation=reservation, now=now, every_door=False)
    pins = {d.lock.pk: d.backup for d in given if d.backup}
    message.backup_code_ids = [str(b.pk) for b in pins.values()]
    return texts.Kind.ARRIVAL, [
        texts.DoorPin(c.lock.name, pins[c.lock_id].code if c.lock_id in pins else c.code)
        for c in codes
    ]


def _body(message: Message, now: datetime) -> tuple[str, str]:
    """The text to send and its masked copy to keep."""
    if message.kind in (Kind.FREE, Kind.REPLY) and message.text:
        return message.text, message.text
    template_kind, doors = _door_pins(message, now)
    if template_kind in texts.NEEDS_PIN and not doors:
        raise TransportError(
            "The stay has no code on any door to send; check its doors.", permanent=True
        )
    body = texts.template_body(message.owner, template_kind or texts.Kind.CHECKOUT)
    context = _context(message.reservation)
    return (
        texts.render(body, context=context, doors=doors),
        texts.render(body, context=context, doors=doors, mask=True),
    )


def _transport(owner: Owner):
    config = messaging_settings(owner)
    if config.transport == MessagingSettings.Transport.TWILIO:
        return "twilio", get_transport(
            "twilio",
            account_sid=config.twilio_account_sid,
            auth_token=config.twilio_auth_token,
            from_number=config.twilio_from_number,
            messaging_service_sid=config.twilio_messaging_service_sid,
        )
    if settings.TWILIO_ACCOUNT_SID:
        return "twilio", get_transport(
            "twilio",
            account_sid=settings.TWILIO_ACCOUNT_SID,
            auth_token=settings.TWILIO_AUTH_TOKEN,
            from_number=settings.TWILIO_FROM_NUMBER,
            messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
        )
    return "console", get_transport("console")


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
        message.transport, transport = _transport(message.owner)
        body, message.preview = _body(message, now)
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
        message.status = sent.status
        message.sent_at = now
        message.error_code = message.error_message = ""
        if sent.status == Status.DELIVERED:
            message.delivered_at = now
    message.save()
    return message


def _failed(message: Message, exc: Exception, now: datetime) -> None:
    permanent = getattr(exc, "permanent", True)
    message.error_code = getattr(exc, "code", "") or getattr(exc, "type", "")
    message.error_message = exc.message[:500]
    if permanent or message.attempts >= MAX_ATTEMPTS:
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
    """Queued messages whose retry time has come (the tick sends them again)."""
    return list(
        Message.objects.filter(
            status=Status.QUEUED, provider_id="", next_attempt_at__lte=now
        ).values_list("pk", flat=True)[:500]
    )


def message_status_update(
    *, message: Message, status: str, now: datetime, error_code: str = ""
) -> bool:
    """A delivery receipt: applied once, and never moving a message backwards."""
    if status not in STATUS_RANK or message.is_final:
        return False
    if STATUS_RANK[status] <= STATUS_RANK.get(message.status, 0):
        return False
    fields = {"status": status}
    if status == Status.DELIVERED:
        fields["delivered_at"] = now
    if status in (Status.UNDELIVERED, Status.FAILED):
        from messaging.transports.twilio import PERMANENT_ERRORS

        fields["error_code"] = error_code
        fields["error_message"] = PERMANENT_ERRORS.get(
            error_code, f"The carrier could not deliver the message (error {error_code or '?'})."
        )
    updated = (
        Message.objects.filter(pk=message.pk, status=message.status)
        .exclude(status__in=FINAL_STATUSES)
        .update(**fields)
    )
    return updated == 1


# --- the arrival message, on the clock --------------------------------------------------------


def arrivals_due(*, owner: Owner, now: datetime) -> list[Reservation]:
    """Stays whose arrival message should go out now and has not: at most one per stay."""
    config = messaging_settings(owner)
    if not config.send_arrival_automatically:
        return []
    return list(
        Reservation.objects.filter(
            owner=owner,
            status=Reservation.Status.CONFIRMED,
            checked_out_at__isnull=True,
            check_in__lte=now + timedelta(hours=config.arrival_hours_before),
            check_out__gt=now,
        )
        .exclude(phone="")
        .exclude(messages__kind=Kind.ARRIVAL)
        .select_related("owner", "unit__property")
    )


def arrivals_send(*, now: datetime) -> int:
    """Queue every arrival message that is due (the messaging tick, every minute)."""
    queued = 0
    for owner in Owner.objects.exclude(messaging__send_arrival_automatically=False):
        for reservation in arrivals_due(owner=owner, now=now):
            try:
                message_queue(reservation=reservation, kind=Kind.ARRIVAL, now=now)
            except ServiceError as exc:
                log.warning("Arrival message for %s not queued: %s", reservation.pk, exc.type)
                continue
            queued += 1
    return queued
