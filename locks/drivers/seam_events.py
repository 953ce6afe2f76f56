"""What Seam's locks report at their doors, read from Seam's event feed (`events/list`).

Seam lists the events created after `since` (or inside `between`, both ends left out), at most
`limit` of them (500 unless told). Which end of a longer list it keeps is not documented: its own
examples list the newest first, its fake the oldest first. So the cursor never trusts either:

- A page with fewer events than the limit is everything since `since`: the next read starts from
  the newest `created_at` on it, less `OVERLAP`, because an event can become visible a moment
  after a newer one (events are stored once by their id, so reading one twice is harmless).
- A full page listed newest first leaves out older events: the next read is the window between
  `since` and the page's oldest, until a page of it is not full; then on from the newest seen.
- A full page listed oldest first leaves out newer events: the next read starts exactly at its
  newest (less a millisecond, for events of the same instant), without the overlap, which could
  give the same page back.

`created_at` (when Seam got the event), not `occurred_at`, is what `since` filters on: a lock
that was offline reports its door's events late, with their own earlier times.

The cursor is text: `<since>`, `<since>!` (exact: no overlap) or `<since> <upto> <then>` (the
window below a full page, and where to go on from after it). No cursor: an hour back from now.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.utils.dateparse import parse_datetime

from locks.drivers.base import (
    ACCESS_DENIED,
    KEYCODE,
    LOCKED,
    MANUAL,
    REMOTE,
    UNKNOWN,
    UNLOCKED,
    EventBatch,
    LockEventReading,
)

# Seam has no door-open or door-closed events for locks: these three are all it reports.
EVENT_TYPES = (UNLOCKED, LOCKED, ACCESS_DENIED)
PAGE_SIZE = 500  # Seam's own default
FIRST_LOOK_BACK = timedelta(hours=1)
OVERLAP = timedelta(minutes=5)
TICK = timedelta(milliseconds=1)  # Seam's fake keeps milliseconds only

# Seam's `method` of a lock or unlock, in ours. `automatic` (an auto-relock), `card` and
# `mobile_key` are none of a PIN, a hand or a command over the air: unknown.
METHODS = {"keycode": KEYCODE, "manual": MANUAL, "remote": REMOTE}
# A denied attempt is a wrong, expired or blocked PIN at the keypad, unless Seam says a card or
# phone credential was refused.
DENIED_NOT_AT_KEYPAD = {"credential_error"}


@dataclass(frozen=True)
class Cursor:
    since: datetime
    exact: bool = False
    upto: datetime | None = None  # reading the window (since, upto) below a full page
    then: datetime | None = None  # where to go on from once that window is read


def _field(obj, key: str, default=None):
    """A field of an SDK resource or of a plain dict (recorded answers), absent or None alike."""
    if obj is None:
        return default
    value = obj.get(key) if isinstance(obj, dict) else getattr(obj, key, None)
    return default if value is None else value


def _time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _text(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def cursor_parse(text: str | None, *, now: datetime) -> Cursor:
    """The cursor read back; none (or one this driver did not write) starts an hour ago."""
    parts = (text or "").split()
    times = [_time(p.rstrip("!")) for p in parts]
    if len(parts) == 1 and times[0] is not None:
        return Cursor(since=times[0], exact=parts[0].endswith("!"))
    if len(parts) == 3 and None not in times:
        return Cursor(since=times[0], exact=parts[0].endswith("!"), upto=times[1], then=times[2])
    return Cursor(since=now - FIRST_LOOK_BACK)


def cursor_text(cursor: Cursor) -> str:
    since = _text(cursor.since) + ("!" if cursor.exact else "")
    if cursor.upto is None:
        return since
    return f"{since} {_text(cursor.upto)} {_text(cursor.then or cursor.since)}"


def method_of(event, event_type: str) -> str:
    """How the door was opened, locked or tried, in our words. Where Seam does not say (older
    answers, its fake), a code named means the keypad and an action attempt means over the air."""
    if event_type == ACCESS_DENIED:
        reason = _field(_field(event, "reason"), "reason_code")
        return UNKNOWN if reason in DENIED_NOT_AT_KEYPAD else KEYCODE
    method = _field(event, "method")
    if method:
        return METHODS.get(method, UNKNOWN)
    if _field(event, "access_code_id"):
        return KEYCODE
    if _field(event, "action_attempt_id"):
        return REMOTE
    return UNKNOWN


def lock_event_reading(event) -> LockEventReading | None:
    """A Seam event as what a lock reported at its door; None for any other event. The PIN Seam
    may quote (`code`) is left behind: only the code's id goes on."""
    event_type = _field(event, "event_type")
    occurred_at = _time(_field(event, "occurred_at")) or _time(_field(event, "created_at"))
    if event_type not in EVENT_TYPES or occurred_at is None or not _field(event, "device_id"):
        return None
    return LockEventReading(
        ref=_field(event, "event_id"),
        device_id=_field(event, "device_id"),
        event_type=event_type,
        occurred_at=occurred_at,
        method=method_of(event, event_type),
        code_ref=_field(event, "access_code_id", ""),
    )


def events_read(list_events, cursor: str | None, *, now: datetime) -> EventBatch:
    """One page of the feed from `cursor`; `list_events(**params)` is Seam's `events.list`."""
    at = cursor_parse(cursor, now=now)
    lower = at.since if at.exact else at.since - OVERLAP
    params: dict = {"event_types": list(EVENT_TYPES), "limit": PAGE_SIZE}
    if at.upto is None:
        params["since"] = _text(lower)
    else:
        params["between"] = [_text(lower), _text(at.upto)]
    page = list(list_events(**params))
    readings = [r for r in map(lock_event_reading, page) if r is not None]
    readings.sort(key=lambda r: r.occurred_at)
    created = [t for t in (_time(_field(e, "created_at")) for e in page) if t is not None]
    if len(page) < PAGE_SIZE or not created:
        # The whole window is read.
        if at.upto is not None:
            after = Cursor(since=at.then or at.since)
        else:
            after = Cursor(since=max([at.since, *created]))
        return EventBatch(readings, cursor_text(after), more=False)
    oldest, newest = min(created), max(created)
    if created[0] > created[-1]:
        # Newest first: the older events of the window are still to read.
        upto = oldest + TICK
        if at.upto is not None and upto >= at.upto:
            upto = oldest  # a page of one instant: go on below it
        then = at.then if at.upto is not None else max(at.since, newest)
        after = Cursor(since=at.since, exact=at.exact, upto=upto, then=then)
    else:
        # Oldest first: the newer ones are.
        since = newest - TICK
        if since <= lower:
            since = newest
        after = Cursor(since=since, exact=True, upto=at.upto, then=at.then)
    return EventBatch(readings, cursor_text(after), more=True)
