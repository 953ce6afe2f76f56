"""Attempts counted per subject in fixed windows, in the database (so every gunicorn process
counts together, without Redis), with conditional updates (so concurrent requests never lose a
count or let one more through).

- API requests without a valid key, per address: after 20 in 5 minutes that address is refused
  (429) until the window passes. A valid key keeps working from a throttled address: keys are
  240 random bits, so guessing one is hopeless however fast it goes, and refusing everything
  would let anyone behind the same NAT or proxy as a property system shut it out with 20 bad
  requests. What it stops is a flood of failing requests doing work and filling logs.
- PINs tried at a simulated keypad (the dashboard's, per person; the API's, per key) and PINs
  shown (per person): 10 each in 10 minutes. Either answers whether a PIN is a door's, so
  without a limit it would be an oracle for the PINs of every lock.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from locks.models import AttemptWindow


@dataclass(frozen=True)
class Limit:
    kind: str
    attempts: int
    window: timedelta


API_KEY_FAILURES = Limit("api_key_failure", 20, timedelta(minutes=5))
KEYPAD_TRIES = Limit("keypad_try", 10, timedelta(minutes=10))
PIN_REVEALS = Limit("pin_reveal", 10, timedelta(minutes=10))


def attempt_record(*, limit: Limit, subject: str, now: datetime) -> None:
    """One more attempt by `subject`: counted in its window, or starting a new one."""
    rows = AttemptWindow.objects.filter(kind=limit.kind, subject=subject)
    if rows.filter(window_start__gt=now - limit.window).update(count=F("count") + 1):
        return
    if _restart(limit, subject, now) or _start(limit, subject, now):
        return
    rows.filter(window_start__gt=now - limit.window).update(count=F("count") + 1)


def attempt_retry_after(*, limit: Limit, subject: str, now: datetime) -> timedelta | None:
    """How long `subject` is still refused, or None when it is not."""
    window_start = (
        AttemptWindow.objects.filter(
            kind=limit.kind,
            subject=subject,
            window_start__gt=now - limit.window,
            count__gte=limit.attempts,
        )
        .values_list("window_start", flat=True)
        .first()
    )
    return None if window_start is None else window_start + limit.window - now


def attempt_take(*, limit: Limit, subject: str, now: datetime) -> timedelta | None:
    """One attempt for `subject` if it has one left in its window (then None); otherwise how long
    until it has one, and nothing is counted."""
    rows = AttemptWindow.objects.filter(kind=limit.kind, subject=subject)
    current = rows.filter(window_start__gt=now - limit.window)
    for _ in range(3):
        if current.filter(count__lt=limit.attempts).update(count=F("count") + 1):
            return None
        retry_after = attempt_retry_after(limit=limit, subject=subject, now=now)
        if retry_after is not None:
            return retry_after
        if _restart(limit, subject, now) or _start(limit, subject, now):
            return None
        # Another request started or restarted the window in between: count in it.
    raise RuntimeError(f"Could not count a {limit.kind} attempt")  # never, short of a bug


def _restart(limit: Limit, subject: str, now: datetime) -> bool:
    """A new window on the subject's row, if its last one is over."""
    expired = AttemptWindow.objects.filter(
        kind=limit.kind, subject=subject, window_start__lte=now - limit.window
    )
    return bool(expired.update(window_start=now, count=1))


def _start(limit: Limit, subject: str, now: datetime) -> bool:
    """The subject's first row; False when another request inserted it first."""
    # Rows whose windows are over are not kept.
    AttemptWindow.objects.filter(kind=limit.kind, window_start__lte=now - limit.window).delete()
    try:
        with transaction.atomic():
            AttemptWindow.objects.create(kind=limit.kind, subject=subject, window_start=now)
    except IntegrityError:
        return False
    return True


def retry_words(retry_after: timedelta) -> str:
    """ "in 7 minutes", "in 1 minute", "in 40 seconds": when a refused subject may try again."""
    seconds = max(1, int(retry_after.total_seconds() + 0.999))
    if seconds < 60:
        return f"in {seconds} second{'s' if seconds != 1 else ''}"
    minutes = -(-seconds // 60)
    return f"in {minutes} minute{'s' if minutes != 1 else ''}"


def keypad_refusal(wait: timedelta) -> str:
    """What a person who tried too many PINs at keypads is told."""
    return (
        f"You have tried {KEYPAD_TRIES.attempts} PINs at keypads in the last "
        f"{_minutes(KEYPAD_TRIES)} minutes, the most allowed, so this one was not tried. "
        f"Try again {retry_words(wait)}."
    )


def pin_reveal_refusal(wait: timedelta) -> str:
    """What a manager who asked to see too many PINs is told (a lock's codes, a stay's PIN)."""
    return (
        f"You have been shown {PIN_REVEALS.attempts} PINs in the last "
        f"{_minutes(PIN_REVEALS)} minutes, the most allowed, so this one stays hidden. "
        f"Try again {retry_words(wait)}."
    )


def _minutes(limit: Limit) -> int:
    return int(limit.window.total_seconds() // 60)
