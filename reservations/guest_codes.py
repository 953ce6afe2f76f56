"""The stay's PIN and its guest codes, on every door its guest needs.

A confirmed stay has one PIN, on every door its guest needs, for its window. Whatever changes
(dates, unit, cancellation, early check-out, a leaked PIN), `guest_codes_sync` brings the
stay's access codes in line; the reconciler then brings the locks in line with the codes.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from locks import pins
from locks.access_codes import (
    access_code_check_pin,
    access_code_create,
    access_code_delete,
    access_code_update,
    taken_pins,
)
from locks.errors import ServiceError
from locks.models import AccessCode, Lock, Owner, Unit
from locks.records import event_record
from locks.words import stay_days
from reservations import hooks
from reservations.models import Reservation
from reservations.urgency import urgent_spans_refresh


def doors_of(unit: Unit) -> list[Lock]:
    """Every door a guest of `unit` needs: the unit's own and the property's shared doors."""
    return doors_of_units([unit])[unit.pk]


def doors_of_units(units: Iterable[Unit]) -> dict[int, list[Lock]]:
    """`doors_of` each of `units`, by unit id, in one query (none for no units)."""
    units = list(units)
    if not units:
        return {}
    locks = list(
        Lock.objects.filter(property_id__in={u.property_id for u in units})
        .filter(Q(unit_id__in={u.pk for u in units}) | Q(unit__isnull=True))
        .select_related("owner")
        .order_by("unit_id", "name")
    )
    return {
        u.pk: [d for d in locks if d.property_id == u.property_id and d.unit_id in (u.pk, None)]
        for u in units
    }


# --- the stay's PIN --------------------------------------------------------------------------


def guest_code_key(reservation: Reservation) -> str:
    """The `common_code_key` of the stay's guest codes: one PIN across its doors."""
    return f"reservation_{reservation.pk}"


def _pin_problem(pin: str, doors: list[Lock], reservation: Reservation, now: datetime) -> str:
    """Why `pin` cannot go on every door of the stay, or '' when it can.

    The stay's own guest codes never stand in its way, whatever made them and whatever their
    state: the one to be updated, one being removed from a door the stay left and came back to
    (the new code takes its place on the lock), one removed there (the guest knows that PIN).
    """
    own = Q(common_code_key=guest_code_key(reservation))
    for door in doors:
        try:
            access_code_check_pin(lock=door, code=pin, now=now, exclude=own)
        except ServiceError as exc:
            return exc.message
    return ""


def _reason(message: str) -> str:
    """A refusal's first sentence, to quote inside a note."""
    first = message.split(". ")[0].rstrip(".")
    return first[:1].lower() + first[1:]


def _lengths(doors: list[Lock]) -> list[int]:
    common = set(pins.DEFAULT_CODE_LENGTHS)
    for door in doors:
        common &= set(door.supported_code_lengths or pins.DEFAULT_CODE_LENGTHS)
    if not common:
        names = ", ".join(d.name for d in doors)
        raise ServiceError(
            f"The doors of this stay ({names}) accept no PIN length in common, so one PIN "
            "cannot open them all. Check the locks' settings."
        )
    return sorted(common)


def stay_pin_choose(
    reservation: Reservation, doors: list[Lock], now: datetime, *, avoid: str = ""
) -> tuple[str, str]:
    """A PIN for every door of the stay, and a note for people when the preferred source failed.

    From the guest's phone (its last digits) when the owner asks for it and it fits every door;
    otherwise cryptographically random.
    """
    owner = reservation.owner
    lengths = _lengths(doors)
    length = min(lengths, key=lambda n: abs(n - owner.guest_pin_length))
    note = ""
    if owner.guest_pin_source == Owner.PinSource.PHONE:
        digits = "".join(ch for ch in reservation.phone if ch.isdigit())
        if len(digits) < length:
            note = "No phone number to take the PIN from, so a random PIN was chosen."
        else:
            candidate = digits[-length:]
            problem = "that PIN was just replaced" if candidate == avoid else ""
            problem = problem or _pin_problem(candidate, doors, reservation, now)
            if not problem:
                return candidate, ""
            note = (
                "The last digits of the guest's phone could not be the PIN "
                f"({_reason(problem)}), so a random PIN was chosen."
            )
    taken = {avoid} if avoid else set()
    constraints: set[str] = set()
    for door in doors:
        taken |= taken_pins(door, now)
        constraints |= set(door.code_constraints)
    try:
        pin = pins.generate_pin(
            lengths=lengths, constraints=sorted(constraints), taken=taken, preferred_length=length
        )
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc
    return pin, note


# --- guest codes ------------------------------------------------------------------------------


def guest_code_name(reservation: Reservation) -> str:
    """The code's name, on the dashboard and in a lock's own app: the guest and the stay's days
    ("Maria Silva, 3–5 Dec"), never an id. Names need not be unique on a lock (Seam adapts a
    name to what a maker's app accepts), and the days tell two stays of one guest apart."""
    days = stay_days(reservation.check_in, reservation.check_out, reservation.unit.property.tz)
    guest = reservation.guest_name
    if guest.endswith(f", {days}"):  # a feed's unnamed guest has the days already
        return guest[:200]
    return f"{guest[: 200 - len(days) - 2]}, {days}"


def guest_codes_sync(*, reservation: Reservation, now: datetime) -> None:
    """Make the stay's access codes match it: doors, window, PIN and name."""
    owner = reservation.owner
    starts_at, ends_at = reservation.code_window(owner)
    wanted = reservation.is_confirmed and ends_at > now
    # A unit without locks yet has no doors; a lock added later is synced on registration.
    doors = doors_of(reservation.unit) if wanted else []
    if doors:
        _stay_pin_ensure(reservation, doors, now)
    name = guest_code_name(reservation)
    missing = {door.pk: door for door in doors}
    live = reservation.access_codes.filter(removed_at__isnull=True, deleted_at__isnull=True)
    # Every door the stay had or has: its arrival may make or unmake an urgent alert there.
    touched = {door.pk: door for door in doors or doors_of(reservation.unit)}
    for code in live.select_related("lock__owner"):
        touched.setdefault(code.lock_id, code.lock)
        if code.kind == AccessCode.Kind.BACKUP:
            _backup_follow(code, doors, ends_at, now)
            continue
        if code.lock_id not in missing or code.code != reservation.pin:
            # A replaced PIN leaves as its own removed code, so it stays quarantined on the door.
            access_code_delete(access_code=code, now=now)
            continue
        missing.pop(code.lock_id)
        changes = {}
        if (code.starts_at, code.ends_at) != (starts_at, ends_at):
            changes.update(starts_at=starts_at, ends_at=ends_at)
        if code.name != name:
            changes["name"] = name
        if changes:
            access_code_update(access_code=code, now=now, **changes)
    for door in missing.values():
        access_code_create(
            lock=door,
            now=now,
            name=name,
            code=reservation.pin,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=AccessCode.Kind.GUEST,
            common_code_key=guest_code_key(reservation),
            reservation=reservation,
        )
    for door in touched.values():
        urgent_spans_refresh(lock=door, now=now)


def _backup_follow(backup: AccessCode, doors: list[Lock], ends_at: datetime, now) -> None:
    """A backup given to the stay ends with it, and leaves a door the stay no longer has."""
    if backup.lock_id not in {door.pk for door in doors}:
        access_code_delete(access_code=backup, now=now)
    elif backup.ends_at != ends_at:
        access_code_update(
            access_code=backup, now=now, starts_at=min(backup.starts_at, now), ends_at=ends_at
        )


def _stay_pin_ensure(reservation: Reservation, doors: list[Lock], now: datetime) -> None:
    """Give the stay a PIN, or a new one only when its PIN cannot go on one of its doors."""
    problem = _pin_problem(reservation.pin, doors, reservation, now) if reservation.pin else ""
    if reservation.pin and not problem:
        return
    reservation.pin, reservation.pin_note = stay_pin_choose(
        reservation, doors, now, avoid=reservation.pin
    )
    if problem:
        reservation.pin_note = (
            f"The PIN changed because the old one could not go on every door "
            f"({_reason(problem)}). Give the guest the new PIN."
        )[:300]
        event_record(
            owner=reservation.owner,
            event_type="reservation.pin_replaced",
            now=now,
            reservation=reservation,
            reason=_reason(problem),
        )
    reservation.save(update_fields=["pin", "pin_note", "updated_at"])


def guest_codes_resync(*, lock: Lock, now: datetime, old_unit_id: int | None = None) -> None:
    """A door registered, or moved to another unit: the stays that are not over follow it."""
    stays = Reservation.objects.filter(
        owner=lock.owner,
        property=lock.property_id,
        status=Reservation.Status.CONFIRMED,
        check_out__gt=now,
        checked_out_at__isnull=True,
    ).select_related("owner", "unit__property")
    if lock.unit_id:
        # The room's guests, and whoever still has a code on it (it may have been shared).
        on_door = Q(
            access_codes__lock=lock,
            access_codes__removed_at__isnull=True,
            access_codes__deleted_at__isnull=True,
        )
        stays = stays.filter(Q(unit_id__in=[lock.unit_id, old_unit_id]) | on_door).distinct()
    for stay in stays:
        before = hooks.stay_facts(stay)
        guest_codes_sync(reservation=stay, now=now)
        hooks.stay_changed_run(reservation=stay, before=before, now=now)  # a PIN replaced


def reservation_new_pin(*, reservation: Reservation, now: datetime) -> Reservation:
    """Replace a leaked PIN: the new one goes on every door, the old one comes off."""
    if not reservation.is_confirmed or reservation.ends_at <= now:
        raise ServiceError("Only a confirmed stay that is not over can get a new PIN.")
    doors = doors_of(reservation.unit)
    if not doors:
        raise ServiceError(f"{reservation.unit.name} has no doors with locks yet.")
    before = hooks.stay_facts(reservation)
    with transaction.atomic():
        reservation.pin, reservation.pin_note = stay_pin_choose(
            reservation, doors, now, avoid=reservation.pin
        )
        reservation.save(update_fields=["pin", "pin_note", "updated_at"])
        event_record(
            owner=reservation.owner,
            event_type="reservation.pin_replaced",
            now=now,
            reservation=reservation,
        )
        guest_codes_sync(reservation=reservation, now=now)
        hooks.stay_changed_run(reservation=reservation, before=before, now=now)
    return reservation
