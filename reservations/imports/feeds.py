"""Calendar feeds (Airbnb, Vrbo, Booking.com, PMS exports): fetch, read, and turn into stays.

A feed is a booking site's word on one unit's stays, but a shaky one: a fetch fails, a site
answers with an empty calendar for a while. So a failed read never changes anything, and an
empty answer is believed only after EMPTY_BELIEVED_AFTER of them in a row. Each event is read on
its own: a bad one is skipped and counted, never fatal for the rest.

Polling follows the reconciler's scheduler: a feed is due when `next_poll_at` has passed, and is
claimed with a conditional UPDATE (the lease's end is the claim's token), so two workers never
read one feed at once.
"""

import http.client
import logging
import re
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
import phonenumbers
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize

from locks.errors import ServiceError
from locks.models import Event, Owner, Property, Unit
from locks.records import event_record
from locks.scheduler import queue_all_due, run_all_due
from locks.times import local_to_utc, stay_bounds
from locks.words import local_time, since
from reservations.models import Reservation, ReservationFeed
from reservations.services import reservation_cancel, reservation_upsert

log = logging.getLogger(__name__)

FETCH_TIMEOUT = 15  # seconds; a feed that takes longer is tried again later
MAX_FEED_BYTES = 5 * 1024 * 1024  # years of bookings fit in far less
EMPTY_BELIEVED_AFTER = 3  # empty answers in a row before the stays they leave out are cancelled
FAILING_AFTER = 3  # failed reads in a row before the feed's health turns red
MAX_BACKOFF = timedelta(hours=2)
LEASE = timedelta(minutes=5)  # longer than a poll can take (the fetch times out much sooner)
POLL_BATCH = 200
FEED_CANCELLED = "reservation.feed_cancelled"

# Events that only say a night cannot be booked: Airbnb "Airbnb (Not available)", Vrbo
# "Blocked", Booking.com "CLOSED - Not available".
BLOCK = re.compile(r"\b(not available|unavailable|blocked|closed)\b", re.IGNORECASE)
# Summaries that name no guest ("Reserved"), or prefix the name ("Reserved - Jane Doe").
BOOKING_WORDS = re.compile(
    r"^\s*(reserved|reservation|booked|booking|confirmed)\b\s*[-–—:]?\s*", re.IGNORECASE
)
NAME_LINE = re.compile(r"^\s*(?:guest(?:\s*name)?|name)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
PHONE_LINE = re.compile(
    r"^\s*([^:\n]*\b(?:phone|tel|telephone|mobile|cell)\b[^:\n]*):\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
LINK = re.compile(r"https?://\S+")


class FeedError(Exception):
    """A feed that cannot be read now, with the reason in words a front-desk person follows."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- fetching --------------------------------------------------------------------------------


def fetch(url: str) -> bytes:
    """The feed's bytes; FeedError for a timeout, an HTTP error, a page too large."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FeedError("The feed's address must start with https:// (or http://).")
    host = parts.hostname or url
    request = urllib.request.Request(
        url, headers={"User-Agent": "Innkeeper calendar sync", "Accept": "text/calendar, */*"}
    )
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_FEED_BYTES:
                raise FeedError(_too_large())
            data = response.read(MAX_FEED_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise FeedError(_http_error(exc.code)) from None
    except urllib.error.URLError as exc:
        raise FeedError(_network_error(exc.reason, host)) from None
    except OSError as exc:
        raise FeedError(_network_error(exc, host)) from None
    except http.client.HTTPException:
        raise FeedError(
            f"The connection to {host} broke off while reading the feed. Innkeeper tries again "
            "later; nothing changes meanwhile."
        ) from None
    if len(data) > MAX_FEED_BYTES:
        raise FeedError(_too_large())
    return data


def _too_large() -> str:
    return (
        f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB, which no booking "
        "calendar is. Check that the address is the calendar's export link."
    )


def _http_error(status: int) -> str:
    if status in (401, 403):
        return (
            f"The booking site refused to share the calendar (HTTP {status}). The link may have "
            "been reset: copy the export link again and add it as a new feed."
        )
    if status in (404, 410):
        return (
            f"The booking site says this calendar does not exist (HTTP {status}). The link may "
            "have been reset or the listing removed: copy the export link again."
        )
    if status >= 500:
        return (
            f"The booking site had a problem (HTTP {status}). Innkeeper tries again later; "
            "nothing changes meanwhile."
        )
    return f"The booking site answered with an error (HTTP {status}). Check the feed's address."


def _network_error(reason, host: str) -> str:
    if isinstance(reason, TimeoutError):
        return (
            f"{host} did not answer within {FETCH_TIMEOUT} seconds. Innkeeper tries again "
            "later; nothing changes meanwhile."
        )
    if isinstance(reason, socket.gaierror):
        return f"No server called {host} could be found. Check the feed's address."
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection. Innkeeper tries again later."
    if isinstance(reason, ssl.SSLError):
        return f"A secure connection to {host} failed. Check the feed's address."
    return f"Could not reach {host} ({reason}). Innkeeper tries again later."


# --- reading ---------------------------------------------------------------------------------


@dataclass
class FeedStay:
    """One booking as the feed tells it, in UTC."""

    uid: str
    check_in: datetime
    check_out: datetime
    guest_name: str  # '' when the feed names no guest
    phone: str  # E.164, or ''
    notes: str
    cancelled: bool
    sequence: int


@dataclass
class FeedRead:
    # Bookings not yet over, and cancellations, by UID (the last version of each).
    stays: dict[str, FeedStay] = field(default_factory=dict)
    # Every UID the feed still lists in some form: its stays are not "gone" from it.
    seen: set[str] = field(default_factory=set)
    # Why events were skipped, one line each.
    problems: list[str] = field(default_factory=list)

    @property
    def listed(self) -> int:
        """Bookings not yet over that the feed lists (cancellations aside)."""
        return sum(not stay.cancelled for stay in self.stays.values())


def read_calendar(data: bytes, *, prop: Property, now: datetime) -> FeedRead:
    """The bookings in an iCal file. FeedError when it is not a calendar at all."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        if text[:200].lower().lstrip().startswith((b"<!doctype", b"<html", b"<?xml")):
            raise FeedError(
                "The address answered with a web page, not a calendar. Use the calendar's "
                "export link (it usually ends in .ics), not the listing's page."
            )
        raise FeedError(
            "The address did not answer with a calendar (.ics). Check that it is the "
            "calendar's export link."
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError:
        raise FeedError(
            "The calendar is damaged and could not be read. If this lasts, ask the booking "
            "site, or copy the export link again."
        ) from None
    read = FeedRead()
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID") or "").strip()
        if not uid:
            read.problems.append(f"An event without an id ({_what(event)}) was skipped.")
            continue
        if "RRULE" in event or "RECURRENCE-ID" in event or BLOCK.search(_summary(event)):
            continue  # repeating entries and blocked nights are not bookings
        try:
            stay = _stay(event, uid, prop)
        except ValueError as exc:
            read.seen.add(uid)  # unreadable now, but listed: its stay is not gone
            read.problems.append(f"The event {_what(event)} was skipped: {exc}")
            continue
        read.seen.add(uid)
        if stay.check_out <= now:
            continue  # over: history is never rewritten
        earlier = read.stays.get(uid)
        if earlier is None or stay.sequence >= earlier.sequence:
            read.stays[uid] = stay
    return read


def _summary(event) -> str:
    return str(event.get("SUMMARY") or "").strip()


def _what(event) -> str:
    """An event as a person can find it in the booking site: its summary and start."""
    raw = event.get("DTSTART")
    start = raw.to_ical().decode(errors="replace") if hasattr(raw, "to_ical") else str(raw or "")
    return f"“{_summary(event) or 'no title'}” starting {start or 'on no date'}"


def _stay(event, uid: str, prop: Property) -> FeedStay:
    try:
        start, end = event.start, event.end
    except ValueError:
        raise ValueError("its dates could not be read") from None
    check_in, check_out = _bounds(start, end, prop)
    if check_out <= check_in:
        raise ValueError("it ends before it starts")
    description = str(event.get("DESCRIPTION") or "")
    phone, last_digits = _phone(description, prop.country)
    notes = [f"Phone (last 4 digits): {last_digits}"] if last_digits else []
    notes += [f"Booking: {link}" for link in LINK.findall(description)[:1]]
    try:
        sequence = int(event.get("SEQUENCE") or 0)
    except (TypeError, ValueError):
        sequence = 0
    return FeedStay(
        uid=uid[:255],
        check_in=check_in,
        check_out=check_out,
        guest_name=_guest_name(_summary(event), description),
        phone=phone,
        notes="\n".join(notes),
        cancelled=str(event.get("STATUS") or "").upper() == "CANCELLED",
        sequence=sequence,
    )


def _bounds(start, end, prop: Property) -> tuple[datetime, datetime]:
    if not isinstance(start, datetime):
        # All-day: the nights from the first day to the last, at the property's usual times.
        end_day = end.date() if isinstance(end, datetime) else end
        return stay_bounds(prop, start, end_day)
    if not isinstance(end, datetime):
        end = datetime.combine(end, prop.default_check_out)
    return _utc(start, prop.tz), _utc(end, prop.tz)


def _utc(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        return local_to_utc(value, tz)  # floating time, or a time zone nobody defined
    return value.astimezone(UTC)


def _guest_name(summary: str, description: str) -> str:
    name = BOOKING_WORDS.sub("", summary).strip(" -–—:()")
    if not name:
        found = NAME_LINE.search(description)
        name = found.group(1).strip() if found else ""
    return name[:200]


def _phone(description: str, country: str) -> tuple[str, str]:
    """A full phone number (E.164) and the last digits a site shares instead (Airbnb)."""
    for label, value in PHONE_LINE.findall(description):
        value = value.strip()
        digits = re.sub(r"\D", "", value)
        if "last" in label.lower() and len(digits) == 4:
            return "", digits
        try:
            number = phonenumbers.parse(value, country.upper() or None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
    return "", ""


# --- applying --------------------------------------------------------------------------------


@dataclass
class FeedPoll:
    """What one read of a feed did."""

    error: str = ""
    listed: int = 0
    created: int = 0
    updated: int = 0
    cancelled: int = 0
    problems: list[str] = field(default_factory=list)
    waiting_empty: bool = False  # an empty answer not believed yet

    def sentence(self, feed: ReservationFeed) -> str:
        if self.error:
            return f"Could not read the {feed.name} feed: {self.error}"
        if self.waiting_empty:
            return (
                f"The {feed.name} feed listed no upcoming stays. Innkeeper keeps the stays it "
                f"has until the feed says so {EMPTY_BELIEVED_AFTER} times in a row."
            )
        changes = [
            f"{count} {word}"
            for count, word in (
                (self.created, "new"),
                (self.updated, "changed"),
                (self.cancelled, "cancelled"),
            )
            if count
        ]
        done = ", ".join(changes) if changes else "nothing changed"
        text = f"Read the {feed.name} feed: {done}; {_stays(self.listed)} upcoming in all."
        if self.problems:
            text += f" {len(self.problems)} event{pluralize(len(self.problems))} skipped."
        return text


def _stays(count: int) -> str:
    return f"{count} stay{pluralize(count)}"


def feed_poll(*, feed: ReservationFeed, now: datetime) -> tuple[FeedPoll, dict]:
    """Read the feed and bring its stays in line; the result, and the feed's new state."""
    prop = feed.unit.property
    try:
        read = read_calendar(fetch(feed.url), prop=prop, now=now)
    except FeedError as exc:
        failures = feed.consecutive_failures + 1
        every = timedelta(minutes=feed.poll_minutes)
        # Back off (15, 30, 60 minutes, ...) so a dead address is not hammered.
        backoff = max(min(every * 2 ** min(failures - 1, 8), MAX_BACKOFF), every)
        state = {
            "last_polled_at": now,
            "last_error": exc.message[:500],
            "consecutive_failures": failures,
            "next_poll_at": now + backoff,
        }
        return FeedPoll(error=exc.message), state
    result = FeedPoll(listed=read.listed, problems=list(read.problems))
    empty = read.listed == 0 and _holds_upcoming(feed, now)
    empties = feed.consecutive_empty + 1 if empty else 0
    result.waiting_empty = empty and empties < EMPTY_BELIEVED_AFTER
    if not result.waiting_empty:
        _apply(feed, read, now, result)
    state = {
        "last_polled_at": now,
        "last_success_at": now,
        "last_error": _problems_sentence(result.problems),
        "consecutive_failures": 0,
        "consecutive_empty": empties,
        "last_event_count": read.listed,
        "next_poll_at": now + timedelta(minutes=feed.poll_minutes),
    }
    return result, state


def _problems_sentence(problems: list[str]) -> str:
    if not problems:
        return ""
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    return f"{problems[0]}{more} Fix it at the booking site; the other stays are read."[:500]


def _holds_upcoming(feed: ReservationFeed, now: datetime) -> bool:
    """Whether believing an empty answer would cancel anything."""
    return Reservation.objects.filter(
        feed=feed, status=Reservation.Status.CONFIRMED, check_in__gt=now
    ).exists()


def _apply(feed: ReservationFeed, read: FeedRead, now: datetime, result: FeedPoll) -> None:
    known = {
        r.external_id: r
        for r in Reservation.objects.filter(
            owner_id=feed.owner_id, source=Reservation.Source.ICAL, external_id__in=list(read.stays)
        )
    }
    cancelled_by_feed = _cancelled_by_feed([r for r in known.values() if not r.is_confirmed])
    for stay in read.stays.values():
        existing = known.get(stay.uid)
        try:
            with transaction.atomic():
                outcome = _apply_stay(feed, stay, existing, existing in cancelled_by_feed, now)
        except ServiceError as exc:
            result.problems.append(f"The stay from {_local_day(stay, feed)} was skipped: {exc}")
            continue
        if outcome:
            setattr(result, outcome, getattr(result, outcome) + 1)
    gone = (
        Reservation.objects.filter(
            feed=feed,
            source=Reservation.Source.ICAL,
            status=Reservation.Status.CONFIRMED,
            # A stay under way is kept: many feeds drop a booking once it has started.
            check_in__gt=now,
        )
        .exclude(external_id__in=read.seen)
        .select_related("owner", "unit__property")
    )
    for reservation in gone:
        with transaction.atomic():
            _cancel(reservation, f"No longer in the {feed.name} feed.", now)
        result.cancelled += 1


def _local_day(stay: FeedStay, feed: ReservationFeed) -> str:
    return local_time(stay.check_in, feed.unit.property.tz)


def _cancelled_by_feed(cancelled: list[Reservation]) -> set[Reservation]:
    """The stays of these a feed cancelled (not a person): a feed may bring them back."""
    marks = set(
        Event.objects.filter(reservation__in=cancelled, event_type=FEED_CANCELLED).values_list(
            "reservation_id", "occurred_at"
        )
    )
    return {r for r in cancelled if (r.pk, r.cancelled_at) in marks}


def _apply_stay(
    feed: ReservationFeed,
    stay: FeedStay,
    existing: Reservation | None,
    cancelled_by_feed: bool,
    now: datetime,
) -> str:
    """Create, change or cancel one stay; the name of the FeedPoll counter it adds to, or ''."""
    if stay.cancelled:
        if existing is None or not existing.is_confirmed or existing.ends_at <= now:
            return ""
        _cancel(existing, f"Cancelled in the {feed.name} feed.", now)
        return "cancelled"
    if existing is None:
        reservation_upsert(
            owner=feed.owner,
            source=Reservation.Source.ICAL,
            external_id=stay.uid,
            unit=feed.unit,
            now=now,
            feed=feed,
            guest_name=stay.guest_name or f"{feed.name} guest",
            check_in=stay.check_in,
            check_out=stay.check_out,
            phone=stay.phone,
            notes=stay.notes,
        )
        return "created"
    if (not existing.is_confirmed and not cancelled_by_feed) or existing.checked_out_at:
        return ""  # a person cancelled it, or the guest has left: the feed does not overrule
    # The feed overwrites only what it knows; a name or phone a person added stays.
    fields = {"check_in": stay.check_in, "check_out": stay.check_out}
    if stay.guest_name:
        fields["guest_name"] = stay.guest_name
    if stay.phone:
        fields["phone"] = stay.phone
    changed = existing.unit_id != feed.unit_id or not existing.is_confirmed
    changed = changed or any(getattr(existing, k) != v for k, v in fields.items())
    if existing.feed_id != feed.pk:
        Reservation.objects.filter(pk=existing.pk).update(feed=feed)  # a re-added feed adopts it
    if not changed:
        return ""
    reservation_upsert(
        owner=feed.owner,
        source=Reservation.Source.ICAL,
        external_id=stay.uid,
        unit=feed.unit,
        now=now,
        feed=feed,
        **fields,
    )
    return "updated"


def _cancel(reservation: Reservation, why: str, now: datetime) -> None:
    reservation_cancel(reservation=reservation, now=now)
    event_record(
        owner=reservation.owner,
        event_type=FEED_CANCELLED,
        now=now,
        reservation=reservation,
        message=why,
    )


# --- feeds -----------------------------------------------------------------------------------


def feed_create(*, owner: Owner, unit: Unit, name: str, url: str, now: datetime):
    """A new feed for one unit, due to be read at once."""
    if unit.property.owner_id != owner.pk:
        raise ServiceError("That unit is not yours.", field="unit")
    name, url = name.strip(), url.strip()
    if not name:
        raise ServiceError("Give the feed a name, e.g. Airbnb.", field="name")
    if urlsplit(url).scheme not in ("http", "https"):
        raise ServiceError("The address must start with https:// (or http://).", field="url")
    if ReservationFeed.objects.filter(unit=unit, url=url).exists():
        raise ServiceError(f"{unit.name} already has a feed with this address.", field="url")
    return ReservationFeed.objects.create(
        owner=owner, unit=unit, name=name[:100], url=url, next_poll_at=now
    )


def feed_remove(*, feed: ReservationFeed, now: datetime) -> int:
    """Stop reading a feed. Its stays stay as they are; returns how many are still to come."""
    kept = Reservation.objects.filter(
        feed=feed, status=Reservation.Status.CONFIRMED, check_out__gt=now
    ).count()
    feed.delete()
    return kept


def feed_health(feed: ReservationFeed, now: datetime) -> dict:
    """How a feed is doing, for people: a tone (pill colour), a label and a sentence."""
    if not feed.is_active:
        return {"tone": "grey", "label": "Paused", "sentence": "Innkeeper does not read it."}
    if feed.last_polled_at is None:
        return {
            "tone": "blue",
            "label": "Not read yet",
            "sentence": "Innkeeper reads it within a few minutes.",
        }
    tz = feed.unit.property.tz
    if feed.consecutive_failures:
        times = feed.consecutive_failures
        if feed.last_success_at:
            kept = (
                " The stays from the last good read "
                f"({local_time(feed.last_success_at, tz)}) are kept."
            )
        else:
            kept = " Nothing has been imported from it yet."
        failing = times >= FAILING_AFTER or feed.last_success_at is None
        return {
            "tone": "red" if failing else "amber",
            "label": "Cannot read",
            "sentence": f"{feed.last_error} ({times} time{pluralize(times)} in a row.){kept}",
        }
    read = f"Read {since(feed.last_success_at, now)}"
    if 0 < feed.consecutive_empty < EMPTY_BELIEVED_AFTER:
        return {
            "tone": "amber",
            "label": "Listed no stays",
            "sentence": f"{read}: the feed listed no upcoming stays "
            f"({feed.consecutive_empty} of {EMPTY_BELIEVED_AFTER} reads in a row). Innkeeper "
            f"keeps the stays it has until the feed says so {EMPTY_BELIEVED_AFTER} times.",
        }
    sentence = f"{read}: {_stays(feed.last_event_count)} upcoming."
    if feed.last_error:
        return {
            "tone": "amber",
            "label": "Read, some skipped",
            "sentence": f"{sentence} {feed.last_error}",
        }
    return {"tone": "green", "label": "Working", "sentence": sentence}


# --- polling on the clock --------------------------------------------------------------------


def _unclaimed(now: datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def due_feed_ids(*, now: datetime, limit: int | None = None) -> list[int]:
    """Active feeds whose next read has come (index `feed_due_poll`), the most overdue first."""
    return list(
        ReservationFeed.objects.filter(is_active=True, next_poll_at__lte=now)
        .filter(_unclaimed(now))
        .order_by("next_poll_at")
        .values_list("pk", flat=True)[: limit or POLL_BATCH]
    )


def feed_claim(*, feed_id: int, now: datetime, due_only: bool = True) -> datetime | None:
    """Take a feed for one read; the lease's end (the claim's token), or None when another
    worker holds it or it is not due. "Check now" (`due_only=False`) skips the wait."""
    lease = now + LEASE
    feeds = ReservationFeed.objects.filter(pk=feed_id, is_active=True).filter(_unclaimed(now))
    if due_only:
        feeds = feeds.filter(next_poll_at__lte=now)
    return lease if feeds.update(claimed_until=lease) == 1 else None


def feed_run_claimed(*, feed_id: int, lease: datetime, now: datetime) -> FeedPoll | None:
    """Read a feed this worker has claimed, then release it with its next due time."""
    feed = (
        ReservationFeed.objects.select_related("owner", "unit__property")
        .filter(pk=feed_id, claimed_until=lease)
        .first()
    )
    if feed is None:
        return None  # the lease ran out and another worker took over
    try:
        result, state = feed_poll(feed=feed, now=now)
    except Exception:
        # A bug, not the feed's fault: shown on the feed, retried on the clock.
        log.exception("Reading feed %s failed", feed_id)
        message = (
            "Innkeeper hit an internal error while reading this feed; it will retry in a few "
            "minutes. If this stays, contact support."
        )
        result = FeedPoll(error=message)
        state = {"last_polled_at": now, "last_error": message, "next_poll_at": now + LEASE}
    ReservationFeed.objects.filter(pk=feed_id, claimed_until=lease).update(
        claimed_until=None, **state
    )
    return result


def enqueue_feed(*, feed_id: int, now: datetime) -> bool:
    """Claim a due feed and queue its read; False when someone else already has it."""
    from django_q.tasks import async_task

    lease = feed_claim(feed_id=feed_id, now=now)
    if lease is None:
        return False
    async_task(
        "reservations.imports.tasks.poll_feed",
        feed_id,
        lease.isoformat(),
        task_name=f"poll-feed-{feed_id}",
        group="feeds",
    )
    return True


def tick(*, now: datetime) -> int:
    """Queue a read of every due feed; returns how many were queued."""
    return queue_all_due(
        due_ids=lambda: due_feed_ids(now=now),
        enqueue=lambda pk: enqueue_feed(feed_id=pk, now=now),
        batch=POLL_BATCH,
    )


def run_due_feeds(*, now: datetime | None = None) -> int:
    """Read every due feed in this process (the `poll_feeds` command, cron, tests)."""
    return run_all_due(
        due_ids=lambda at: due_feed_ids(now=at),
        claim=lambda pk, at: feed_claim(feed_id=pk, now=at),
        run=lambda pk, lease, at: feed_run_claimed(feed_id=pk, lease=lease, now=at),
        batch=POLL_BATCH,
        now=now,
    )
