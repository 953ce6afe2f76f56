"""Stays: created, changed, cancelled, checked out early, and pushed by other systems (upsert).

Every write here ends by calling `guest_codes_sync` inside the same transaction, so the stay's
guest codes follow it. Overlapping stays of one unit are refused when a person enters them, and
kept but flagged (`has_conflict`) when a feed or the API sends them.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from locks.errors import ServiceError
from locks.models import Owner, Unit
from locks.records import event_record
from reservations import hooks
from reservations.guest_codes import guest_codes_sync
from reservations.models import Reservation
from reservations.phones import phone_normalize

EDITABLE = {
    "guest_name",
    "phone",
    "email",
    "guests",
    "check_in",
    "check_out",
    "unit",
    "notes",
    "language",
}


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


class DuplicateReservation(ServiceError):
    def __init__(self):
        super().__init__(
            "A reservation with this external id exists already; update it instead.",
            type="duplicate_reservation",
            status=409,
        )


def _full_clean(reservation: Reservation) -> None:
    try:
        reservation.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        if field == "__all__":
            raise DuplicateReservation() from None
        raise ServiceError(
            f"{field.replace('_', ' ').capitalize()}: {messages[0]}", field=field
        ) from None


def _pushed(owner: Owner, source: str, external_id: str):
    """The stay a system pushed with this external id, its row taken for this transaction."""
    return Reservation.objects.select_for_update().filter(
        owner=owner, source=source, external_id=external_id
    )


def _insert(reservation: Reservation) -> None:
    """Save a new stay. Another push of its external id may have been saved since `full_clean`
    looked (it was booked in another room): that is a duplicate too, not a crash."""
    try:
        with transaction.atomic():  # a savepoint, so the transaction goes on after a refusal
            reservation.save()
    except IntegrityError:
        pushed = _pushed(reservation.owner, reservation.source, reservation.external_id)
        if not reservation.external_id or not pushed.exists():
            raise
        raise DuplicateReservation() from None


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
    language: str = "",
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
        language=language,
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
        _insert(reservation)
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
    before = hooks.stay_facts(reservation)
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
            # Its guest may have to hear of it (a new PIN may come with another unit).
            hooks.stay_changed_run(reservation=reservation, before=before, now=now)
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
        existing = _pushed(owner, source, external_id).first()
        if existing is None:
            try:
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
            except DuplicateReservation:
                # A simultaneous push of the same stay was saved first (its create is rolled
                # back to its savepoint): this push updates that stay, as a later one would.
                existing = _pushed(owner, source, external_id).first()
                if existing is None:
                    raise
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
