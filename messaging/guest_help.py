"""The guest's page: "My code doesn't work" looks at the door before it answers.

- The stay's code is on the lock, the lock is online, and nobody typed a wrong PIN there in
  the owner's lockout minutes: the keypad's steps for that lock model (the owner's words, or
  the defaults here). The door's events keep watching: wrong PINs next raise the lockout, and
  the next press gives a backup.
- The code is not on the lock, the lock is offline, or wrong PINs were typed there just now:
  a backup for that door at once, through the front desk's own pull (so it ends with the stay),
  shown on the page, texted when the stay has a mobile number, and written on the stay.
- No backup can be given: the front desk's phone, and a lockout alert (red, on the Alerts
  page and the nav's badge).

At most one backup per door and stay comes from the page: a later press shows the same one.
Every press is a `GuestHelp` row on the stay, and a stay has `GUEST_HELP` presses a window.
Nothing here writes a PIN anywhere but the answer handed back to the page.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from backups.services import reservation_backups_give
from locks.drivers.base import ACCESS_DENIED, KEYCODE
from locks.errors import ServiceError
from locks.models import AccessCode, Event, Lock
from locks.records import event_record
from locks.tenancy.attempt_limits import Limit, attempt_take
from messaging.models import GuestHelp, KeypadSteps, Message
from messaging.owner_settings import messaging_settings, sms_connected
from messaging.sending import message_queue
from reservations.entries import entry_alert_help_record, lockout_report
from reservations.models import EntryAlert, Reservation
from reservations.stays import reservation_check_out_early

Finding = GuestHelp.Finding
GUEST_HELP = Limit("guest_help", 10, timedelta(minutes=10))

DEFAULT_STEPS = "Press the keypad's start key, then enter {pin} slowly, then the check key."
# Lock models whose keypads want other steps, by a word of their model name (lower case).
MODEL_STEPS = {
    "yale": "Touch the keypad to light it up, enter {pin} slowly, then press the check key.",
    "schlage": "Press the Schlage button, then enter {pin} slowly.",
    "kwikset": "Enter {pin} slowly, then press the lock button.",
}


def keypad_steps_default(lock_model: str) -> str:
    model = lock_model.lower()
    return next((steps for word, steps in MODEL_STEPS.items() if word in model), DEFAULT_STEPS)


def keypad_steps(lock: Lock) -> str:
    """How to enter a PIN at this lock's keypad, `{pin}` for the PIN: the owner's words for its
    model, else their words for every lock, else the defaults."""
    rows = KeypadSteps.objects.filter(owner_id=lock.owner_id, lock_model__in=[lock.model_name, ""])
    mine = {row.lock_model: row.steps for row in rows}
    return mine.get(lock.model_name) or mine.get("") or keypad_steps_default(lock.model_name)


def keypad_steps_save(*, owner, lock_model: str, steps: str) -> None:
    """The owner's steps for a lock model ('' for every lock); empty steps go back to the
    defaults."""
    steps = " ".join(steps.split())
    if not steps:
        KeypadSteps.objects.filter(owner=owner, lock_model=lock_model).delete()
        return
    if steps.count("{pin}") != 1:
        raise ServiceError("Write {pin} once, where the guest enters their PIN.", field="steps")
    KeypadSteps.objects.update_or_create(
        owner=owner, lock_model=lock_model, defaults={"steps": steps[:300]}
    )


def keypad_rows(owner) -> list[tuple[str, str]]:
    """Settings → Messages: each lock model of the owner's doors with its steps now."""
    models = Lock.objects.filter(owner=owner).values_list("model_name", flat=True)
    mine = dict(KeypadSteps.objects.filter(owner=owner).values_list("lock_model", "steps"))
    return [
        (model, mine.get(model) or mine.get("") or keypad_steps_default(model))
        for model in sorted(set(models))
    ]


@dataclass(frozen=True)
class HelpAnswer:
    """What the page says. found: what Innkeeper found, in the guest's words. steps: the keypad's
    steps, `{pin}` still in them. backup: the code to use instead. phone: the front desk's."""

    finding: str
    found: str
    steps: str = ""
    backup: AccessCode | None = None
    texted: bool = False
    phone: str = ""
    wait: str = ""  # refused: too many presses; when to try again


def _guest_code(stay: Reservation, lock: Lock) -> AccessCode | None:
    return AccessCode.objects.filter(
        reservation=stay,
        lock=lock,
        kind=AccessCode.Kind.GUEST,
        removed_at__isnull=True,
        deleted_at__isnull=True,
    ).first()


def _wrong_pins(lock: Lock, now: datetime) -> int:
    minutes = lock.owner.lockout_within_minutes
    return Event.objects.filter(
        lock=lock,
        event_type=ACCESS_DENIED,
        data__method=KEYCODE,
        occurred_at__gt=now - timedelta(minutes=minutes),
        occurred_at__lte=now,
    ).count()


def _trouble(stay: Reservation, lock: Lock, now: datetime) -> tuple[str, str]:
    """What is wrong at the door, for the guest and for the front desk ('' and '': nothing)."""
    code = _guest_code(stay, lock)
    if code is None:
        return _("This door has no code for your stay."), "the door has no code of the stay"
    if not lock.online:
        return _("This lock is not connected right now."), "the lock is offline"
    if not code.is_on_lock or code.errors:
        return _("Your code is not on this lock yet."), "the code is not on the lock"
    wrong = _wrong_pins(lock, now)
    if wrong:
        minutes = lock.owner.lockout_within_minutes
        return (
            _("The lock refused a code at this door in the last few minutes."),
            f"{wrong} wrong PIN{'s' if wrong != 1 else ''} there in the last {minutes} minutes",
        )
    return "", ""


def guest_help_ask(*, reservation: Reservation, lock: Lock, now: datetime) -> HelpAnswer:
    """The guest pressed "My code doesn't work" at `lock`, one of their stay's doors."""
    phone = messaging_settings(reservation.owner).front_desk_phone
    wait = attempt_take(limit=GUEST_HELP, subject=f"stay:{reservation.pk}", now=now)
    if wait is not None:
        minutes = max(1, -(-int(wait.total_seconds()) // 60))
        return HelpAnswer("limited", "", phone=phone, wait=str(minutes))
    earlier = (
        GuestHelp.objects.filter(reservation=reservation, lock=lock, backup__isnull=False)
        .select_related("backup")
        .first()
    )
    if earlier is not None:
        return _again(reservation, lock, earlier.backup, phone, now)
    found, reason = _trouble(reservation, lock, now)
    if not found:
        _record(reservation, lock, Finding.READY, "", None, now)
        words = _("Your code is on this lock and the lock is online.")
        return HelpAnswer(Finding.READY, words, steps=keypad_steps(lock), phone=phone)
    return _backup(reservation, lock, found, reason, phone, now)


def _again(stay, lock, backup: AccessCode, phone: str, now: datetime) -> HelpAnswer:
    """A backup came from the page before: the same one, never a second."""
    if backup.deleted_at is not None or backup.removed_at is not None:
        return _no_backup(stay, lock, "", "the backup given before has ended", phone, now)
    _record(stay, lock, Finding.BACKUP_AGAIN, "", backup, now)
    found = _("You were given a backup code for this door already.")
    return HelpAnswer(Finding.BACKUP_AGAIN, found, backup=backup, phone=phone)


def _backup(stay, lock, found: str, reason: str, phone: str, now: datetime) -> HelpAnswer:
    try:
        given = reservation_backups_give(reservation=stay, now=now, lock=lock)
    except ServiceError as exc:
        return _no_backup(stay, lock, found, f"{reason}; {exc.message}", phone, now)
    backup = next((door.backup for door in given if door.backup is not None), None)
    if backup is None:
        problem = " ".join(door.problem for door in given if door.problem)
        return _no_backup(stay, lock, found, f"{reason}; {problem}", phone, now)
    texted, how = _text(stay, backup, now)
    done = f"a backup for it was given there, {how}"
    _record(stay, lock, Finding.BACKUP, reason, backup, now, done)
    open_lockout = EntryAlert.objects.filter(
        reservation=stay, lock=lock, kind=EntryAlert.Kind.LOCKOUT, cleared_at__isnull=True
    ).first()
    if open_lockout is not None:
        entry_alert_help_record(
            alert=open_lockout,
            help_given=f"The guest was given a backup for {lock.name} on their page, {how}.",
            now=now,
        )
    return HelpAnswer(Finding.BACKUP, found, backup=backup, texted=texted, phone=phone)


def _text(stay: Reservation, backup: AccessCode, now: datetime) -> tuple[bool, str]:
    """The backup by SMS too, as the lockout flow sends it: (texted, how, for the desk)."""
    if not stay.phone:
        return False, "and not texted: the stay has no mobile number"
    try:
        message_queue(reservation=stay, kind=Message.Kind.BACKUP, now=now, backup_codes=[backup])
    except ServiceError as exc:
        return False, f"and not texted: {exc.message}"
    if not sms_connected(stay.owner):
        return False, "and kept in the Outbox, not texted: no SMS service is connected"
    return True, "and texted to the guest"


def _no_backup(stay, lock, found: str, reason: str, phone: str, now: datetime) -> HelpAnswer:
    _record(stay, lock, Finding.NO_BACKUP, reason, None, now, "no backup could be given")
    reach = (
        f"they were shown the front desk's phone ({phone})"
        if phone
        else (
            "no front desk phone is set in Settings → Messages, so they were told the desk would "
            "call"
        )
    )
    lockout_report(
        reservation=stay,
        lock=lock,
        help_given=f"No backup could be given on the guest's page ({reason}); {reach}.",
        now=now,
    )
    words = found or _("Your code does not open this door.")
    return HelpAnswer(Finding.NO_BACKUP, words, phone=phone)


def _record(stay, lock, finding, reason, backup, now, done: str = "") -> None:
    GuestHelp.objects.create(
        owner_id=stay.owner_id,
        reservation=stay,
        lock=lock,
        finding=finding,
        reason=reason[:200],
        backup=backup,
        at=now,
    )
    said = f"On their page, the guest said their code does not open {lock.name}"
    if finding == Finding.READY:
        message = f"{said}: it is on the lock and the lock is online; they were shown the steps."
    elif finding == Finding.BACKUP_AGAIN:
        message = f"{said}: they were shown the backup given there before."
    else:
        message = f"{said} ({reason}): {done}."
    event_record(
        owner=stay.owner,
        event_type="reservation.guest_asked_help",
        now=now,
        lock=lock,
        reservation=stay,
        message=message,
    )


def guest_check_out(*, reservation: Reservation, now: datetime) -> Reservation:
    """The guest says on their page they have left: the early check-out (codes off every door),
    written on the stay for the front desk. Its link opens nothing from now on."""
    reservation_check_out_early(reservation=reservation, now=now)
    event_record(
        owner=reservation.owner,
        event_type="reservation.guest_checked_out",
        now=now,
        reservation=reservation,
        message="The guest checked out on their page: the codes come off every door.",
    )
    return reservation
