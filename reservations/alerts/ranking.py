"""Which problems are open across an owner's locks, and in what order.

Alerts are not stored: they are read from what is known now (each lock's last reading, the
codes' errors, the new-device inbox, the stays about to arrive, the webhook endpoints switched
off after days of failures), in a constant number of queries. The ranking reads light rows (a
few columns of each lock, failing code, code left on after its end and arrival involved:
tuples, not model objects) and gives every problem its place; only the alerts a person is
about to read are then written (`words`), from the rows of their own locks and stays. So the
Alerts page writes and draws its 50 whatever the number of problems, and only the ranking
follows them (some 10 microseconds a problem on SQLite).

The order: the stay a problem threatens first (check-in, the earliest first; a problem that
threatens nobody after every one that does), then red before amber, then the oldest first.
"""

from datetime import UTC, datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from django.db.models import Q

from locks.devices import likely_replacements
from locks.issue_codes import (
    DEVICE_DISCONNECTED,
    DEVICE_REMOVED,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
)
from locks.models import AccessCode, DiscoveredDevice, Event, Lock, Owner, WebhookEndpoint
from locks.models.issues import HasIssues
from locks.reconcile.changes import KEPT_AFTER_END
from reservations.alerts.words import (
    AMBER,
    FAILING,
    RED,
    Alert,
    code_kept_after_end,
    codes_failing,
    device_removed,
    late_entry,
    locked_out,
    low_battery,
    offline,
    replacement_waiting,
    webhook_switched_off,
)
from reservations.models import EntryAlert, Reservation

# An arrival this close makes a problem on its doors urgent.
SOON = timedelta(hours=24)
# A late entry nobody marked handled is shown this long.
LATE_ENTRY_SHOWN = timedelta(days=7)
_RANK = {RED: 0, AMBER: 1}
_NO_ARRIVAL = datetime.max.replace(tzinfo=UTC)


class _Door(NamedTuple):
    """A lock that may raise an alert, as far as ranking (and `likely_replacements`) reads it."""

    pk: int
    owner_id: int
    property_id: int
    unit_id: int | None
    driver: str
    device_id: str
    model_name: str
    online: bool
    errors: list
    battery_level: float | None
    last_read_at: datetime | None

    # The model's own rules, which read only these fields.
    has_error = HasIssues.has_error
    battery_below = Lock.battery_below


class _Stay(NamedTuple):
    """The stay a problem threatens, as far as ranking reads it."""

    pk: int
    check_in: datetime


class _Code(NamedTuple):
    """A failing code, and the stay it belongs to, as far as ranking (and `words`) read them."""

    lock_id: int
    name: str
    errors: list
    deleted_at: datetime | None
    stay_id: int | None
    stay_status: str | None
    check_in: datetime | None
    check_out: datetime | None
    checked_out_at: datetime | None

    has_error = HasIssues.has_error


class _Kept(NamedTuple):
    """A code found on its lock after its end, as far as `words` reads it."""

    lock_id: int
    occurred_at: datetime
    name: str | None  # the code's


class _Place(NamedTuple):
    """One open problem's place in the order, and what its alert is written from.

    lock_id: the lock's (for a new device, the silent lock it most likely replaces); stay: the
    stay it threatens; codes: the lock's failing codes (offline, code_failing) or those found
    on it after their end (code_kept_after_end)."""

    kind: str
    severity: str
    at: datetime
    lock_id: int | None = None
    stay: _Stay | None = None
    device: DiscoveredDevice | None = None
    codes: tuple = ()
    entry_id: int | None = None
    webhook: WebhookEndpoint | None = None

    @property
    def urgency(self) -> tuple:
        arrival = self.stay.check_in if self.stay is not None else _NO_ARRIVAL
        return (arrival, _RANK[self.severity], self.at)


class OpenAlerts:
    """An owner's open alerts, most urgent first, written only when read: `len()` counts them
    all, a slice writes the alerts in it (so a Paginator over it writes one page)."""

    def __init__(self, owner: Owner, now: datetime):
        self.owner, self.now = owner, now
        self._places = _places(owner, now)

    def __len__(self) -> int:
        return len(self._places)

    def __getitem__(self, index: slice) -> list[Alert]:
        return _written(self.owner, self.now, self._places[index])

    def __iter__(self):
        return iter(self[:])

    def urgent(self) -> list[Alert]:
        """The red ones alone, in order (to email)."""
        return _written(self.owner, self.now, [p for p in self._places if p.severity == RED])


def open_alerts(owner: Owner, now: datetime) -> list[Alert]:
    """Every open problem of the owner's locks, most urgent first (see the module's order)."""
    return OpenAlerts(owner, now)[:]


# --- the order, from light rows -----------------------------------------------------------


def _places(owner: Owner, now: datetime) -> list[_Place]:
    """Every open problem's place, in order. Only the locks with something wrong are read, and
    only the arrivals at their doors, so the cost follows the problems, not the estate."""
    failing = _failing_by_lock(owner)
    kept = _kept_by_lock(owner, now)
    devices = list(
        DiscoveredDevice.objects.filter(
            account__owner=owner,
            status__in=[DiscoveredDevice.Status.NEW, DiscoveredDevice.Status.GONE],
        ).select_related("account")
    )
    gone = {
        (d.account.driver, d.device_id): d
        for d in devices
        if d.status == DiscoveredDevice.Status.GONE
    }
    doors = _doors_in_trouble(owner, [*failing, *kept], list(gone))
    next_arrival = _next_arrivals(owner, doors, now)

    places: list[_Place] = []
    for door in doors:
        arrival = next_arrival(door)
        severity = RED if arrival else AMBER
        removed = gone.get((door.driver, door.device_id))
        if door.has_error(DEVICE_REMOVED) or removed is not None:
            since = _since(door, DEVICE_REMOVED, now) if removed is None else removed.last_seen_at
            places.append(_Place(DEVICE_REMOVED, severity, since, door.pk, arrival))
        elif not door.online:
            since = _since(door, DEVICE_DISCONNECTED, now)
            codes = tuple(failing.get(door.pk, ()))
            places.append(_Place("offline", severity, since, door.pk, arrival, codes=codes))
        else:
            if door.battery_below(owner.low_battery_percent):
                at = door.last_read_at or now
                places.append(_Place("low_battery", AMBER, at, door.pk, arrival))
            if codes := tuple(failing.get(door.pk, ())):
                stay = _at_the_door(codes, now)
                at = min(_error_since(c) for c in codes)
                severity = RED if stay else AMBER
                places.append(_Place("code_failing", severity, at, door.pk, stay, codes=codes))
        if found := tuple(kept.get(door.pk, ())):
            at = found[-1].occurred_at  # the oldest
            places.append(_Place("code_kept_after_end", AMBER, at, door.pk, codes=found))
    places += _entry_places(owner, now)
    waiting = [d for d in devices if d.status == DiscoveredDevice.Status.NEW]
    replaced = likely_replacements([d for d in waiting if d.takes_codes], doors)
    for device in waiting:
        lock_id = replaced[device.pk].pk if device.pk in replaced else None
        at = device.first_seen_at
        places.append(_Place("replacement_waiting", AMBER, at, lock_id, device=device))
    for endpoint in _webhooks_switched_off(owner):
        places.append(_Place("webhook_switched_off", RED, endpoint.disabled_at, webhook=endpoint))
    return sorted(places, key=attrgetter("urgency"))


def _webhooks_switched_off(owner: Owner) -> list[WebhookEndpoint]:
    """Endpoints switched off after days of failures (an owner has a handful at most)."""
    return list(
        WebhookEndpoint.objects.filter(owner=owner, disabled_at__isnull=False)
        .only("owner_id", "url", "disabled_at", "disabled_reason")
        .order_by("disabled_at")
    )


_CODE = (
    "lock_id",
    "name",
    "errors",
    "deleted_at",
    "reservation_id",
    "reservation__status",
    "reservation__check_in",
    "reservation__check_out",
    "reservation__checked_out_at",
)


def open_entry_alerts(owner: Owner, now: datetime):
    """Lockouts still in their watch and late entries of the last week, nobody has cleared."""
    return EntryAlert.objects.filter(
        Q(kind=EntryAlert.Kind.LOCKOUT, watch_ends_at__gt=now)
        | Q(kind=EntryAlert.Kind.LATE_ENTRY, raised_at__gt=now - LATE_ENTRY_SHOWN),
        owner=owner,
        cleared_at__isnull=True,
    )


def door_trouble(owner: Owner, now: datetime, limit: int = 10) -> list[Alert]:
    """The open lockouts and late entries alone, newest first, written (Today shows them on
    top; at most 4 queries)."""
    places = sorted(_entry_places(owner, now), key=attrgetter("at"), reverse=True)[:limit]
    return _written(owner, now, places)


def _entry_places(owner: Owner, now: datetime) -> list[_Place]:
    """The open lockouts' and late entries' places: red, on their stay."""
    rows = open_entry_alerts(owner, now).values_list(
        "pk", "kind", "lock_id", "reservation_id", "reservation__check_in", "raised_at"
    )
    return [
        _Place(kind, RED, raised_at, lock_id, _Stay(stay_id, check_in), entry_id=pk)
        for pk, kind, lock_id, stay_id, check_in, raised_at in rows
    ]


def _failing_by_lock(owner: Owner) -> dict[int, list[_Code]]:
    """Codes the lock keeps refusing to take or to give up, by lock, oldest first."""
    rows = (
        AccessCode.objects.filter(owner=owner, is_managed=True, removed_at__isnull=True)
        .exclude(errors=[])
        .order_by("created_at")
        .values_list(*_CODE)
    )
    by_lock: dict[int, list[_Code]] = {}
    for code in map(_Code._make, rows):
        if any(code.has_error(e) for e in FAILING):
            by_lock.setdefault(code.lock_id, []).append(code)
    return by_lock


def _kept_by_lock(owner: Owner, now: datetime) -> dict[int, list[_Kept]]:
    """Codes the lock's cloud should have removed at their end and left on (removed here
    since), found in the last day, by lock, newest first."""
    rows = Event.objects.filter(
        owner=owner,
        event_type=f"access_code.{FAILED_TO_REMOVE_FROM_DEVICE}",
        occurred_at__gte=now - SOON,
        **{f"data__{KEPT_AFTER_END}": True},
    ).values_list("lock_id", "occurred_at", "access_code__name")
    by_lock: dict[int, list[_Kept]] = {}
    for event in map(_Kept._make, rows):
        by_lock.setdefault(event.lock_id, []).append(event)
    return by_lock


def _doors_in_trouble(owner: Owner, lock_ids: list[int], gone: list[tuple]) -> list[_Door]:
    """The locks that may raise an alert (a superset, confirmed by the caller), by id: silent
    (offline, or with an error such as a removed device), low, holding failing or lingering
    codes, or whose device has gone (`gone`: driver and device id). Each is an index's range,
    asked for at once (SQLite reads an OR of them whole)."""
    mine = Lock.objects.filter(owner=owner).order_by()
    arms = [
        mine.filter(Q(online=False) | ~Q(errors=[])),  # lock_silent_by_owner
        mine.filter(battery_level__lt=(owner.low_battery_percent + 1) / 100),
        mine.filter(pk__in=lock_ids),
        *(mine.filter(driver=driver, device_id=device_id) for driver, device_id in gone),
    ]
    first, *rest = [arm.values_list(*_Door._fields) for arm in arms]
    return sorted(map(_Door._make, first.union(*rest)), key=attrgetter("pk"))


_ARRIVAL = ("pk", "check_in", "unit_id", "unit__property_id")


def _first_first(row: tuple) -> tuple:
    pk, check_in, *_ = row
    return (check_in, pk)


def _next_arrivals(owner: Owner, doors: list[_Door], now: datetime):
    """A function giving a door the first stay arriving in the next day whose guest needs it
    (its unit's, or any stay of the property for a shared door), from one read of the stays
    arriving at these doors."""
    units = {door.unit_id for door in doors if door.unit_id is not None}
    shared = {door.property_id for door in doors if door.unit_id is None}
    by_unit: dict[int, _Stay] = {}
    by_property: dict[int, _Stay] = {}
    arriving = Reservation.objects.filter(
        status=Reservation.Status.CONFIRMED,
        checked_out_at__isnull=True,
        check_in__gte=now,
        check_in__lt=now + SOON,
    ).order_by()
    arms = [
        # A room door's: its unit's, read from the index on (unit, check-in). The units are the
        # owner's (its doors'), and asking for the owner too would let SQLite's planner read
        # the owner's every arrival of the day from the owner's index instead.
        *([arriving.filter(unit_id__in=units)] if units else []),
        # A shared door's: its property's (the owner's too), from the index on (property,
        # check-in).
        *([arriving.filter(property__in=shared)] if shared else []),
    ]
    if arms:
        first, *rest = [arm.values_list(*_ARRIVAL) for arm in arms]
        for pk, check_in, unit_id, property_id in sorted(first.union(*rest), key=_first_first):
            stay = _Stay(pk, check_in)
            by_unit.setdefault(unit_id, stay)
            by_property.setdefault(property_id, stay)

    def next_arrival(door: _Door) -> _Stay | None:
        if door.unit_id is not None:
            return by_unit.get(door.unit_id)
        return by_property.get(door.property_id)

    return next_arrival


def _at_the_door(codes: list[_Code], now: datetime) -> _Stay | None:
    """The first stay (by check-in) whose guest code the lock refuses while its guest is at the
    door: a stay that starts within a day or is under way."""
    found = [
        _Stay(c.stay_id, c.check_in)
        for c in codes
        if c.has_error(FAILED_TO_SET_ON_DEVICE)
        and c.stay_id is not None
        and c.stay_status == Reservation.Status.CONFIRMED
        and c.deleted_at is None
        and c.check_in < now + SOON
        and (c.checked_out_at or c.check_out) > now
    ]
    return min(found, key=attrgetter("check_in"), default=None)


def _since(door: _Door, error_code: str, now: datetime) -> datetime:
    for error in door.errors:
        if error["error_code"] == error_code:
            return datetime.fromisoformat(error["created_at"])
    return door.last_read_at or now


def _error_since(code: _Code) -> datetime:
    return min(
        datetime.fromisoformat(e["created_at"]) for e in code.errors if e["error_code"] in FAILING
    )


# --- the alerts read, written from full rows ----------------------------------------------


# What `words` and the Alerts page read of an alert's lock (a lock's row is wide: its JSON and
# scheduling columns cost more to load than the rest of its alert).
_WRITTEN_FROM = ("name", "battery_level", "backup_pool_enabled", "property__time_zone")


def _written(owner: Owner, now: datetime, places: list[_Place]) -> list[Alert]:
    """The alerts of these places, in their order, from the rows of their locks and stays (at
    most 3 queries, whatever the number of places). A problem whose lock was deleted since its
    place was found is left out."""
    if not places:
        return []
    locks = (
        Lock.objects.select_related("property")
        .only(*_WRITTEN_FROM)
        .order_by()
        .in_bulk({p.lock_id for p in places if p.lock_id is not None})
    )
    stays = Reservation.objects.in_bulk({p.stay.pk for p in places if p.stay is not None})
    entries = EntryAlert.objects.select_related("event").in_bulk(
        {p.entry_id for p in places if p.entry_id is not None}
    )
    silent = [p for p in places if p.kind == "offline" and p.stay is not None]
    on_lock = _guest_codes_on_locks({p.stay.pk for p in silent}, {p.lock_id for p in silent})

    alerts = []
    for place in places:
        lock = locks.get(place.lock_id)
        stay = stays.get(place.stay.pk) if place.stay is not None else None
        if place.kind == "replacement_waiting":
            alerts.append(replacement_waiting(place.device, lock))
        elif place.kind == "webhook_switched_off":
            alerts.append(webhook_switched_off(place.webhook))
        elif lock is None:
            continue
        elif place.kind == DEVICE_REMOVED:
            alerts.append(device_removed(lock, stay, place.at))
        elif place.kind == "offline":
            code_on = stay is not None and (stay.pk, lock.pk) in on_lock
            alerts.append(offline(lock, owner, stay, code_on, len(place.codes), place.at))
        elif place.kind == "low_battery":
            alerts.append(low_battery(lock, owner, stay, place.at))
        elif place.kind == "code_failing":
            alerts.append(codes_failing(lock, place.codes, stay, place.at, now))
        elif place.kind == EntryAlert.Kind.LOCKOUT and place.entry_id in entries:
            alerts.append(locked_out(entries[place.entry_id], lock, stay))
        elif place.kind == EntryAlert.Kind.LATE_ENTRY and place.entry_id in entries:
            alerts.append(late_entry(entries[place.entry_id], lock, stay, owner))
        elif place.kind == "code_kept_after_end":
            newest = place.codes[0]
            alerts.append(code_kept_after_end(lock, len(place.codes), newest.name, place.at))
    return alerts


def _guest_codes_on_locks(stay_ids: set[int], lock_ids: set[int]) -> set[tuple]:
    """(stay, lock) pairs whose guest code the lock has confirmed: it opens even offline."""
    if not stay_ids:
        return set()
    return set(
        AccessCode.objects.filter(
            AccessCode.on_lock(),
            reservation_id__in=stay_ids,
            lock_id__in=lock_ids,
            kind=AccessCode.Kind.GUEST,
            removed_at__isnull=True,
            deleted_at__isnull=True,
        ).values_list("reservation_id", "lock_id")
    )
