"""Reservations, units and properties in the API, in the dialect of the access-code endpoints.

Each endpoint reads through `reservations.selectors` (scoped to the key's owner: other owners'
objects answer 404) and writes through `reservations.stays` (a new PIN: `reservations.guest_codes`);
the guest code follows the stay.
"""

from datetime import date, datetime, time

from backups.services import DoorBackup, reservation_backups_give
from locks import selectors as lock_selectors
from locks.api.base import endpoint, paginate
from locks.api.serializers import AccessCodeSerializer
from locks.errors import ServiceError
from locks.models import Owner, Property
from locks.times import local_to_utc
from reservations import api_serializers as s
from reservations import guest_codes, selectors, stays
from reservations.models import Reservation

OPTIONAL_FIELDS = ("phone", "email", "guests", "notes", "language")


def _stay(reservation: Reservation, now: datetime) -> dict:
    # Read again so the answer carries the guest codes the write has just made.
    fresh = selectors.reservation_get(reservation.owner, reservation.pk)
    return {"reservation": s.ReservationSerializer(fresh, context={"now": now}).data}


def _moment(value: date | datetime, prop: Property, default: time) -> datetime:
    """A date alone means the property's default time on that local day."""
    if isinstance(value, datetime):
        return value
    return local_to_utc(datetime.combine(value, default), prop.tz)


def _stay_fields(params: dict, prop: Property) -> dict:
    fields = {k: params[k] for k in ("guest_name", *OPTIONAL_FIELDS) if k in params}
    if "check_in" in params:
        fields["check_in"] = _moment(params["check_in"], prop, prop.default_check_in)
    if "check_out" in params:
        fields["check_out"] = _moment(params["check_out"], prop, prop.default_check_out)
    return fields


# --- reservations ----------------------------------------------------------------------------


@endpoint(
    input=s.ReservationCreateInput, summary="Create a reservation", answer=s.ReservationAnswer
)
def reservation_create(*, owner: Owner, params: dict, now: datetime) -> dict:
    """A stay for one unit, and its guest code on every door the guest needs.

    With `external_id`, sending the same stay again updates it: it is never duplicated. An
    overlap with another stay of the unit is kept and flagged `has_conflict`, not refused.
    """
    unit = lock_selectors.unit_get(owner, params["unit_id"])
    fields = _stay_fields(params, unit.property)
    external_id = params.get("external_id", "").strip()
    if external_id:
        reservation, _ = stays.reservation_upsert(
            owner=owner,
            source=Reservation.Source.API,
            external_id=external_id,
            unit=unit,
            now=now,
            **fields,
        )
    else:
        reservation = stays.reservation_create(
            owner=owner,
            unit=unit,
            now=now,
            source=Reservation.Source.API,
            refuse_overlap=False,
            **fields,
        )
    return _stay(reservation, now)


@endpoint(
    "GET", input=s.ReservationGetInput, summary="Get a reservation", answer=s.ReservationAnswer
)
def reservation_get(*, owner: Owner, params: dict, now: datetime) -> dict:
    """By `reservation_id`, or by the `external_id` it was created with through the API."""
    if params.get("reservation_id"):
        reservation = selectors.reservation_get(owner, params["reservation_id"])
    else:
        reservation = selectors.reservation_get_by_external_id(
            owner, Reservation.Source.API, params["external_id"]
        )
    return {"reservation": s.ReservationSerializer(reservation, context={"now": now}).data}


@endpoint(
    "GET", input=s.ReservationListInput, summary="List reservations", answer=s.ReservationsAnswer
)
def reservation_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The owner's stays, oldest first; filter by property, unit, dates, status and
    whether the guest has arrived (`arrived`)."""
    stays = selectors.reservations_for(owner)
    if "property_id" in params:
        stays = stays.filter(
            unit__property=lock_selectors.property_get(owner, params["property_id"])
        )
    if "unit_id" in params:
        stays = stays.filter(unit=lock_selectors.unit_get(owner, params["unit_id"]))
    if "status" in params:
        stays = stays.filter(status=params["status"])
    if "from" in params or "to" in params:
        stays = stays.filter(selectors.staying_between(owner, params.get("from"), params.get("to")))
    if "arrived" in params:
        stays = stays.filter(arrived_at__isnull=not params["arrived"])
    page, pagination = paginate(selectors.with_entries(stays), params)
    return {
        "reservations": s.ReservationSerializer(page, many=True, context={"now": now}).data,
        "pagination": pagination,
    }


@endpoint(
    "PATCH",
    "PUT",
    input=s.ReservationUpdateInput,
    summary="Update a reservation",
    answer=s.ReservationAnswer,
)
def reservation_update(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Change a stay; its guest code follows (new dates move its window, keeping the PIN).

    A date alone is read at the property of the stay's unit (the new one when `unit_id` moves
    it). An overlap is kept and flagged `has_conflict`, not refused.
    """
    reservation = selectors.reservation_get(owner, params["reservation_id"])
    if params.get("external_id", reservation.external_id) != reservation.external_id:
        raise ServiceError(
            "A reservation's external_id cannot change; cancel it and create a new one.",
            field="external_id",
        )
    unit = reservation.unit
    if "unit_id" in params:
        unit = lock_selectors.unit_get(owner, params["unit_id"])
    changes = _stay_fields(params, unit.property)
    if unit.pk != reservation.unit_id:
        changes["unit"] = unit
    stays.reservation_update(reservation=reservation, now=now, refuse_overlap=False, **changes)
    return _stay(reservation, now)


@endpoint(input=s.ReservationIdInput, summary="Cancel a reservation", answer=s.ReservationAnswer)
def reservation_cancel(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The guest code comes off every door; cancelling twice is harmless."""
    return _on_stay(owner, params, now, stays.reservation_cancel)


@endpoint(input=s.ReservationIdInput, summary="Check a guest out early", answer=s.ReservationAnswer)
def reservation_check_out(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The guest has left before check-out: the guest code stops opening the doors now."""
    return _on_stay(owner, params, now, stays.reservation_check_out_early)


@endpoint(
    input=s.ReservationIdInput,
    summary="Give a reservation a new PIN",
    answer=s.ReservationAnswer,
)
def reservation_new_pin(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Replace a leaked PIN: the new one goes on every door and the old one comes off."""
    return _on_stay(owner, params, now, guest_codes.reservation_new_pin)


def _on_stay(owner: Owner, params: dict, now: datetime, change) -> dict:
    """One change to the stay named by `reservation_id`, answered with the stay as it is now."""
    reservation = selectors.reservation_get(owner, params["reservation_id"])
    change(reservation=reservation, now=now)
    return _stay(reservation, now)


def _door_backup(door: DoorBackup, now: datetime) -> dict:
    """One door's backup (a pulled backup shows its PIN), or why it has none."""
    given = door.backup is not None
    return {
        "device_id": str(door.lock.public_id),
        "display_name": door.lock.name,
        "backup_access_code": AccessCodeSerializer(door.backup, context={"now": now}).data
        if given
        else None,
        "error": None if given else {"message": door.problem},
    }


@endpoint(
    input=s.GiveBackupInput,
    summary="Give a reservation backup codes",
    answer=s.BackupsGivenAnswer,
)
def reservation_give_backup(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The guest cannot get in: a backup code from each door's pool, until the stay ends.

    Every door by default; with `every_door: false`, only the doors whose guest code is not
    healthy. Asking again gives the same backups. A door without one says why in `error`.
    """
    reservation = selectors.reservation_get(owner, params["reservation_id"])
    given = reservation_backups_give(
        reservation=reservation, now=now, every_door=params["every_door"]
    )
    return {**_stay(reservation, now), "doors": [_door_backup(door, now) for door in given]}


# --- where stays happen ------------------------------------------------------------------------


@endpoint(
    "GET",
    input=s.PropertyListInput,
    summary="List properties",
    answer=s.PropertiesAnswer,
    errors=(),
)
def property_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Every property (or those in `property_ids`), with its time zone, default check-in and
    check-out times and shared doors."""
    properties = lock_selectors.properties_with_doors(owner)
    if "property_ids" in params:
        properties = properties.filter(pk__in=params["property_ids"])
    return {"properties": s.PropertySerializer(properties, many=True).data}


@endpoint("GET", input=s.UnitListInput, summary="List units", answer=s.UnitsAnswer)
def unit_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Every unit (a room, a rental home), with its own doors; `unit_id` names it in a stay."""
    units = lock_selectors.units_with_doors(owner).order_by("property__name", "name")
    if "property_id" in params:
        units = units.filter(property=lock_selectors.property_get(owner, params["property_id"]))
    return {"units": s.UnitSerializer(units, many=True).data}
