"""Plain words for people: Seam issue codes explained, event sentences, local times, code states.

A front-desk person reads these, so every issue says what it means and what to do about it.
Domain code words its messages with these; the dashboard's template tags wrap them.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.template.defaultfilters import pluralize

from locks.issue_codes import (
    ACCOUNT_DISCONNECTED,
    BEING_DELETED,
    CODE_CONSTRAINTS_VIOLATED,
    CODE_MODIFIED_EXTERNAL_TO_SEAM,
    CONFLICTING_EXTERNAL_MODIFICATION,
    DELAY_IN_SETTING_CODE_ON_DEVICE,
    DELAY_IN_SETTING_ON_DEVICE,
    DEVICE_DISCONNECTED,
    DEVICE_OFFLINE,
    DEVICE_REMOVED,
    DUPLICATE_CODE_ON_DEVICE,
    EMPTY_BACKUP_ACCESS_CODE_POOL,
    EXTERNAL_MODIFICATION_IN_EFFECT,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
    MANY_ACTIVE_BACKUP_CODES,
    MAX_ACCESS_CODES_REACHED,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PARTIAL_BACKUP_ACCESS_CODE_POOL,
    PROVIDER_ISSUE,
    TIME_FRAME_ADJUSTED_FOR_UNKNOWN_TIME_ZONE,
    UNKNOWN_ISSUE_WITH_ACCESS_CODE,
    USING_BACKUP_ACCESS_CODE,
)
from locks.models import AccessCode, Lock
from locks.pins import CONSTRAINT_MESSAGES

# Seam's error and warning codes (both current and older names), for people: (what, what to do).
ISSUES = {
    # On a code.
    FAILED_TO_SET_ON_DEVICE: (
        "This code could not be put on the lock.",
        "Check that the lock is online and its batteries are good: Innkeeper keeps trying, "
        "unless the lock refused this code outright (then change its PIN or window, or revoke "
        "it). If a guest is about to arrive, give them another way in.",
    ),
    FAILED_TO_REMOVE_FROM_DEVICE: (
        "This code could not be taken off the lock, so it may still open the door.",
        "Innkeeper keeps trying. Check that the lock is online; if it stays, remove the code "
        "at the keypad.",
    ),
    DUPLICATE_CODE_ON_DEVICE: (
        "The lock already holds this PIN for another code.",
        "Change this code's PIN, or revoke it and add a new one.",
    ),
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE: (
        "All code slots on the lock are in use, so this code is waiting.",
        "Revoke a code that is no longer needed; this one goes on as soon as a slot is free.",
    ),
    CONFLICTING_EXTERNAL_MODIFICATION: (
        "Someone changed or removed this code at the lock.",
        "Nothing to do: Innkeeper is putting it back.",
    ),
    CODE_CONSTRAINTS_VIOLATED: (
        "The lock refuses this PIN.",
        "Change the PIN to one this lock accepts (see the rules under “This lock”).",
    ),
    PROVIDER_ISSUE: (
        "The lock, or its maker's service, refused the change.",
        "Innkeeper retries by itself. If it lasts more than an hour, check the lock.",
    ),
    DELAY_IN_SETTING_ON_DEVICE: (
        "Programming this code is taking longer than usual.",
        "Usually the lock is offline or out of range: check it. Innkeeper keeps trying.",
    ),
    EXTERNAL_MODIFICATION_IN_EFFECT: (
        "This code was changed at the lock, and that change is kept.",
        "Nothing to do, unless the change was a mistake: then add the code again.",
    ),
    USING_BACKUP_ACCESS_CODE: (
        "The guest has a backup code for this door, in place of this one.",
        "Nothing to do: the backup works until the stay ends, then comes off the lock.",
    ),
    BEING_DELETED: ("This code is being removed.", "Nothing to do."),
    TIME_FRAME_ADJUSTED_FOR_UNKNOWN_TIME_ZONE: (
        "The lock's time zone is unknown, so the window was adjusted.",
        "Check the property's time zone.",
    ),
    UNKNOWN_ISSUE_WITH_ACCESS_CODE: (
        "The lock reported a problem with this code.",
        "If it lasts, revoke the code and add a new one.",
    ),
    # On a lock.
    DEVICE_DISCONNECTED: (
        "The lock is offline.",
        "Check its batteries and that its hub or Wi-Fi is on. Codes already on the lock keep "
        "working; changes wait until it is back.",
    ),
    DEVICE_REMOVED: (
        "The lock's device stopped answering and its hub no longer lists it: it may have been "
        "reset or removed.",
        "If it was reset, it waits in Devices → New devices: a manager says there that it "
        "replaces this door, and its codes go back on.",
    ),
    ACCOUNT_DISCONNECTED: (
        "The connection to the lock maker's account was lost.",
        "Ask a manager to reconnect the account.",
    ),
    MAX_ACCESS_CODES_REACHED: (
        "All code slots on this lock are in use.",
        "Revoke codes that are no longer needed so waiting codes can go on.",
    ),
    EMPTY_BACKUP_ACCESS_CODE_POOL: (
        "No backup code is ready on this lock.",
        "If a guest cannot get in here now, let them in another way. New backups go on as soon "
        "as the lock takes them: check that it is online.",
    ),
    PARTIAL_BACKUP_ACCESS_CODE_POOL: (
        "Fewer backup codes are ready on this lock than it should keep.",
        "Nothing to do if they are being programmed. If the lock has no free slot, revoke codes "
        "that are no longer needed.",
    ),
    MANY_ACTIVE_BACKUP_CODES: (
        "Several guests are using backup codes on this lock.",
        "Their own codes may not be reaching it: check the lock's connection and batteries.",
    ),
}
ISSUES[CODE_MODIFIED_EXTERNAL_TO_SEAM] = ISSUES[CONFLICTING_EXTERNAL_MODIFICATION]
ISSUES[DELAY_IN_SETTING_CODE_ON_DEVICE] = ISSUES[DELAY_IN_SETTING_ON_DEVICE]
ISSUES[DEVICE_OFFLINE] = ISSUES[DEVICE_DISCONNECTED]

EVENTS = {
    "device.added": "Lock added",
    "device.connected": "Lock is back online",
    "device.disconnected": "Lock went offline",
    "device.low_battery": "Battery is low",
    "device.removed": "The lock's hub no longer sees its device (removed or factory reset)",
    "device.replaced": "The lock was replaced by a new device; its codes are programmed on it",
    "device.codes_wiped": (
        "Every code was gone from the lock at once (a reset?); Innkeeper is putting them back"
    ),
    "access_code.unmanaged.converted_to_managed": "{code}, found on the lock, is managed here now",
    "access_code.created": "{code} created",
    "access_code.set_on_device": "{code} is on the lock",
    "access_code.scheduled_on_device": "{code} is stored on the lock with its own schedule",
    "access_code.removed_from_device": "{code} taken off the lock",
    "access_code.deleted": "{code} revoked",
    "access_code.deleted_external_to_seam": "{code} was removed at the lock by someone",
    "access_code.unmanaged.created": "Found a code on the lock that nobody here manages",
    "access_code.failed_to_set_on_device": "{code} could not be put on the lock",
    "access_code.failed_to_remove_from_device": "{code} could not be taken off the lock",
    "access_code.delay_in_setting_on_device": "{code} is taking longer than usual to program",
    "access_code.pin_revealed": "PIN of {code} shown to {revealed_by}",
    "access_code.backup_access_code_pulled": "A backup code was given in place of {code}",
    "device.backup_pool_enabled": "Backup codes turned on for this lock",
    "device.backup_pool_disabled": "Backup codes turned off for this lock",
    "lock.unlocked": "Door opened with {code}",
    "lock.access_denied": "Wrong PIN typed at the keypad: the door stayed locked",
}
# How a door was locked or unlocked, when it was not with a code at the keypad.
TURNS = {
    ("lock.unlocked", "manual"): "Unlocked by hand (a key or the thumb-turn)",
    ("lock.locked", "manual"): "Locked by hand (a key or the thumb-turn)",
    ("lock.locked", "unknown"): "Locked",
    ("lock.unlocked", "unknown"): "Unlocked",
    ("lock.door_opened", "unknown"): "Door opened",
    ("lock.door_closed", "unknown"): "Door closed",
}


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz)


def local_time(value: datetime | None, tz: ZoneInfo) -> str:
    """`Mon 1 Jun, 13:00 WEST`: a moment in the property's time zone, with its abbreviation."""
    if value is None:
        return ""
    d = _local(value, tz)
    return f"{d:%a} {d.day} {d:%b}, {d:%H:%M} {d.tzname()}"


def stay_days(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """`3–5 Dec`, or `30 Nov – 2 Dec` across months: a stay's days at the property."""
    first, last = _local(start, tz), _local(end, tz)
    if first.date() == last.date():
        return f"{first.day} {first:%b}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b}"
    return f"{first.day} {first:%b} – {last.day} {last:%b}"


def local_clock(value: datetime | None, tz: ZoneInfo) -> str:
    """`13:00 WEST`: the time of day only, for events of the same day."""
    if value is None:
        return ""
    d = _local(value, tz)
    return f"{d:%H:%M} {d.tzname()}"


def window(code: AccessCode, tz: ZoneInfo) -> str:
    if code.type == AccessCode.Type.ONGOING:
        return "Always (no end date)"
    start, end = _local(code.starts_at, tz), _local(code.ends_at, tz)
    start_text = f"{start:%a} {start.day} {start:%b}, {start:%H:%M}"
    if start.date() == end.date():
        end_text = f"{end:%H:%M}"
    else:
        end_text = f"{end:%a} {end.day} {end:%b}, {end:%H:%M}"
    if start.tzname() != end.tzname():  # the clocks change during the stay
        return f"{start_text} {start.tzname()} → {end_text} {end.tzname()}"
    return f"{start_text} → {end_text} {end.tzname()}"


# A code's error, as the label of its badge, the most telling first.
ERROR_LABELS = {
    DUPLICATE_CODE_ON_DEVICE: "PIN refused",
    CODE_CONSTRAINTS_VIOLATED: "PIN refused",
    FAILED_TO_SET_ON_DEVICE: "Could not be programmed",
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE: "Waiting for a free slot",
    FAILED_TO_REMOVE_FROM_DEVICE: "Could not be removed",
    PROVIDER_ISSUE: "Lock refused, retrying",
}


def _error_badge(code: AccessCode) -> dict | None:
    """A code kept off the lock by an error: the error is the badge, red, with what it means."""
    by_code = {e.get("error_code"): e for e in code.errors}
    for error_code, label in ERROR_LABELS.items():
        if error_code in by_code:
            return {"label": label, "tone": "red", "detail": explain(by_code[error_code])["what"]}
    if code.errors:
        return {
            "label": "Not on the lock",
            "tone": "red",
            "detail": explain(code.errors[0])["what"],
        }
    return None


def code_state(code: AccessCode, lock: Lock, now: datetime) -> dict:
    """What a person needs to know about a code now: a label, a colour and a detail line."""
    lead = lock.program_lead(lock.owner, code)
    Status = AccessCode.Status
    tz = lock.property.tz
    if code.status == Status.REMOVING or (
        code.is_over(now) and (code.is_on_lock or code.status == Status.SETTING)
    ):
        return {"label": "Being removed", "tone": "amber", "detail": "Coming off the lock."}
    if code.is_over(now):
        return {"label": "Revoked", "tone": "grey", "detail": "It never reached the lock."}
    if code.errors:
        tone = "red"
    elif code.warnings:
        tone = "amber"
    else:
        tone = None
    if code.is_on_lock and lock.device_missing:
        # The last the lock confirmed; its device is gone since, so nobody knows now.
        return {
            "label": "Unknown",
            "tone": "amber",
            "detail": "The lock's device is gone: this code may no longer be on the door.",
        }
    if code.is_on_lock:
        detail = ""
        if code.type == AccessCode.Type.TIME_BOUND and now < code.starts_at:
            works_from = local_time(code.starts_at, tz)
            detail = (
                f"Stored on the lock, works from {works_from}."
                if code.is_scheduled_on_device
                else f"Opens the door from {works_from}."
            )
        return {"label": "On the lock", "tone": tone or "green", "detail": detail}
    program_at = code.program_at(lead)
    if code.status == Status.UNSET and code.is_held_by_cloud:
        return {
            "label": "Scheduled",
            "tone": tone or "blue",
            "detail": "The lock's cloud has it and puts it on the lock before "
            f"{local_time(code.starts_at, tz)}.",
        }
    if code.status == Status.UNSET and program_at is not None and now < program_at:
        return {
            "label": "Scheduled",
            "tone": tone or "blue",
            "detail": f"Goes on the lock {until(program_at, now)}, "
            f"at {local_time(program_at, tz)}.",
        }
    return _error_badge(code) or {
        "label": "Being programmed",
        "tone": tone or "amber",
        "detail": "",
    }


def slots_used(lock: Lock, used: int) -> str:
    """`7 of 30 slots used`: a lock's code slots, the same words on every page (`used`: its
    managed codes holding a slot and the codes nobody manages, `selectors.slots_used`)."""
    noun = "slot" if (lock.max_active_codes or used) == 1 else "slots"
    if lock.max_active_codes:
        return f"{used} of {lock.max_active_codes} {noun} used"
    return f"{used} {noun} used"


def pool_tone(health) -> str:
    """A backup pool's colour: full is green, short is amber, empty is red, off is grey."""
    if not health.target:
        return "grey"
    if health.ready == 0:
        return "red"
    return "green" if health.ready >= health.target else "amber"


def pool_words(health) -> str:
    """A backup pool in the same words on every page: `3 of 5 ready`, or `Backups off`."""
    if not health.target:
        return "Backups off"
    return f"{health.ready} of {health.target} ready"


def explain(issue: dict) -> dict:
    """An issue from `errors`/`warnings`, with what it means and what to do, in plain words."""
    seam_code = issue.get("error_code") or issue.get("warning_code") or ""
    what, todo = ISSUES.get(seam_code, (issue.get("message") or "Something needs a look.", ""))
    return {
        "code": seam_code,
        "what": what,
        "todo": todo,
        "message": issue.get("message", ""),
        "is_error": "error_code" in issue,
    }


def event_sentence(event) -> str:
    method = event.data.get("method")
    if method == "remote" and event.message:
        return event.message  # who turned it remotely, and why
    turned = TURNS.get((event.event_type, method)) or TURNS.get((event.event_type, "unknown"))
    if turned and event.access_code_id is None and method != "keycode":
        return turned
    template_text = EVENTS.get(event.event_type)
    if template_text is None:
        return event.message or event.event_type.replace("_", " ").replace(".", ": ")
    code = event.access_code
    code_name = f"“{code.name}”" if code and code.name else "a code"
    sentence = template_text.format(
        code=code_name, revealed_by=event.data.get("revealed_by", "someone")
    )
    return sentence[0].upper() + sentence[1:]


def code_lengths(lengths: list[int]) -> str:
    lengths = sorted(lengths or [])
    if not lengths:
        return "Any length"
    if len(lengths) == 1:
        return f"{lengths[0]} digits"
    if lengths == list(range(lengths[0], lengths[-1] + 1)) and len(lengths) > 2:
        return f"{lengths[0]} to {lengths[-1]} digits"
    return ", ".join(str(n) for n in lengths[:-1]) + f" or {lengths[-1]} digits"


def constraint_words(constraint: str) -> str:
    words = CONSTRAINT_MESSAGES.get(constraint, constraint.replace("_", " "))
    words = words.removeprefix("it ")
    return words[0].upper() + words[1:]


def since(value: datetime | None, now: datetime) -> str:
    """`3 min ago`: short, for facts like the last read."""
    if value is None:
        return "never"
    seconds = int((now - value).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} days ago"


def until(value: datetime | None, now: datetime) -> str:
    if value is None or value <= now:
        return ""
    left = value - now
    if left < timedelta(hours=1):
        return f"in {max(1, int(left.total_seconds() // 60))} min"
    if left < timedelta(days=1):
        return f"in {int(left.total_seconds() // 3600)} h"
    return f"in {left.days} day{pluralize(left.days)}"
