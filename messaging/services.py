"""Every write of the messaging app: settings, templates, queueing, sending, delivery status.

A message is written (queued) before it is sent, and sent by a task that claims it with a
conditional update, so two workers never send one message twice. Its text is rendered at send
time: the arrival message gives the guest's own PIN where their code is healthy, and pulls and
gives a backup for a door where it is not (the guide's `getGuestMessage`), so a guest never
receives a PIN that is known not to work.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse

from backups.services import backup_pull, reservation_backups_give
from locks.errors import ServiceError
from locks.models import AccessCode, Owner
from locks.records import event_record
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
# How close to check-in an arrival message gives backups for unhealthy doors (see `_code_doors`).
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
) -> Message:
    """Write a message for a stay's guest and queue its sending (after the commit).

    A free message is sent exactly as typed: nothing in it is a placeholder.
    """
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
            created_at=now,
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


# --- what gets sent ---------------------------------------------------------------------------


def _when(moment: datetime, tz) -> str:
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b} {local:%H:%M}"


def _context(reservation: Reservation) -> dict:
    tz = reservation.unit.property.tz
    return {
        "guest_name": reservation.guest_name,
        "property": reservation.unit.property.name,
        "unit": reservation.unit.name,
        "check_in": _when(reservation.check_in, tz),
        "check_out": _when(reservation.ends_at, tz),
    }


def _door_trouble(code: AccessCode) -> str:
    """Why a door's guest code cannot be trusted to open it at check-in ("" when it can).

    The guide's test is "no errors". A code that is only scheduled (not on the lock yet, no
    errors) counts as healthy when its lock is online: the reconciler puts it on at programming
    time, and waiting for that (30 minutes before check-in on most locks) would leave guests
    without their code until they are at the door. A problem that appears later is on Today,
    and the front desk (or a guest's CODE reply) gives a backup then.
    """
    if code.errors:
        return f"{code.lock.name}: {code.errors[0]['message']}"
    if not code.lock.online:
        return f"{code.lock.name} is offline"
    return ""


def _guest_codes(reservation: Reservation) -> list[AccessCode]:
    return list(
        AccessCode.objects.filter(
            reservation=reservation,
            kind=AccessCode.Kind.GUEST,
            removed_at__isnull=True,
            deleted_at__isnull=True,
        )
        .select_related("lock")
        .order_by("lock__name")
    )


def _code_doors(message: Message, now: datetime) -> list[texts.DoorPin]:
    """The guide's getGuestMessage, door by door, decided at send time (never stored).

    Healthy code on every door: the guest's own PIN. Otherwise the message waits (the lock
    keeps retrying, and most troubles pass) until `BACKUP_IN_ARRIVAL_WITHIN` before check-in:
    3 hours is late enough that a passing trouble does not cost a backup, and early enough that
    the guest has the code before they travel to the door. Then a backup is pulled for each
    unhealthy door only, and the healthy doors keep the guest's own PIN, so no backup goes out
    for a door whose code is fine (lesson 11). A door with neither is never given a PIN known not
    to work: the message waits until check-in, then fails, and the stay's history says why.

    A guest who replied CODE is asking now, perhaps at the door: their answer never waits.
    """
    reservation = message.reservation
    codes = _guest_codes(reservation)
    if not codes:
        raise TransportError(
            "Not sent: the stay has no code on any door. Check its room's locks.", permanent=True
        )
    troubles = {c.pk: _door_trouble(c) for c in codes}
    if not any(troubles.values()):
        return [texts.DoorPin(c.lock.name, c.code) for c in codes]
    tz = reservation.unit.property.tz
    why = "; ".join(t for t in troubles.values() if t)
    asked = message.kind == Kind.REPLY
    backups_from = reservation.check_in - BACKUP_IN_ARRIVAL_WITHIN
    if now < backups_from and not asked:
        raise Postpone(
            backups_from,
            f"Waiting: the guest's code is not working yet ({why}). It goes out as soon as it "
            f"does, or with a backup code at {_when(backups_from, tz)}.",
        )
    doors, given, missing = [], [], []
    for code in codes:
        if not troubles[code.pk]:
            doors.append(texts.DoorPin(code.lock.name, code.code))
            continue
        try:
            backup = backup_pull(access_code=code, now=now)
        except ServiceError:
            backup = None
        if backup is not None:
            given.append(backup)
            doors.append(texts.DoorPin(code.lock.name, backup.code))
        elif code.status == AccessCode.Status.SET and not code.errors:
            # On the lock before it went offline: the keypad still opens with it.
            doors.append(texts.DoorPin(code.lock.name, code.code))
        else:
            missing.append(code.lock.name)
    message.backup_code_ids = [str(b.pk) for b in given]
    if missing:
        names = ", ".join(missing)
        if now < reservation.check_in and not asked:
            raise Postpone(
                reservation.check_in,
                f"Waiting: no working code for {names} ({why}) and no backup code is ready "
                "there. Call the guest if it has not gone out by check-in.",
            )
        raise TransportError(
            f"Not sent: no working code for {names} ({why}) and no backup code is ready there. "
            "Call the guest.",
            permanent=True,
        )
    return doors


def _backup_doors(message: Message) -> list[texts.DoorPin]:
    backups = AccessCode.objects.filter(
        pk__in=message.backup_code_ids, removed_at__isnull=True, deleted_at__isnull=True
    ).select_related("lock")
    return [texts.DoorPin(b.lock.name, b.code) for b in backups.order_by("lock__name")]


def _still_wanted(message: Message, now: datetime) -> str:
    """Why a message about the stay should no longer go out ("" when it should)."""
    reservation = message.reservation
    if message.kind == Kind.FREE:
        return ""  # a person wrote it just now, knowing the stay
    if not reservation.is_confirmed:
        return "Not sent: the stay was cancelled."
    if reservation.checked_out_at:
        return "Not sent: the guest has checked out."
    if reservation.check_out <= now:
        return "Not sent: the stay is over."
    return ""


def _body(message: Message, now: datetime) -> tuple[str, str]:
    """The text to send and its masked copy to keep."""
    if message.kind == Kind.FREE or (message.kind == Kind.REPLY and message.text):
        return message.text, message.text
    stale = _still_wanted(message, now)
    if stale:
        raise TransportError(stale, permanent=True)
    # A reply with no typed text answers a guest who texted HELP or CODE: the arrival message
    # again, decided now, so it gives their code if it works and a backup if it does not.
    if message.kind in (Kind.ARRIVAL, Kind.REPLY):
        template_kind, doors = texts.Kind.ARRIVAL, _code_doors(message, now)
    elif message.kind == Kind.BACKUP:
        template_kind, doors = texts.Kind.BACKUP, _backup_doors(message)
        if not doors:
            raise TransportError(
                "Not sent: its backup codes are no longer on the doors. Give new ones.",
                permanent=True,
            )
    elif message.kind == Kind.CHECKOUT:
        template_kind, doors = texts.Kind.CHECKOUT, []
    else:
        raise TransportError("Not sent: there is nothing to say in it.", permanent=True)
    body = texts.template_body(message.owner, template_kind)
    problems = texts.template_problems(template_kind, body)
    if problems:
        # Saved before today's checks: rendering it could fail or show what it should not.
        raise TransportError(
            f"Not sent: the {template_kind} template needs fixing in Settings → Messages. "
            + " ".join(problems),
            permanent=True,
        )
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
        message.sent_at = now
        message.error_code = message.error_message = ""
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


# A queued message's own task normally sends it within seconds; one still waiting after this
# long lost its task (a worker restarted), and the tick sends it. The claim stops a double send.
TASK_LOST_AFTER = timedelta(minutes=2)


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


# --- the arrival message and the check-out reminder, on the clock ------------------------------

# A stay entered after its check-in (a walk-in) still gets its arrival message; guests long in
# the house when an owner turns messages on are not welcomed again.
ARRIVAL_LATE = timedelta(hours=12)


def _stays_due(owner: Owner, kind: str):
    """Confirmed stays with a phone, not checked out, that never had a message of this kind.

    Once one went out, none follows automatically, even if the dates move: a person resends.
    """
    return (
        Reservation.objects.filter(
            owner=owner, status=Reservation.Status.CONFIRMED, checked_out_at__isnull=True
        )
        .exclude(phone="")
        .exclude(messages__kind=kind)
        .select_related("owner", "unit__property")
    )


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
