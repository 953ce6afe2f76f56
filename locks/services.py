"""Every write to properties, units and locks. Keyword-only functions named <thing>_<verb>.

Access codes, the simulator, codes found on a lock and tenancy have modules of their own.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from locks import hooks
from locks.drivers import DRIVERS, DriverError, get_driver
from locks.errors import ServiceError, saved_clean
from locks.models import DriverAccount, Lock, Owner, Property, Unit
from locks.photos import photo_assign, photo_discard
from locks.records import event_record, lock_apply_device_info


def property_create(*, owner: Owner, name: str, arrival_photo=None, **fields) -> Property:
    prop = Property(owner=owner, name=name, **fields)
    photo_assign(prop, arrival_photo)
    prop.full_clean()
    prop.save()
    return prop


def unit_create(*, property: Property, name: str) -> Unit:
    unit = Unit(property=property, name=name)
    unit.full_clean()
    unit.save()
    return unit


def lock_register(
    *,
    owner: Owner,
    property: Property,
    driver: str,
    device_id: str,
    now: datetime,
    name: str = "",
    unit: Unit | None = None,
    location: str = "",
    account: DriverAccount | None = None,
) -> Lock:
    """Take a device under management: read what it reports, then let the reconciler in."""
    if property.owner_id != owner.pk or (unit is not None and unit.property_id != property.pk):
        raise ServiceError("That property or unit is not yours.", field="property")
    if driver not in DRIVERS:
        raise ServiceError(f"Unknown lock driver “{driver}”.", field="driver")
    if Lock.objects.filter(owner=owner, driver=driver, device_id=device_id).exists():
        raise ServiceError("That device is already registered as a lock.", field="device_id")
    try:
        credentials = account.credentials if account else {}
        info = get_driver(driver, now=now, **credentials).read_device(device_id)
    except DriverError as exc:
        raise ServiceError(f"Could not reach the device: {exc.message}", field="device_id") from exc
    lock = Lock(
        owner=owner,
        property=property,
        unit=unit,
        name=name or info.name,
        location=location,
        driver=driver,
        account=account,
        device_id=device_id,
        next_check_at=now,
        backup_pool_enabled=owner.backup_pool_on_new_locks,
    )
    lock_apply_device_info(lock=lock, info=info, now=now)
    lock.full_clean()
    lock.save()
    event_record(owner=owner, event_type="device.added", now=now, lock=lock)
    hooks.doors_changed_run(lock=lock, now=now)
    return lock


def lock_update(
    *,
    lock: Lock,
    name: str,
    location: str,
    unit: Unit | None,
    now: datetime,
    arrival_instructions: str | None = None,
    arrival_photo=None,
) -> Lock:
    """Rename or move a door; its arrival instructions and photo (`locks.photos.photo_assign`)
    change when given."""
    if unit is not None and unit.property_id != lock.property_id:
        raise ServiceError("That unit belongs to another property.", field="unit")
    old_unit_id = lock.unit_id
    lock.name, lock.location, lock.unit = name, location, unit
    fields = ["name", "location", "unit"]
    if arrival_instructions is not None:
        lock.arrival_instructions = arrival_instructions.strip()
        fields.append("arrival_instructions")
    replaced = photo_assign(lock, arrival_photo)
    if arrival_photo is not None:
        fields.append("arrival_photo")
    try:
        lock.full_clean()
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        raise ServiceError(problems[0], field=None if field == "__all__" else field) from None
    with transaction.atomic():
        lock.save(update_fields=fields)
        photo_discard(lock, replaced)
        if old_unit_id != lock.unit_id:
            # The guests of the old room lose this door; those of the new one gain it.
            hooks.doors_changed_run(lock=lock, now=now, old_unit_id=old_unit_id)
    return lock


# In the order the property form shows them.
PROPERTY_FIELDS = (
    "name",
    "address",
    "time_zone",
    "country",
    "default_check_in",
    "default_check_out",
    "arrival_instructions",
    "arrival_photo",
)


def property_update(*, property: Property, **fields) -> Property:
    unknown = set(fields) - set(PROPERTY_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    replaced = photo_assign(property, fields.pop("arrival_photo", None))
    for field, value in fields.items():
        setattr(property, field, value.strip() if isinstance(value, str) else value)
    property.country = property.country.upper()
    with transaction.atomic():
        saved_clean(property)
        photo_discard(property, replaced)
    return property


def unit_save(*, property: Property, name: str, unit: Unit | None = None) -> Unit:
    """Add a unit to `property`, or rename `unit`; names are unique within a property."""
    name = name.strip()
    clash = Unit.objects.filter(property=property, name__iexact=name)
    if unit is not None:
        clash = clash.exclude(pk=unit.pk)
    if clash.exists():
        raise ServiceError(f"{property.name} already has a unit called “{name}”.", field="name")
    unit = unit or Unit(property=property)
    unit.name = name
    saved_clean(unit)
    return unit
