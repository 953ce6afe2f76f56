"""Calendar feeds (Airbnb, Vrbo, Booking.com, PMS exports): a feed, and what its reads do to stays.

A feed is a booking site's word on one unit's stays, but a shaky one: a fetch fails, a site
answers with an empty calendar for a while. So a failed read never changes anything, and an
empty answer is believed only after EMPTY_BELIEVED_AFTER of them in a row. Fetching and reading
the calendar is `calendars`; when feeds are read, `polling`.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.template.defaultfilters import pluralize

from locks import outbound
from locks.errors import ServiceError
from locks.models import Event, Owner, Unit
from locks.records import event_record
from locks.words import local_time, since, stay_days
from reservations.imports.calendars import FeedError, FeedRead, FeedStay, fetch, read_calendar
from reservations.models import Reservation, ReservationFeed
from reservations.stays import reservation_cancel, reservation_upsert

EMPTY_BELIEVED_AFTER = 3  # empty answers in a row before the stays they leave out are cancelled
FAILING_AFTER = 3  # failed reads in a row before the feed's health turns red
MAX_BACKOFF = timedelta(hours=2)
FEED_CANCELLED = "reservation.feed_cancelled"


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
        _upsert(
            feed,
            stay,
            now,
            guest_name=stay.guest_name or unnamed_guest(feed, stay.check_in, stay.check_out),
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
    elif _is_unnamed(existing.guest_name, feed):
        fields["guest_name"] = unnamed_guest(feed, stay.check_in, stay.check_out)  # new days
    if stay.phone:
        fields["phone"] = stay.phone
    changed = existing.unit_id != feed.unit_id or not existing.is_confirmed
    changed = changed or any(getattr(existing, k) != v for k, v in fields.items())
    if existing.feed_id != feed.pk:
        Reservation.objects.filter(pk=existing.pk).update(feed=feed)  # a re-added feed adopts it
    if not changed:
        return ""
    _upsert(feed, stay, now, **fields)
    return "updated"


def unnamed_guest(feed: ReservationFeed, check_in: datetime, check_out: datetime) -> str:
    """The name of a stay whose feed names no guest: "Airbnb guest, 3–5 Dec" (never its UID)."""
    return f"{feed.name} guest, {stay_days(check_in, check_out, feed.unit.property.tz)}"[:200]


def _is_unnamed(guest_name: str, feed: ReservationFeed) -> bool:
    """Whether the name is one `unnamed_guest` gave (a person has not written one since)."""
    generic = f"{feed.name} guest"
    return guest_name == generic or guest_name.startswith(f"{generic}, ")


def _upsert(feed: ReservationFeed, stay: FeedStay, now: datetime, **fields) -> None:
    """The feed's stay, created or updated in the feed's unit, known by its calendar uid."""
    reservation_upsert(
        owner=feed.owner,
        source=Reservation.Source.ICAL,
        external_id=stay.uid,
        unit=feed.unit,
        now=now,
        feed=feed,
        **fields,
    )


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
    try:
        outbound.url_check(url, https_only=False)
    except outbound.OutboundRefused as exc:
        raise ServiceError(exc.message, field="url") from None
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
