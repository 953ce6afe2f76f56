"""Reads of reservations and their guest codes that the dashboard and the API share.

Every one is scoped to an owner: another owner's stay answers 404, as one that does not exist.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch, Q, QuerySet

from locks.drivers.base import ACCESS_DENIED, UNLOCKED
from locks.errors import NotFound
from locks.issue_codes import USING_BACKUP_ACCESS_CODE
from locks.models import AccessCode, Event, Lock, Owner, Property
from locks.times import local_day_bounds
from locks.words import local_time
from reservations import keys, search, spans
from reservations.models import EntryAlert, Reservation


def _door_codes() -> QuerySet[AccessCode]:
    """Codes still on (or coming off) a door, with their locks: the unit's doors, then shared."""
    return (
        AccessCode.objects.filter(removed_at__isnull=True)
        .select_related("lock__owner", "lock__property", "lock__unit")
        .order_by(F("lock__unit_id").asc(nulls_last=True), "lock__name")
    )


def _guest_codes() -> Prefetch:
    return Prefetch("access_codes", queryset=_door_codes(), to_attr="guest_codes")


def reservations_for(owner: Owner) -> QuerySet[Reservation]:
    """The owner's stays, each with its unit, property and guest codes (`guest_codes`)."""
    return (
        Reservation.objects.filter(owner=owner)
        .select_related("owner", "unit__property")
        .prefetch_related(_guest_codes())
    )


def reservation_get(owner: Owner, reservation_id) -> Reservation:
    try:
        return reservations_for(owner).get(pk=reservation_id)
    except (Reservation.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is as unknown as a missing one.
        raise NotFound("No reservation with that id.", type="reservation_not_found") from None


def reservation_get_by_external_id(owner: Owner, source: str, external_id: str) -> Reservation:
    found = reservations_for(owner).filter(source=source, external_id=external_id).first()
    if found is None:
        raise NotFound("No reservation with that external id.", type="reservation_not_found")
    return found


def staying_between(owner: Owner, start: date | datetime | None, end: date | datetime | None) -> Q:
    """Stays that share some time with start..end: two moments (end excluded), or two days,
    each a whole local day at each property (end included)."""
    if isinstance(start or end, datetime):
        span = Q()
        if start is not None:
            span &= Q(check_out__gt=start)
        if end is not None:
            span &= Q(check_in__lt=end)
        return span
    return _per_time_zone(
        list(Property.objects.filter(owner=owner)),
        lambda tz: _local_days(tz, start, end),
        every=True,
    )


def _local_days(tz: ZoneInfo, start: date | None, end: date | None) -> Q:
    """Stays sharing some time with the local days start..end (both included) in `tz`."""
    span = Q()
    if start is not None:
        span &= Q(check_out__gt=local_day_bounds(start, tz)[0])
    if end is not None:
        span &= Q(check_in__lt=local_day_bounds(end, tz)[1])
    return span


def _per_time_zone(properties: list[Property], condition: Callable[[ZoneInfo], Q], *, every) -> Q:
    """The stays of `properties` meeting `condition(tz)` at their property's time zone: one
    clause per time zone, not per property, so the database can use its check-in and check-out
    indexes. `every` says `properties` are all the owner's, so one zone needs no property test
    (a stay's unit is always of its owner's properties)."""
    zones = spans.by_zone(properties)
    if every and len(zones) == 1:
        return condition(properties[0].tz)
    span = Q(pk__in=[])
    for props in zones.values():
        span |= Q(property__in=[p.pk for p in props]) & condition(props[0].tz)
    return span


# --- the guest code's state, in plain words ---------------------------------------------------


@dataclass(frozen=True)
class DoorState:
    """One door of a stay: its guest code, what is wrong there ('' when nothing), and the backup
    given to the guest in its place, if any."""

    lock: Lock
    code: AccessCode
    problem: str
    backup: AccessCode | None = None
    # Something to know that puts nobody at risk (an offline door that already holds the code
    # of a guest staying now): '' when nothing.
    note: str = ""


@dataclass(frozen=True)
class GuestCodeState:
    """Where a stay's guest code stands: `state` for software, the rest for people.

    state: ready (on every door), scheduled (goes on later), programming (due, on its way),
    at_risk (an error, a delay, an offline door or a low battery), ended (cancelled or over),
    none (no door with a lock yet). tone is the dashboard's colour.
    """

    state: str
    tone: str
    label: str
    detail: str
    doors: tuple[DoorState, ...]

    @property
    def backups_in_use(self) -> list[DoorState]:
        return [d for d in self.doors if d.backup is not None]


def _door_problem(code: AccessCode) -> str:
    lock = code.lock
    if not lock.online:
        if lock.device_missing:
            return f"{lock.name}'s device is gone: it may have been reset."
        return f"{lock.name} is offline."
    if code.errors:
        return f"{lock.name}: {code.errors[0]['message']}"
    # A backup given in this code's place is the desk's answer to a problem, not a new one.
    warnings = [w for w in code.warnings if w["warning_code"] != USING_BACKUP_ACCESS_CODE]
    if warnings:
        return f"{lock.name}: {warnings[0]['message']}"
    if lock.battery_low:
        return f"{lock.name}'s battery is low ({lock.battery_percent}%)."
    return ""


def _door_state(
    reservation: Reservation, code: AccessCode, backup: AccessCode | None, now: datetime
) -> DoorState:
    """A guest staying now whose code the lock confirmed keeps opening that door while it is
    offline: nothing is at risk there until the code must change (a person can still read
    that the lock is offline)."""
    lock = code.lock
    if (
        not lock.online
        and not lock.device_missing
        and code.is_on_lock
        and not code.errors
        and reservation.check_in <= now
    ):
        note = f"{lock.name} is offline; their code is on the lock."
        return DoorState(lock, code, "", backup, note)
    return DoorState(lock, code, _door_problem(code), backup)


def guest_code_state(reservation: Reservation, now: datetime) -> GuestCodeState:
    """The stay's guest code across its doors, from codes prefetched by `reservations_for`."""
    codes = getattr(reservation, "guest_codes", None)
    if codes is None:
        codes = list(_door_codes().filter(reservation=reservation))
    # Backups given to the stay belong to it too; each stands beside the guest code it replaces.
    backups = {c.pk: c for c in codes if c.kind == AccessCode.Kind.BACKUP and c.deleted_at is None}
    codes = [c for c in codes if c.kind != AccessCode.Kind.BACKUP]
    if not reservation.is_confirmed or reservation.ends_at <= now:
        doors = tuple(DoorState(c.lock, c, "") for c in codes)
        over = "Cancelled" if not reservation.is_confirmed else "The stay is over"
        detail = f"{over}; the code is coming off the doors." if doors else f"{over}."
        return GuestCodeState("ended", "grey", "Ended", detail, doors)
    wanted = [c for c in codes if c.deleted_at is None]
    doors = tuple(_door_state(reservation, c, backups.get(c.pulled_backup_id), now) for c in wanted)
    if not doors:
        detail = f"No smart lock for this stay: {reservation.unit.name} needs a key."
        return GuestCodeState("none", "grey", "No code", detail, ())
    problems = [d.problem for d in doors if d.problem]
    if problems:
        return GuestCodeState("at_risk", "red", "At risk", " ".join(problems), doors)
    if all(d.code.is_on_lock for d in doors):
        detail = " ".join(["The code is on every door.", *(d.note for d in doors if d.note)])
        return GuestCodeState("ready", "green", "Ready", detail, doors)
    # When each code still to come goes on: at its programming time, or, where the lock's cloud
    # already holds it, by its start.
    goes_on = {
        d.code.pk: d.code.starts_at
        if d.code.is_held_by_cloud
        else d.code.program_at(d.lock.program_lead(reservation.owner, d.code))
        for d in doors
    }
    pending = [d.code for d in doors if not d.code.is_on_lock]
    if all(
        c.status == AccessCode.Status.UNSET and (c.is_held_by_cloud or now < goes_on[c.pk])
        for c in pending
    ):
        first = local_time(min(goes_on[c.pk] for c in pending), reservation.unit.property.tz)
        on = len(doors) - len(pending)
        detail = (
            f"On {on} of {len(doors)} doors already; the rest go on at {first}."
            if on
            else f"Goes on the doors at {first}."
        )
        return GuestCodeState("scheduled", "blue", "Scheduled", detail, doors)
    return GuestCodeState(
        "programming", "amber", "Being programmed", "The code is on its way to the doors.", doors
    )


# --- the front desk's pages -------------------------------------------------------------------


@dataclass(frozen=True)
class StayToday:
    reservation: Reservation
    code: GuestCodeState

    @property
    def needs_attention(self) -> bool:
        return self.code.state == "at_risk" or self.reservation.has_conflict


@dataclass(frozen=True)
class PropertyToday:
    """One property's day, on its own clock: who arrives, who leaves, who is staying."""

    property: Property
    day: date
    arrivals: list[StayToday]
    departures: list[StayToday]
    in_house: list[StayToday]

    @property
    def attention_count(self) -> int:
        return sum(s.needs_attention for s in self.arrivals + self.departures + self.in_house)


def _issues_first(stays: list[StayToday], when) -> list[StayToday]:
    return sorted(stays, key=lambda s: (not s.needs_attention, when(s.reservation)))


def today_for(
    owner: Owner,
    now: datetime,
    *,
    properties: list[Property] | None = None,
    every: bool = False,
    q: str = "",
    limit: int | None = None,
    arrived: bool | None = None,
) -> list[PropertyToday]:
    """Each property's arrivals, departures and stays of its local today, issues first: of
    `properties` (all by default), the stays matching `q` (a name or phone digits), whose guest
    has come in or not (`arrived`; None: both), at most `limit` of them. `every` says
    `properties` are all the owner's (so the database need not test each stay's property).

    Five queries whatever the number of stays: the properties, which stays touch today, those
    stays, their codes, their doors (for each stay's `key_note`, `keys.key_notes_attach`).
    """
    every = every or properties is None
    if properties is None:
        properties = list(Property.objects.filter(owner=owner).order_by("name"))
    if not properties:
        return []
    days = _local_todays(properties, now)
    touching = spans.touching_today(owner, properties, now, every=every)
    stays = reservations_for(owner).filter(pk__in=touching)
    if q.strip():
        stays = stays.filter(search.stay_match(q))
    if arrived is not None:
        stays = stays.filter(arrived_at__isnull=not arrived)
    stays = stays.order_by("check_in", "pk")
    by_property = {prop.pk: ([], [], []) for prop in properties}
    stays = list(stays[:limit] if limit else stays)
    keys.key_notes_attach(stays)
    for stay in stays:
        _, start, end = days[stay.unit.property_id]
        arrivals, departures, in_house = by_property[stay.unit.property_id]
        entry = StayToday(stay, guest_code_state(stay, now))
        arrives, leaves = start <= stay.check_in < end, start <= stay.ends_at < end
        if arrives:
            arrivals.append(entry)
        if leaves:
            departures.append(entry)
        if not arrives and not leaves:
            in_house.append(entry)
    return [
        PropertyToday(
            property=prop,
            day=days[prop.pk][0],
            arrivals=_issues_first(by_property[prop.pk][0], lambda r: r.check_in),
            departures=_issues_first(by_property[prop.pk][1], lambda r: r.ends_at),
            in_house=_issues_first(by_property[prop.pk][2], lambda r: r.check_out),
        )
        for prop in properties
        if not q.strip() or any(by_property[prop.pk])
    ]


@dataclass(frozen=True)
class PropertyGlance:
    """One property's day in numbers, for Today's line per property."""

    property: Property
    day: date
    arriving: int
    leaving: int
    in_house: int


def today_glances(
    owner: Owner, now: datetime, properties: list[Property], *, every: bool = True
) -> list[PropertyGlance]:
    """How many arrive, leave and stay today at each of `properties` (`every`: all the
    owner's), counted by the database in one query: an estate of hundreds of properties is a
    page of lines, one each."""
    if not properties:
        return []
    days = _local_todays(properties, now)
    counts = spans.today_counts(owner, properties, now, every=every)
    return [
        PropertyGlance(prop, days[prop.pk][0], *counts.get(prop.pk, (0, 0, 0)))
        for prop in properties
    ]


def _local_todays(properties: list[Property], now: datetime) -> dict[int, tuple]:
    """Each property's local day `now` falls on, and its bounds."""
    days = {}
    for prop in properties:
        day = now.astimezone(prop.tz).date()
        days[prop.pk] = (day, *local_day_bounds(day, prop.tz))
    return days


def upcoming_conflicts(owner: Owner, now: datetime, *, days: int = 60) -> list[Reservation]:
    """Double bookings that are not over yet (and start within `days`), by unit and date."""
    return list(
        Reservation.objects.filter(
            owner=owner,
            has_conflict=True,
            status=Reservation.Status.CONFIRMED,
            check_out__gt=now,
            check_in__lt=now + timedelta(days=days),
        )
        .select_related("unit__property")
        .order_by("unit__property__name", "unit__name", "check_in")
    )


def reservations_search(
    owner: Owner,
    properties: list[Property],
    *,
    q: str = "",
    property_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    status: str = "",
    arrived: bool | None = None,
) -> QuerySet[Reservation] | spans.StaysFrom:
    """Stays matching a search, by check-in: a guest's name or phone digits, a property, the
    days they are staying (local days of each of `properties`, all the owner's), a status,
    whether the guest has come in (`arrived`)."""
    found = reservations_for(owner)
    if q.strip():
        found = found.filter(search.stay_match(q))
    if arrived is not None:
        found = found.filter(arrived_at__isnull=not arrived)
    if property_id:
        found = found.filter(property=property_id)
    if date_to:
        found = found.filter(
            _per_time_zone(properties, lambda tz: _local_days(tz, None, date_to), every=True)
        )
    confirmed = Reservation.Status.CONFIRMED
    if status == "confirmed":
        found = found.filter(status=confirmed, checked_out_at__isnull=True)
    elif status == "conflict":
        found = found.filter(status=confirmed, has_conflict=True)
    elif status == "checked_out":
        found = found.filter(checked_out_at__isnull=False)
    elif status == "cancelled":
        found = found.filter(status=Reservation.Status.CANCELLED)
    if date_from:
        return spans.StaysFrom(found, properties, date_from)
    return found.order_by("check_in", "pk")


def reservation_history(reservation: Reservation, limit: int = 50) -> list[Event]:
    """What happened to the stay and its guest codes, newest first."""
    return list(
        Event.objects.filter(owner_id=reservation.owner_id, reservation=reservation)
        .select_related("access_code", "lock")
        .order_by("-occurred_at")[:limit]
    )


# --- who came in ------------------------------------------------------------------------------


def _entries() -> QuerySet[Event]:
    return Event.objects.select_related("lock", "access_code", "reservation").order_by(
        "-occurred_at", "-pk"
    )


def with_entries(stays: QuerySet[Reservation]) -> QuerySet[Reservation]:
    """The stays, each with its entries, oldest first (`entries`): one more query for a whole
    page (the API's)."""
    oldest_first = _entries().filter(event_type=UNLOCKED).order_by("occurred_at", "pk")
    return stays.prefetch_related(Prefetch("events", queryset=oldest_first, to_attr="entries"))


def reservation_entries(reservation: Reservation) -> list[Event]:
    """The stay's entries, oldest first: those `with_entries` read, else read now."""
    if hasattr(reservation, "entries"):
        return reservation.entries
    return list(stay_entries(reservation).order_by("occurred_at", "pk"))


def stay_entries(reservation: Reservation) -> QuerySet[Event]:
    """The stay's entries (`lock.unlocked` with its code, or a remote unlock done for it),
    newest first, each with its door and code: read off `event_stay_time`."""
    return _entries().filter(reservation=reservation, event_type=UNLOCKED)


def door_entries(lock: Lock, *, denied: bool = False) -> QuerySet[Event]:
    """The door's entries (and its wrong PINs, with `denied`), newest first, each with its code
    and stay: read off `event_lock_time`."""
    kinds = [UNLOCKED, ACCESS_DENIED] if denied else [UNLOCKED]
    return _entries().filter(lock=lock, event_type__in=kinds)


def door_history(lock: Lock, limit: int) -> list[Event]:
    """The door's latest events of every kind, newest first, each with its code and stay."""
    return list(_entries().filter(lock=lock)[:limit])


def stay_entry_alerts(reservation: Reservation) -> list[EntryAlert]:
    """Trouble the stay's doors reported (lockouts, late entries), newest first."""
    return list(
        EntryAlert.objects.filter(reservation=reservation)
        .select_related("lock")
        .order_by("-raised_at", "-pk")
    )


def stays_at_door(lock: Lock, now: datetime, *, limit: int = 100) -> list[Reservation]:
    """The confirmed stays whose guests this door lets in now or later today (at its
    property): in house, or arriving before the day ends; the earliest check-in first. Read
    from the ranges of the stays touching today (`spans.touching_today`), never the door's
    history."""
    touching = spans.touching_today_query(lock.owner, [lock.property], now, every=False)
    stays = Reservation.objects.filter(
        pk__in=touching, check_out__gt=now, checked_out_at__isnull=True
    )
    if lock.unit_id is not None:
        stays = stays.filter(unit_id=lock.unit_id)
    return list(stays.select_related("unit").order_by("check_in", "pk")[:limit])
