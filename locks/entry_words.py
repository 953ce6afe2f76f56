"""Plain words for who came in at a door: entries, their codes and how the bolt turned, the
bolt's state, and why a door cannot be unlocked over the air.

The stay's page, the lock page and the entries' CSV all word them here. A PIN is never in
them: a code is named, never read out.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from locks.drivers.base import ACCESS_DENIED, KEYCODE, MANUAL, REMOTE
from locks.models import AccessCode, Event, Lock
from locks.remote import CANNOT, OFFLINE, turn_refusal

METHODS = {
    KEYCODE: "Keypad",
    MANUAL: "By hand",
    REMOTE: "Remote",
}


def entry_method(event: Event) -> str:
    """How the bolt turned: keypad, by hand (a thumb-turn or a key), remote, or not reported."""
    return METHODS.get(event.data.get("method", ""), "Not reported")


def entry_how(event: Event) -> str:
    """How, with who and why for a remote unlock: `Remote, by Maya Costa: Emergency`."""
    method = entry_method(event)
    if event.data.get("method") == MANUAL:
        return "By hand (from inside, or with a key)"
    if event.data.get("method") != REMOTE:
        return method
    by = event.data.get("by", "")
    if not by and not event.data.get("action_attempt_id"):
        return "Remote, from outside Innkeeper (the lock's own app?)"
    reason = event.data.get("reason", "")
    return f"Remote, by {by or 'someone'}" + (f": {reason}" if reason else "")


def entry_is_backup(event: Event) -> bool | None:
    """Whether a backup code opened the door: None when no code of ours did."""
    if event.access_code_id is None:
        return None
    if "is_backup" in event.data:
        return bool(event.data["is_backup"])
    return event.access_code.kind == AccessCode.Kind.BACKUP


def entry_code(event: Event) -> str:
    """Which code was used, by its kind and name (never its PIN): a stay's own PIN, a backup,
    another code of the door; '' when none was (remote, by hand)."""
    code = event.access_code
    if code is None:
        return "A code not known here" if event.data.get("method") == KEYCODE else ""
    if entry_is_backup(event):
        return "Backup code"
    if code.kind == AccessCode.Kind.GUEST and code.reservation_id:
        return "Own PIN"
    if not code.is_managed:
        return f"“{code.name}” (not managed here)" if code.name else "A code not managed here"
    return f"“{code.name}”" if code.name else "Unnamed code"


def entry_code_kind(event: Event) -> str:
    """`own PIN` (a stay's guest code), `backup`, or '' (another code, or none)."""
    if entry_is_backup(event):
        return "backup"
    code = event.access_code
    if code is not None and code.kind == AccessCode.Kind.GUEST and code.reservation_id:
        return "own PIN"
    return ""


def entry_kind(event: Event) -> str:
    """The line's kind, for the lock's list and export: an entry or a wrong PIN."""
    return "Wrong PIN" if event.event_type == ACCESS_DENIED else "Entry"


def arrived(arrived_at: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`Arrived 19:52` today at the property, `Arrived Sun 31 May, 19:52` another day."""
    at, today = arrived_at.astimezone(tz), now.astimezone(tz).date()
    if at.date() == today:
        return f"Arrived {at:%H:%M}"
    return f"Arrived {at:%a} {at.day} {at:%b}, {at:%H:%M}"


def presence(check_in: datetime, now: datetime, tz: ZoneInfo) -> str:
    """Where a guest of today stands at a door: `in house`, or `arrives 15:00`."""
    if check_in <= now:
        return "in house"
    return f"arrives {check_in.astimezone(tz):%H:%M}"


def bolt_state(lock: Lock) -> str:
    if lock.locked is None:
        return "Not reported"
    return "Locked" if lock.locked else "Unlocked"


@dataclass(frozen=True)
class UnlockRefusal:
    """Why a door cannot be unlocked over the air now: short, for its button, and in full."""

    button: str
    sentence: str


def unlock_refusal(lock: Lock) -> UnlockRefusal | None:
    """Why *Unlock now* cannot work on `lock` now (`locks.remote.turn_refusal`, the check
    `lock_turn` makes), in words; None when it can."""
    refusal = turn_refusal(lock)
    if refusal == CANNOT:
        return UnlockRefusal(
            "Cannot unlock remotely",
            f"{lock.name} cannot be unlocked over the air: someone has to go to the door, "
            "or give the guest a backup code.",
        )
    if refusal == OFFLINE:
        return UnlockRefusal(
            "Offline: cannot unlock",
            f"{lock.name} is offline, so it cannot be unlocked remotely now. Someone has to go "
            "to the door.",
        )
    return None
