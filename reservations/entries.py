"""Who came in: a stay's entries and arrival, lockouts caught as they happen, late entries.

Fed by `locks.hooks.door_events` with each batch of lock events just stored (read from the
locks' feeds, or a remote unlock done here):
- an entry (`lock.unlocked`) with a stay's code is the stay's arrival if it is the first;
- one with a stay's code after the stay ended (plus the buffer) is a red alert: a door opened
  to a code that should be gone;
- wrong PINs at a stay's door around its check-in, with no entry since, raise a lockout (the
  owner's attempts within minutes), once per stay and door; `hooks.lockout_raised` then lets
  messaging text the guest a backup for that door.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q

from locks.drivers.base import ACCESS_DENIED, KEYCODE, REMOTE, UNLOCKED
from locks.models import Event, Lock, Owner
from locks.records import event_record
from reservations import hooks
from reservations.models import EntryAlert, Reservation

# The longest a first night's watch can last (check-in before midnight, ending the next day's
# morning): how far back a wrong PIN's stays are looked for.
LONGEST_WATCH = timedelta(hours=48)


def door_events_received(*, owner: Owner, events: list[Event], now: datetime) -> None:
    entries = [e for e in events if e.event_type == UNLOCKED and e.reservation_id]
    if entries:
        stays = Reservation.objects.in_bulk({e.reservation_id for e in entries})
        _arrivals(owner, entries, stays)
        _late_entries(owner, entries, stays, now)
        _lockouts_cleared(entries, now)
    denied = [e for e in events if e.event_type == ACCESS_DENIED and e.lock_id]
    if denied:
        _lockouts_caught(owner, denied, now)


def watch_window(stay: Reservation, owner: Owner, tz) -> tuple[datetime, datetime]:
    """When wrong PINs at the stay's doors count as a lockout: from the owner's hours before
    check-in to the end of the first night (that hour the next morning, or check-out)."""
    local = stay.check_in.astimezone(tz)
    morning = (local + timedelta(days=1)).replace(
        hour=owner.lockout_night_ends_hour, minute=0, second=0, microsecond=0
    )
    return (
        stay.check_in - timedelta(hours=owner.lockout_hours_before),
        min(morning, stay.ends_at),
    )


# --- arrivals and late entries --------------------------------------------------------------


def _arrivals(owner: Owner, entries: list[Event], stays: dict) -> None:
    """The first entry of each stay within its window (doors do not all report in order: the
    earliest wins, by a conditional update)."""
    first: dict = {}
    for event in entries:
        stay = stays.get(event.reservation_id)
        if stay is None or event.occurred_at >= stay.code_window(owner)[1]:
            continue
        if stay.arrived_at is not None and stay.arrived_at <= event.occurred_at:
            continue  # arrived before: nothing to write
        known = first.get(stay.pk)
        if known is None or event.occurred_at < known.occurred_at:
            first[stay.pk] = event
    for stay_id, event in first.items():
        Reservation.objects.filter(
            Q(arrived_at__isnull=True) | Q(arrived_at__gt=event.occurred_at), pk=stay_id
        ).update(arrived_at=event.occurred_at, first_entry=event)


def _late_entries(owner: Owner, entries: list[Event], stays: dict, now: datetime) -> None:
    for event in entries:
        stay = stays.get(event.reservation_id)
        if stay is None or event.data.get("method") == REMOTE:
            continue  # a remote unlock was somebody's choice, recorded with its reason
        _, ends = stay.code_window(owner)
        if event.occurred_at >= ends or stay.status == Reservation.Status.CANCELLED:
            EntryAlert.objects.create(
                owner=owner,
                reservation=stay,
                lock_id=event.lock_id,
                kind=EntryAlert.Kind.LATE_ENTRY,
                raised_at=now,
                last_attempt_at=event.occurred_at,
                event=event,
            )


# --- lockouts -----------------------------------------------------------------------------


def _lockouts_cleared(entries: list[Event], now: datetime) -> None:
    """A guest who got in (their code, a backup, a remote unlock) is no longer locked out at
    that door (one query for the batch, and one more only when a lockout is open)."""
    open_ones = EntryAlert.objects.filter(
        kind=EntryAlert.Kind.LOCKOUT,
        reservation_id__in={e.reservation_id for e in entries},
        cleared_at__isnull=True,
    ).values_list("pk", "reservation_id", "lock_id")
    got_in = {(e.reservation_id, e.lock_id) for e in entries}
    cleared = [pk for pk, stay_id, lock_id in open_ones if (stay_id, lock_id) in got_in]
    if cleared:
        EntryAlert.objects.filter(pk__in=cleared).update(
            cleared_at=now, cleared_by="The guest got in"
        )


def _lockouts_caught(owner: Owner, denied: list[Event], now: datetime) -> None:
    locks = Lock.objects.select_related("property").in_bulk({e.lock_id for e in denied})
    for lock_id in {e.lock_id for e in denied}:
        lock = locks[lock_id]
        at = max(e.occurred_at for e in denied if e.lock_id == lock_id)
        attempts = _wrong_pins(owner, lock, at)
        if attempts < owner.lockout_attempts:
            continue
        watched = _watched_stays(owner, lock, at)
        got_in = _got_in({stay.pk for stay, _ in watched}, lock, at)
        locked_out = [(stay, ends) for stay, ends in watched if stay.pk not in got_in]
        for stay, ends in locked_out:
            _lockout_raise(
                owner, lock, stay, at, now, attempts, ends, whose_unknown=len(locked_out) > 1
            )


def _wrong_pins(owner: Owner, lock: Lock, at: datetime) -> int:
    """Wrong PINs typed at the door in the owner's minutes up to `at`."""
    return Event.objects.filter(
        lock=lock,
        event_type=ACCESS_DENIED,
        occurred_at__gt=at - timedelta(minutes=owner.lockout_within_minutes),
        occurred_at__lte=at,
        data__method=KEYCODE,
    ).count()


def _watched_stays(owner: Owner, lock: Lock, at: datetime) -> list[tuple[Reservation, datetime]]:
    """The confirmed stays whose doors include `lock` and whose watch is on at `at`, each with
    when its watch ends."""
    stays = Reservation.objects.filter(
        property_id=lock.property_id,
        status=Reservation.Status.CONFIRMED,
        check_in__gte=at - LONGEST_WATCH,
        check_in__lte=at + timedelta(hours=owner.lockout_hours_before),
    )
    if lock.unit_id is not None:
        stays = stays.filter(unit_id=lock.unit_id)
    windows = [(stay, watch_window(stay, owner, lock.property.tz)) for stay in stays]
    return [(stay, ends) for stay, (starts, ends) in windows if starts <= at < ends]


def _got_in(stay_ids: set, lock: Lock, at: datetime) -> set:
    """Those of the stays whose guest got in at this door already (their code, a backup, a
    remote unlock for them): wrong PINs after that are not their lockout. One query."""
    if not stay_ids:
        return set()
    entries = Event.objects.filter(
        lock=lock, event_type=UNLOCKED, reservation_id__in=stay_ids, occurred_at__lte=at
    )
    return set(entries.values_list("reservation_id", flat=True))


def _lockout_raise(owner, lock, stay, at, now, attempts, watch_ends, *, whose_unknown) -> None:
    try:
        with transaction.atomic():
            alert = EntryAlert.objects.create(
                owner=owner,
                reservation=stay,
                lock=lock,
                kind=EntryAlert.Kind.LOCKOUT,
                raised_at=now,
                attempts=attempts,
                last_attempt_at=at,
                watch_ends_at=watch_ends,
            )
    except IntegrityError:
        return  # raised before for this stay and door: never twice
    if whose_unknown:
        # A shared door with several guests arriving: texting each a backup would hand codes
        # to people who did not ask; the front desk finds out who it is.
        entry_alert_help_record(
            alert=alert,
            help_given="No backup was texted: several guests arrive through this door, and "
            "the lock cannot tell whose attempts these were.",
            now=now,
        )
    else:
        hooks.lockout_raised_run(alert=alert, now=now)
    # On the stay's history too, with what was done for the guest.
    event_record(
        owner=owner,
        event_type="reservation.guest_locked_out",
        now=now,
        lock=lock,
        reservation=stay,
        message=f"Guest may be locked out at {lock.name}: {alert.attempts} wrong PINs. "
        + alert.help_given,
    )


def lockout_report(
    *, reservation: Reservation, lock: Lock, help_given: str, now: datetime
) -> EntryAlert:
    """The guest says they cannot get in at `lock` (their page's "My code doesn't work") and
    nothing could be done for them there: a lockout on the Alerts page and the nav's badge,
    with what was tried, open until they get in at that door or a person marks it handled (or
    the day after, at the latest). The stay's one lockout for that door opens again if it was
    raised before."""
    watch_ends = min(reservation.ends_at, now + timedelta(hours=24))
    with transaction.atomic():
        alert, _ = EntryAlert.objects.select_for_update().get_or_create(
            reservation=reservation,
            lock=lock,
            kind=EntryAlert.Kind.LOCKOUT,
            defaults=dict(
                owner=reservation.owner, raised_at=now, last_attempt_at=now, watch_ends_at=now
            ),
        )
        alert.raised_at = alert.last_attempt_at = now
        alert.watch_ends_at = max(alert.watch_ends_at or now, watch_ends)
        alert.cleared_at, alert.cleared_by = None, ""
        alert.help_given, alert.help_given_at = help_given[:300], now
        alert.save()
    return alert


def entry_alert_help_record(*, alert: EntryAlert, help_given: str, now: datetime) -> None:
    """What was done for the guest of a lockout (a backup texted, or why not)."""
    alert.help_given = help_given[:300]
    alert.help_given_at = now
    alert.save(update_fields=["help_given", "help_given_at"])


def entry_alert_clear(*, alert: EntryAlert, by: str, now: datetime) -> None:
    """A person handled it: the alert closes, with who did."""
    EntryAlert.objects.filter(pk=alert.pk, cleared_at__isnull=True).update(
        cleared_at=now, cleared_by=by[:150]
    )
