"""Every write to reservations, and the guest codes that follow them.

A confirmed stay has one PIN, on every door its guest needs, for its window. Whatever changes
(dates, unit, cancellation, early check-out, a leaked PIN), `guest_codes_sync` brings the
stay's access codes in line; the reconciler then brings the locks in line with the codes.
"""

from datetime import datetime

import phonenumbers
from django.core.exceptions import ValidationError
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
from reservations.models import Reservation

EDITABLE = {"guest_name", "phone", "email", "guests", "check_in", "check_out", "unit", "notes"}


def phone_normalize(raw: str, *, country: str) -> str:
    """A phone number in E.164 (+351912345678); local numbers are read as `country`'s."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, country.upper() or None)
    except phonenumbers.NumberParseException:
        raise ServiceError(
            f"“{raw}” is not a phone number we can read. Write it in digits with its country "
            "code, e.g. +351 912 345 678.",
            field="phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ServiceError(
            f"“{raw}” is not a valid phone number. Check the digits and the country code.",
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def doors_of(unit: Unit) -> list[Lock]:
    """Every door a guest of `unit` needs: the unit's own and the property's shared doors."""
    return list(
        Lock.objects.filter(property_id=unit.property_id)
        .filter(Q(unit=unit) | Q(unit__isnull=True))
        .select_related("owner")
        .order_by("unit_id", "name")
    )


def overlapping(reservation: Reservation) -> list[Reservation]:
    """Other confirmed stays of the same unit that share a night with this one.

    A check-out and a check-in on the same day do not overlap: the windows are half-open.
    """
    return list(
        Reservation.objects.filter(
            unit_id=reservation.unit_id,
            status=Reservation.Status.CONFIRMED,
            check_in__lt=reservation.ends_at,
            check_out__gt=reservation.check_in,
            checked_out_at__isnull=True,
        )
        .exclude(pk=reservation.pk)
        .order_by("check_in")
    )


def _lock_units(*unit_ids: int) -> None:
    """Take the units' rows, so two bookings of one unit are checked for overlap in turn."""
    list(Unit.objects.select_for_update().filter(pk__in=unit_ids).values_list("pk", flat=True))


def _refuse_overlap(reservation: Reservation, clash: Reservation) -> None:
    tz = reservation.unit.property.tz
    raise ServiceError(
        f"{reservation.unit.name} is already booked by {clash.guest_name} from "
        f"{clash.check_in.astimezone(tz):%a %d %b} to {clash.check_out.astimezone(tz):%a %d %b}. "
        "Choose other dates or another unit.",
        type="reservation_conflict",
        status=409,
        field="check_in",
    )


def _refresh_conflicts(unit_id: int) -> None:
    """Flag every confirmed stay of the unit that overlaps another; clear the rest."""
    stays = list(
        Reservation.objects.filter(unit_id=unit_id, status=Reservation.Status.CONFIRMED)
        .only("pk", "check_in", "check_out", "checked_out_at", "has_conflict")
        .order_by("check_in")
    )
    clashing: set = set()
    latest_end, latest = None, None
    for stay in stays:
        if latest_end is not None and stay.check_in < latest_end:
            clashing |= {stay.pk, latest.pk}
        if latest_end is None or stay.ends_at > latest_end:
            latest_end, latest = stay.ends_at, stay
    Reservation.objects.filter(unit_id=unit_id, pk__in=clashing, has_conflict=False).update(
        has_conflict=True
    )
    Reservation.objects.filter(unit_id=unit_id, has_conflict=True).exclude(pk__in=clashing).update(
        has_conflict=False
    )


# --- the stay's PIN --------------------------------------------------------------------------


def _pin_problem(pin: str, doors: list[Lock], reservation: Reservation, now: datetime) -> str:
    """Why `pin` cannot go on every door of the stay, or '' when it can."""
    # Only the stay's wanted codes step aside: one being removed still holds its PIN on the lock.
    wanted = reservation.access_codes.filter(removed_at__isnull=True, deleted_at__isnull=True)
    own = {c.lock_id: c for c in wanted}
    for door in doors:
        try:
            access_code_check_pin(lock=door, code=pin, now=now, exclude=own.get(door.pk))
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
    ref = reservation.external_id or str(reservation.pk)[:8]
    return f"{reservation.guest_name} · {ref}"[:200]


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
    for code in live.select_related("lock__owner"):
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
            common_code_key=f"reservation_{reservation.pk}",
            reservation=reservation,
        )


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
        _record(reservation, "reservation.pin_replaced", now, reason=_reason(problem))
    reservation.save(update_fields=["pin", "pin_note", "updated_at"])


def guest_codes_resync(*, lock: Lock, now: datetime, old_unit_id: int | None = None) -> None:
    """A door registered, or moved to another unit: the stays that are not over follow it."""
    stays = Reservation.objects.filter(
        owner=lock.owner,
        unit__property_id=lock.property_id,
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
        guest_codes_sync(reservation=stay, now=now)


# --- reservations ----------------------------------------------------------------------------


def _validate(reservation: Reservation) -> None:
    if not reservation.guest_name.strip():
        raise ServiceError("Give the guest's name.", field="guest_name")
    if reservation.check_out <= reservation.check_in:
        raise ServiceError("Check-out must be after check-in.", field="check_out")
    if reservation.guests < 1:
        raise ServiceError("A stay has at least one guest.", field="guests")
    reservation.phone = phone_normalize(
        reservation.phone, country=reservation.unit.property.country
    )


def _full_clean(reservation: Reservation) -> None:
    try:
        reservation.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        duplicate = field == "__all__"
        raise ServiceError(
            "A reservation with this external id exists already; update it instead."
            if duplicate
            else f"{field.replace('_', ' ').capitalize()}: {messages[0]}",
            type="duplicate_reservation" if duplicate else "invalid_input",
            status=409 if duplicate else 400,
            field=None if duplicate else field,
        ) from None


def _record(reservation: Reservation, event_type: str, now: datetime, **data) -> None:
    event_record(
        owner=reservation.owner,
        event_type=event_type,
        now=now,
        reservation=reservation,
        **data,
    )


def reservation_create(
    *,
    owner: Owner,
    unit: Unit,
    guest_name: str,
    check_in: datetime,
    check_out: datetime,
    now: datetime,
    phone: str = "",
    email: str = "",
    guests: int = 1,
    notes: str = "",
    source: str = Reservation.Source.MANUAL,
    external_id: str = "",
    feed=None,
    refuse_overlap: bool | None = None,
) -> Reservation:
    """A new stay, and its guest code on every door.

    An overlap with another stay of the unit is refused when a person enters it; from a feed or
    the API (`refuse_overlap=False`) the stay is kept and both are flagged as a conflict.
    """
    if unit.property.owner_id != owner.pk:
        raise ServiceError("That unit is not yours.", field="unit")
    if refuse_overlap is None:
        refuse_overlap = source == Reservation.Source.MANUAL
    reservation = Reservation(
        owner=owner,
        unit=unit,
        guest_name=guest_name.strip()[:200],
        check_in=check_in,
        check_out=check_out,
        phone=phone,
        email=email.strip(),
        guests=guests,
        notes=notes,
        source=source,
        external_id=external_id.strip()[:255],
        feed=feed,
    )
    _validate(reservation)
    with transaction.atomic():
        _lock_units(unit.pk)
        clashes = overlapping(reservation)
        if clashes and refuse_overlap:
            _refuse_overlap(reservation, clashes[0])
        _full_clean(reservation)
        reservation.save()
        if clashes:
            _refresh_conflicts(unit.pk)
            reservation.refresh_from_db(fields=["has_conflict"])
        _record(reservation, "reservation.created", now, source=source)
        guest_codes_sync(reservation=reservation, now=now)
    return reservation


def reservation_update(
    *, reservation: Reservation, now: datetime, refuse_overlap: bool = True, **changes
) -> Reservation:
    """Change a stay; its guest code follows (new dates move the window, same PIN)."""
    unknown = set(changes) - EDITABLE
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if not reservation.is_confirmed:
        raise ServiceError("This reservation is cancelled; create a new one instead.")
    if reservation.checked_out_at is not None:
        raise ServiceError("The guest has checked out; this stay can no longer change.")
    old_unit_id = reservation.unit_id
    unit = changes.get("unit")
    if unit is not None and unit.property.owner_id != reservation.owner_id:
        raise ServiceError("That unit is not yours.", field="unit")
    for field, value in changes.items():
        setattr(reservation, field, value.strip() if isinstance(value, str) else value)
    try:
        _validate(reservation)
        with transaction.atomic():
            _lock_units(reservation.unit_id, old_unit_id)
            clashes = overlapping(reservation)
            if clashes and refuse_overlap:
                _refuse_overlap(reservation, clashes[0])
            _full_clean(reservation)
            reservation.save()
            _refresh_conflicts(reservation.unit_id)
            if old_unit_id != reservation.unit_id:
                _refresh_conflicts(old_unit_id)
            reservation.refresh_from_db(fields=["has_conflict"])
            _record(reservation, "reservation.updated", now, fields=sorted(changes))
            guest_codes_sync(reservation=reservation, now=now)
    except ServiceError:
        reservation.refresh_from_db()  # refused: the caller's copy shows the stay as it is
        raise
    return reservation


def reservation_cancel(*, reservation: Reservation, now: datetime) -> Reservation:
    """Cancel a stay: its code comes off every door."""
    if not reservation.is_confirmed:
        return reservation
    with transaction.atomic():
        reservation.status = Reservation.Status.CANCELLED
        reservation.cancelled_at = now
        reservation.save(update_fields=["status", "cancelled_at", "updated_at"])
        _refresh_conflicts(reservation.unit_id)
        reservation.refresh_from_db(fields=["has_conflict"])
        _record(reservation, "reservation.cancelled", now)
        guest_codes_sync(reservation=reservation, now=now)
    return reservation


def reservation_check_out_early(*, reservation: Reservation, now: datetime) -> Reservation:
    """The guest left before check-out: the code ends now."""
    if not reservation.is_confirmed or reservation.checked_out_at is not None:
        raise ServiceError("This stay is not going on, so there is nothing to check out.")
    if not reservation.check_in <= now < reservation.check_out:
        raise ServiceError(
            "Early check-out is for a guest who is staying now; change the dates instead."
        )
    with transaction.atomic():
        reservation.checked_out_at = now
        reservation.save(update_fields=["checked_out_at", "updated_at"])
        _refresh_conflicts(reservation.unit_id)
        _record(reservation, "reservation.checked_out", now)
        guest_codes_sync(reservation=reservation, now=now)
    return reservation


def reservation_new_pin(*, reservation: Reservation, now: datetime) -> Reservation:
    """Replace a leaked PIN: the new one goes on every door, the old one comes off."""
    if not reservation.is_confirmed or reservation.ends_at <= now:
        raise ServiceError("Only a confirmed stay that is not over can get a new PIN.")
    doors = doors_of(reservation.unit)
    if not doors:
        raise ServiceError(f"{reservation.unit.name} has no doors with locks yet.")
    with transaction.atomic():
        reservation.pin, reservation.pin_note = stay_pin_choose(
            reservation, doors, now, avoid=reservation.pin
        )
        reservation.save(update_fields=["pin", "pin_note", "updated_at"])
        _record(reservation, "reservation.pin_replaced", now)
        guest_codes_sync(reservation=reservation, now=now)
    return reservation


def reservation_upsert(
    *,
    owner: Owner,
    source: str,
    external_id: str,
    unit: Unit,
    now: datetime,
    feed=None,
    **fields,
) -> tuple[Reservation, bool]:
    """Create a stay, or update the one with this external id (a system that pushes twice)."""
    external_id = external_id.strip()
    if not external_id:
        raise ServiceError("An external id is needed to match the stay later.", field="external_id")
    # Stored as they are saved, so pushing the same data again changes nothing.
    fields = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if "phone" in fields:
        fields["phone"] = phone_normalize(fields["phone"], country=unit.property.country)
    with transaction.atomic():
        existing = (
            Reservation.objects.select_for_update()
            .filter(owner=owner, source=source, external_id=external_id)
            .first()
        )
        if existing is None:
            reservation = reservation_create(
                owner=owner,
                unit=unit,
                now=now,
                source=source,
                external_id=external_id,
                feed=feed,
                refuse_overlap=False,
                **fields,
            )
            return reservation, True
        reinstated = not existing.is_confirmed
        if reinstated:
            # The system lists it again: the stay is back on.
            existing.status = Reservation.Status.CONFIRMED
            existing.cancelled_at = None
            existing.save(update_fields=["status", "cancelled_at", "updated_at"])
            _record(existing, "reservation.reinstated", now)
        if existing.checked_out_at is not None:
            return existing, False  # a finished stay is history; a feed does not move it
        changes = {k: v for k, v in fields.items() if getattr(existing, k) != v}
        if unit.pk != existing.unit_id:
            changes["unit"] = unit
        if changes:
            reservation_update(reservation=existing, now=now, refuse_overlap=False, **changes)
        elif reinstated:
            _refresh_conflicts(existing.unit_id)
            existing.refresh_from_db(fields=["has_conflict"])
            guest_codes_sync(reservation=existing, now=now)
    return existing, False
