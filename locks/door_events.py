"""What locks report at their doors: entries with the code used, wrong PINs, locks and unlocks.

Each driver account's event feed is read from where it was left (`DriverAccount.events_cursor`)
every minute by the tick (`accounts_events_read_due`), at once when a simulated keypad is used,
and whenever someone reads it by hand. Every event is stored once (`Event.driver_event_ref`),
attributed to the door (by device), the code typed (by the driver's reference for it) and so its
stay, then handed to the layers above (`hooks.door_events`): reservations record arrivals and
catch lockouts there. Reading events never writes a code: the reconciler stays the only writer.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.module_loading import import_string

from locks import hooks
from locks.drivers import DRIVERS, DriverError, get_driver
from locks.drivers.base import LOCKED, REMOTE, UNKNOWN, UNLOCKED, EventBatch, LockEventReading
from locks.models import AccessCode, DriverAccount, Event, Lock
from locks.outgoing.fanout import events_insert

READ_EVERY = timedelta(minutes=1)
# A feed behind by more pages than this is read on at the next tick (a read stays short).
PAGES_PER_READ = 20
# A remote turn we asked for and recorded ourselves is the lock's own report of it when the
# lock reports one this close to it (so it is not stored twice).
SAME_REMOTE_TURN = timedelta(minutes=2)
EVENTS_UNREAD = "lock_events_unread"


def supports_events(driver_key: str) -> bool:
    """Whether the driver reads its locks' events (it offers `read_events`)."""
    path = DRIVERS.get(driver_key)
    return path is not None and hasattr(import_string(path), "read_events")


def accounts_events_read_due(*, now: datetime) -> int:
    """Read the event feed of every account whose minute has come; returns how many events
    were new. Accounts are claimed one by one (a conditional UPDATE), so two workers never
    read one feed at once."""
    due = DriverAccount.objects.filter(Q(next_events_at__isnull=True) | Q(next_events_at__lte=now))
    new = 0
    for account in due.select_related("owner"):
        if not supports_events(account.driver):
            continue
        claimed = DriverAccount.objects.filter(
            Q(next_events_at__isnull=True) | Q(next_events_at__lte=now), pk=account.pk
        ).update(next_events_at=now + READ_EVERY)
        if claimed:
            new += len(account_events_read(account=account, now=now))
    return new


def account_events_read(*, account: DriverAccount, now: datetime) -> list[Event]:
    """Read what the account's locks reported since the last read, store what is new, and
    return it (oldest first). A feed that cannot be read is an issue on the account (shown
    with it on the Devices page) and is read again from the same place next time."""
    driver = get_driver(account.driver, now=now, **(account.credentials or {}))
    new: list[Event] = []
    cursor = account.events_cursor or None
    try:
        for _ in range(PAGES_PER_READ):
            batch: EventBatch = driver.read_events(account.account_ref, cursor)
            new += events_store(owner=account.owner, driver_key=account.driver, batch=batch)
            cursor = batch.cursor
            if not batch.more:
                break
    except DriverError as exc:
        account.add_warning(
            EVENTS_UNREAD, f"The locks' events could not be read: {exc.message}", now=now
        )
    else:
        account.clear_warnings(EVENTS_UNREAD)
    account.events_cursor = cursor or ""
    account.next_events_at = now + READ_EVERY
    account.save(update_fields=["events_cursor", "next_events_at", "warnings"])
    if new:
        hooks.door_events_run(owner=account.owner, events=new, now=now)
    return new


def account_events_pushed(
    *, account: DriverAccount, readings: list[LockEventReading], now: datetime
) -> list[Event]:
    """Store what a lock pushed (Z-Wave JS: no feed to read back) as a feed's read is stored,
    and hand the new events to the layers above. Returns the new ones."""
    new = events_store(
        owner=account.owner, driver_key=account.driver, batch=EventBatch(readings, cursor="")
    )
    if new:
        hooks.door_events_run(owner=account.owner, events=new, now=now)
    return new


def account_listening(*, account: DriverAccount, listening: bool, why: str, now: datetime) -> None:
    """Say on the account whether its pushed events are being heard (the Devices page shows
    the warning): events a lock sends while no one listens are not reported again."""
    if listening:
        account.clear_warnings(EVENTS_UNREAD)
    else:
        account.add_warning(
            EVENTS_UNREAD,
            f"Not listening to the locks' events ({why}); entries meanwhile are not recorded.",
            now=now,
        )
    DriverAccount.objects.filter(pk=account.pk).update(warnings=account.warnings)


def events_store(*, owner, driver_key: str, batch: EventBatch) -> list[Event]:
    """Store the batch's events not stored before, attributed to their doors and codes; events
    of devices that are no door here are left out. Returns the new ones, oldest first."""
    readings = batch.events
    if not readings:
        return []
    refs = {f"{driver_key}:{r.ref}": r for r in readings}
    known = set(
        Event.objects.filter(owner=owner, driver_event_ref__in=list(refs)).values_list(
            "driver_event_ref", flat=True
        )
    )
    fresh = {ref: r for ref, r in refs.items() if ref not in known}
    if not fresh:
        return []
    locks = {
        lock.device_id: lock
        for lock in Lock.objects.filter(
            owner=owner,
            driver=driver_key,
            device_id__in={r.device_id for r in fresh.values()},
        ).select_related("owner", "property")
    }
    codes = _codes_by_ref(locks.values(), fresh.values())
    events, bolts = [], {}
    for ref, reading in sorted(fresh.items(), key=lambda item: item[1].occurred_at):
        lock = locks.get(reading.device_id)
        if lock is None:
            continue
        if reading.event_type in (LOCKED, UNLOCKED):
            bolts[lock.pk] = reading.event_type == LOCKED  # the latest turn of each door
        if _remote_turn_asked_here(lock, reading, ref):
            continue
        code = _code_typed(codes.get((lock.pk, reading.code_ref), []), reading.occurred_at)
        events.append(_event_of(lock, reading, ref, code))
    stored = events_insert(owner=owner, insert=lambda: _insert(events))
    for lock_id, locked in bolts.items():
        # A door's bolt is as its latest turn left it (until its next reading).
        Lock.objects.filter(pk=lock_id).update(locked=locked)
    return stored


def _event_of(lock: Lock, reading: LockEventReading, ref: str, code: AccessCode | None) -> Event:
    facts = {"method": reading.method}
    if code is not None:
        facts["is_backup"] = code.kind == AccessCode.Kind.BACKUP
    return Event(
        owner=lock.owner,
        event_type=reading.event_type,
        lock=lock,
        access_code=code,
        reservation_id=code.reservation_id if code is not None else None,
        occurred_at=reading.occurred_at,
        data=facts,
        driver_event_ref=ref,
    )


def _insert(events: list[Event]) -> list[Event]:
    """All in one statement; if another read of the same feed stored some meanwhile, one by
    one, leaving those out."""
    try:
        with transaction.atomic():
            return Event.objects.bulk_create(events)
    except IntegrityError:
        pass
    stored = []
    for event in events:
        try:
            with transaction.atomic():
                event.save(force_insert=True)
            stored.append(event)
        except IntegrityError:
            continue
    return stored


def _codes_by_ref(locks, readings) -> dict[tuple, list[AccessCode]]:
    """The codes that ever held the references the readings name, by (lock, reference)."""
    refs = {r.code_ref for r in readings if r.code_ref}
    if not refs:
        return {}
    found: dict[tuple, list[AccessCode]] = {}
    rows = AccessCode.objects.filter(
        Q(device_ref__in=refs) | Q(stale_device_ref__in=refs), lock__in=list(locks)
    ).order_by("-created_at")
    for code in rows:
        for ref in {code.device_ref, code.stale_device_ref} & refs:
            found.setdefault((code.lock_id, ref), []).append(code)
    return found


def _code_typed(candidates: list[AccessCode], at: datetime) -> AccessCode | None:
    """Of the codes that held a reference (a slot is reused), the one on the lock at `at`:
    the newest created before it and not removed before it."""
    for code in candidates:  # newest first
        if code.created_at <= at and (code.removed_at is None or code.removed_at >= at):
            return code
    return candidates[0] if candidates else None


def _remote_turn_asked_here(lock: Lock, reading: LockEventReading, ref: str) -> bool:
    """Whether this is the lock's report of a remote unlock (or lock) someone asked for here:
    our record of it (with who and why; the oldest not yet matched) then takes the lock's
    reference, and nothing new is stored. A cloud that does not say how may report it with no
    method (Seam's fake does), never with a code."""
    if reading.event_type not in (LOCKED, UNLOCKED) or reading.code_ref:
        return False
    if reading.method not in (REMOTE, UNKNOWN):
        return False
    ours = (
        Event.objects.filter(
            lock=lock,
            event_type=reading.event_type,
            driver_event_ref="",
            data__method=REMOTE,
            occurred_at__gte=reading.occurred_at - SAME_REMOTE_TURN,
            occurred_at__lte=reading.occurred_at + SAME_REMOTE_TURN,
        )
        .order_by("occurred_at")
        .first()
    )
    if ours is None:
        return False
    Event.objects.filter(pk=ours.pk).update(driver_event_ref=ref)
    return True
