"""What a guest receives: a message's text, decided at send time (never stored).

The arrival message gives the guest's own PIN where their code is healthy, and pulls and gives a
backup for a door where it is not (the guide's `getGuestMessage`), so a guest never receives a
PIN that is known not to work. When no text can be right yet, the message waits (`Postpone`);
when none can ever be, sending fails with the reason (`TransportError(permanent=True)`).
"""

from datetime import datetime, timedelta

from backups.services import backup_pull
from locks.errors import ServiceError
from locks.models import AccessCode
from messaging import texts
from messaging.models import Message
from messaging.transports import TransportError
from reservations.guest_links import guest_page_url
from reservations.models import Reservation

# How close to check-in an arrival message gives backups for unhealthy doors (see `_code_doors`).
BACKUP_IN_ARRIVAL_WITHIN = timedelta(hours=3)

Kind = Message.Kind


class Postpone(Exception):
    """The message cannot be right yet: it waits (queued) until `until`, for `reason`."""

    def __init__(self, until: datetime, reason: str):
        super().__init__(reason)
        self.until = until
        self.reason = reason


def _when(moment: datetime, tz, language: str = "") -> str:
    """A moment as a message says it, e.g. "Wed 3 Jun 15:00", in the guest's language."""
    return texts.when(moment, tz, language)


def _context(reservation: Reservation) -> dict:
    tz = reservation.unit.property.tz
    language = reservation.language
    return {
        "guest_name": reservation.guest_name,
        "property": reservation.unit.property.name,
        "unit": reservation.unit.name,
        "check_in": _when(reservation.check_in, tz, language),
        "check_out": _when(reservation.ends_at, tz, language),
        "link": guest_page_url(reservation),
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
        elif code.is_on_lock and not code.errors:
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


def _changed_doors(message: Message, now: datetime) -> list[texts.DoorPin]:
    """A "your stay changed" message: as the arrival message, but a new PIN or unit waits until
    the lock confirms the code (the guest already holds a code that worked: the new one must
    too). A code held up by a lock's trouble is the arrival message's case: a backup in time."""
    if set(message.changes) & {"pin", "unit"}:
        waiting = [
            c.lock.name
            for c in _guest_codes(message.reservation)
            if not c.is_on_lock and not c.errors and c.lock.online
        ]
        if waiting:
            raise Postpone(
                message.reservation.ends_at,
                f"Waiting: the new code is not on {', '.join(waiting)} yet. It goes out as soon "
                "as the lock confirms it.",
            )
    return _code_doors(message, now)


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


def message_body(message: Message, now: datetime) -> tuple[str, str]:
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
    elif message.kind == Kind.CHANGED:
        template_kind, doors = texts.Kind.CHANGED, _changed_doors(message, now)
    elif message.kind == Kind.CHECKOUT:
        template_kind, doors = texts.Kind.CHECKOUT, []
    else:
        raise TransportError("Not sent: there is nothing to say in it.", permanent=True)
    body = texts.template_body(message.owner, template_kind, message.reservation.language)
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


def email_content(message: Message, now: datetime) -> tuple[str, str, str]:
    """The arrival email's subject and text, in the guest's language, and the copy kept (the
    page's link masked). It gives the guest's page and never a PIN (its template may not
    hold one)."""
    stale = _still_wanted(message, now)
    if stale:
        raise TransportError(stale, permanent=True)
    chosen = texts.template_for(message.owner, texts.Kind.EMAIL, message.reservation.language)
    problems = texts.template_problems(texts.Kind.EMAIL, chosen.body) + texts.subject_problems(
        chosen.subject
    )
    if problems:
        raise TransportError(
            "Not sent: the arrival email's template needs fixing in Settings → Messages. "
            + " ".join(problems),
            permanent=True,
        )
    context = _context(message.reservation)
    subject = " ".join(texts.render(chosen.subject, context=context, doors=[]).split())
    body = texts.render(chosen.body, context=context, doors=[])
    kept = texts.render(chosen.body, context=context, doors=[], mask=True)
    return subject, body, f"{subject}\n\n{kept}"
