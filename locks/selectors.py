"""Reads that the dashboard, the API and the tasks share. Every one is scoped to an owner."""

import uuid
import zoneinfo
from dataclasses import dataclass
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from locks.crypto import secret_hash
from locks.errors import NotFound
from locks.issue_codes import (
    ACCESS_CODE_NOT_FOUND,
    ACTION_ATTEMPT_NOT_FOUND,
    CONNECTED_ACCOUNT_NOT_FOUND,
    DEVICE_NOT_FOUND,
    EVENT_NOT_FOUND,
)
from locks.models import (
    AccessCode,
    ActionAttempt,
    ApiKey,
    DiscoveredDevice,
    DriverAccount,
    Event,
    Lock,
    Owner,
    Property,
    SimulatedDevice,
    Unit,
)


def properties_for(owner: Owner) -> QuerySet[Property]:
    return Property.objects.filter(owner=owner).prefetch_related("units")


class Place(NamedTuple):
    """A property's id, name and time zone, light: a `Property` costs some 15 µs to load
    (its eight fields, two of them times), which a list's hundred properties feel."""

    pk: int
    name: str
    time_zone: str

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


def places_for(owner: Owner) -> list[Place]:
    """The owner's properties by name, as `Place`s (what a filter and the time zones need)."""
    rows = (
        Property.objects.filter(owner=owner).order_by("name").values_list("pk", "name", "time_zone")
    )
    return [Place(*row) for row in rows]


def locks_for(owner: Owner) -> QuerySet[Lock]:
    """The owner's locks, with their live managed codes counted for at-a-glance pages."""
    live = Q(access_codes__removed_at__isnull=True, access_codes__is_managed=True)
    return (
        Lock.objects.filter(owner=owner)
        .select_related("owner", "property", "unit")
        .annotate(
            live_code_count=Count("access_codes", filter=live),
            codes_set_count=Count(
                "access_codes", filter=live & AccessCode.on_lock(prefix="access_codes__")
            ),
            codes_with_errors_count=Count(
                "access_codes", filter=live & ~Q(access_codes__errors=[])
            ),
            slots_used_count=Count("access_codes", filter=_holding_a_slot("access_codes__")),
        )
    )


def _holding_a_slot(prefix: str = "") -> Q:
    """Codes holding one of a lock's slots: managed ones on it (stored with their own schedule
    too) or still there while being removed, and those on it that nobody manages."""
    removing = Q(**{f"{prefix}status": AccessCode.Status.REMOVING})
    managed = AccessCode.on_lock(prefix=prefix) | removing
    return Q(**{f"{prefix}removed_at__isnull": True}) & (
        Q(**{f"{prefix}is_managed": False}) | (Q(**{f"{prefix}is_managed": True}) & managed)
    )


def locks_problems_first(owner: Owner) -> QuerySet[Lock]:
    """`locks_for`, the doors needing someone first: offline, with errors, with failing codes,
    with a low battery, then by name."""
    low = owner.low_battery_percent / 100
    return locks_for(owner).order_by(
        "online",
        Case(When(errors=[], then=Value(1)), default=Value(0)),
        F("codes_with_errors_count").desc(),
        Case(When(battery_level__lt=low, then=Value(0)), default=Value(1)),
        "name",
    )


@dataclass
class PropertyGlance:
    """One property's doors in numbers, for the Locks page's line per property."""

    locks: int = 0
    offline: int = 0
    low_battery: int = 0
    code_problems: int = 0

    @property
    def problems(self) -> int:
        return self.offline + self.low_battery + self.code_problems


def property_glances(owner: Owner) -> dict[int, PropertyGlance]:
    """Each property's counts in two queries, whatever the number of locks."""
    low = owner.low_battery_percent / 100
    rows = (
        Lock.objects.filter(owner=owner)
        .order_by()
        .values("property_id")
        .annotate(
            locks=Count("pk"),
            offline=Count("pk", filter=Q(online=False)),
            low_battery=Count("pk", filter=Q(battery_level__lt=low)),
        )
    )
    glances = {
        row["property_id"]: PropertyGlance(row["locks"], row["offline"], row["low_battery"])
        for row in rows
    }
    failing = (
        AccessCode.objects.filter(owner=owner, removed_at__isnull=True, is_managed=True)
        .exclude(errors=[])
        .order_by()
        .values("lock__property_id")
        .annotate(codes=Count("pk"))
    )
    for row in failing:
        glances.setdefault(row["lock__property_id"], PropertyGlance()).code_problems = row["codes"]
    return glances


def devices_for(owner: Owner) -> QuerySet[Lock]:
    """The owner's locks as the API lists them (no counts: they are not in Seam's device)."""
    return Lock.objects.filter(owner=owner).select_related("property", "unit")


def simulated_device_for(lock: Lock) -> SimulatedDevice | None:
    """The simulated hardware behind a lock, or None for a real one."""
    if lock.driver != "simulated":
        return None
    return SimulatedDevice.objects.filter(owner=lock.owner, device_id=lock.device_id).first()


def api_keys_for(owner: Owner) -> QuerySet[ApiKey]:
    return ApiKey.objects.filter(owner=owner).select_related("created_by")


def lock_get(owner: Owner, lock_id) -> Lock:
    try:
        return Lock.objects.select_related("owner", "property", "unit").get(owner=owner, pk=lock_id)
    except (Lock.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such lock.", type=DEVICE_NOT_FOUND) from None


def lock_get_by_device_id(
    owner: Owner, device_id: str, *, related: tuple[str, ...] = ("owner", "property", "unit")
) -> Lock:
    """The API's `device_id` is the door's `public_id`, stable across device replacements.

    `related=()` reads the lock's own row only, for a caller that needs no more of it."""
    try:
        return Lock.objects.select_related(*related).get(owner=owner, public_id=device_id)
    except (Lock.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("No device with that device_id.", type=DEVICE_NOT_FOUND) from None


def locks_by_device_ids(owner: Owner, device_ids: list[str]) -> list[Lock]:
    """The owner's locks of these `device_id`s, in that order (once each), in one query; the
    first unknown one (another owner's too) answers 404."""
    wanted = []
    for device_id in device_ids:
        try:
            wanted.append(uuid.UUID(str(device_id)))
        except ValueError:
            raise NotFound(
                f"No device with device_id {device_id}.", type=DEVICE_NOT_FOUND
            ) from None
    locks = Lock.objects.filter(owner=owner, public_id__in=wanted)
    found = {lock.public_id: lock for lock in locks}
    for device_id in wanted:
        if device_id not in found:
            raise NotFound(f"No device with device_id {device_id}.", type=DEVICE_NOT_FOUND)
    return list({device_id: found[device_id] for device_id in wanted}.values())


def access_codes_for(owner: Owner) -> QuerySet[AccessCode]:
    return AccessCode.objects.filter(owner=owner).select_related("lock")


def access_codes_on_device(owner: Owner, device_id: str) -> QuerySet[AccessCode]:
    """The owner's codes on the lock whose `public_id` is `device_id`, in one query with no
    read of the lock first: of the lock, only its `public_id` is read with each code, as
    `lock_public_id` (no lock object is built per code; the API's answers read it). An
    empty answer does not tell an unknown device from one without codes; a caller that must
    tell them apart asks `lock_get_by_device_id` then."""
    try:
        device_id = uuid.UUID(str(device_id))
    except ValueError:
        raise NotFound("No device with that device_id.", type=DEVICE_NOT_FOUND) from None
    return AccessCode.objects.filter(
        owner=owner, lock__owner=owner, lock__public_id=device_id
    ).annotate(lock_public_id=F("lock__public_id"))


def live_codes_for_lock(lock: Lock, *, managed: bool = True) -> QuerySet[AccessCode]:
    return AccessCode.objects.filter(lock=lock, removed_at__isnull=True, is_managed=managed)


def codes_listed(lock: Lock) -> QuerySet[AccessCode]:
    """The lock page's codes (its backups aside): those with a problem first, then by start
    (codes with no end first), for a page at a time."""
    return (
        live_codes_for_lock(lock)
        .exclude(kind=AccessCode.Kind.BACKUP)
        .order_by(
            Case(When(~Q(errors=[]), then=Value(0)), default=Value(1)),
            F("starts_at").asc(nulls_first=True),
            "name",
            "pk",
        )
    )


def codes_between(start, end) -> Q:
    """Codes whose window meets [start, end), and those with no window."""
    return Q(type=AccessCode.Type.ONGOING) | Q(ends_at__gt=start, starts_at__lt=end)


def slots_used(lock: Lock) -> int:
    """The lock's slots in use, as the Locks list counts them too (`locks_for`): its managed
    codes on it or being removed, and the codes on it nobody manages."""
    return AccessCode.objects.filter(_holding_a_slot(), lock=lock).count()


def access_code_get(owner: Owner, access_code_id) -> AccessCode:
    try:
        code = AccessCode.objects.select_related("lock").get(owner=owner, pk=access_code_id)
    except (AccessCode.DoesNotExist, ValidationError, ValueError, TypeError):
        # A malformed id is as unknown as a missing one.
        raise NotFound("No access code with that id.", type=ACCESS_CODE_NOT_FOUND) from None
    # The code's owner, and its lock's, is `owner` (the row the caller read): not read again.
    code.owner = owner
    if code.lock.owner_id == owner.pk:
        code.lock.owner = owner
    return code


def events_for(owner: Owner) -> QuerySet[Event]:
    return Event.objects.filter(owner=owner).select_related("lock", "access_code")


def event_get(owner: Owner, event_id) -> Event:
    try:
        return events_for(owner).get(pk=event_id)
    except (Event.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("No event with that event_id.", type=EVENT_NOT_FOUND) from None


def action_attempts_for(owner: Owner) -> QuerySet[ActionAttempt]:
    return ActionAttempt.objects.filter(owner=owner).select_related("access_code__lock")


def linked_access_codes(owner: Owner, common_code_key: str) -> list[AccessCode]:
    """The live managed codes of one `common_code_key` (none for an empty key)."""
    if not common_code_key:
        return []
    return list(
        access_codes_for(owner)
        .filter(
            common_code_key=common_code_key,
            is_managed=True,
            deleted_at__isnull=True,
            removed_at__isnull=True,
        )
        .order_by("created_at", "pk")
    )


def lock_events(lock: Lock, limit: int = 50) -> list[Event]:
    return list(
        Event.objects.filter(lock=lock)
        .select_related("access_code")
        .order_by("-occurred_at")[:limit]
    )


def action_attempt_get(owner: Owner, action_attempt_id) -> ActionAttempt:
    try:
        return ActionAttempt.objects.get(owner=owner, pk=action_attempt_id)
    except (ActionAttempt.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("No action attempt with that id.", type=ACTION_ATTEMPT_NOT_FOUND) from None


def api_access_code_get(owner: Owner, access_code_id) -> AccessCode:
    """A managed code the API still shows: removed codes are forgotten, as Seam does."""
    code = access_code_get(owner, access_code_id)
    if not code.is_managed or code.removed_at is not None:
        raise NotFound("No access code with that id.", type=ACCESS_CODE_NOT_FOUND)
    return code


def api_access_code_read(owner: Owner, access_code_id) -> AccessCode:
    """`api_access_code_get` for an answer only: of the lock, its `public_id` is read with
    the code, as `lock_public_id`, and no lock object is built (a caller that changes the
    code, or reads more of its lock, takes `api_access_code_get`)."""
    try:
        code = AccessCode.objects.annotate(lock_public_id=F("lock__public_id")).get(
            owner=owner, pk=access_code_id
        )
    except (AccessCode.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("No access code with that id.", type=ACCESS_CODE_NOT_FOUND) from None
    if not code.is_managed or code.removed_at is not None:
        raise NotFound("No access code with that id.", type=ACCESS_CODE_NOT_FOUND)
    code.owner = owner
    return code


def access_code_get_by_pin(lock: Lock, code: str) -> AccessCode:
    # A backup nobody has been given is not found by its PIN: the answer would confirm it.
    hidden = Q(kind=AccessCode.Kind.BACKUP, pulled_at__isnull=True)
    live = live_codes_for_lock(lock).select_related("lock").exclude(hidden)
    found = live.filter(code_hash=secret_hash(code)).first()
    if found is None:
        raise NotFound("No access code with that PIN on that device.", type=ACCESS_CODE_NOT_FOUND)
    return found


def lock_get_by_name(owner: Owner, name: str) -> Lock:
    found = (
        Lock.objects.select_related("owner", "property", "unit")
        .filter(owner=owner, name=name)
        .first()
    )
    if found is None:
        raise NotFound("No device with that name.", type=DEVICE_NOT_FOUND)
    return found


def driver_accounts_for(owner: Owner) -> QuerySet[DriverAccount]:
    return DriverAccount.objects.filter(owner=owner)


def driver_account_get(owner: Owner, account_id) -> DriverAccount:
    try:
        return DriverAccount.objects.get(owner=owner, pk=account_id)
    except (DriverAccount.DoesNotExist, ValidationError, ValueError, TypeError, OverflowError):
        # Seam's type: the API shows these accounts as connected accounts.
        raise NotFound("No such account.", type=CONNECTED_ACCOUNT_NOT_FOUND) from None


def discovered_devices_for(owner: Owner, *statuses: str) -> QuerySet[DiscoveredDevice]:
    return DiscoveredDevice.objects.filter(
        account__owner=owner, status__in=statuses
    ).select_related("account")


def devices_in_use_for(owner: Owner) -> QuerySet[DiscoveredDevice]:
    """The devices that are doors, those needing someone first: offline, then the lowest battery."""
    return discovered_devices_for(owner, DiscoveredDevice.Status.REGISTERED).order_by(
        "online", F("battery_level").asc(nulls_last=True), "name", "pk"
    )


def doors_of_devices(owner: Owner, found: list[DiscoveredDevice]) -> dict[tuple[str, str], Lock]:
    """The door behind each of `found`, by (driver, device id), in one query."""
    locks = devices_for(owner).filter(device_id__in={device.device_id for device in found})
    return {(lock.driver, lock.device_id): lock for lock in locks}


def silent_locks_for(owner: Owner) -> list[Lock]:
    """The locks a new device may replace: offline, or with an error (a removed device is one);
    as many as the problems, not as the estate."""
    return list(devices_for(owner).filter(Q(online=False) | ~Q(errors=[])))


def driver_accounts_counted(owner: Owner) -> QuerySet[DriverAccount]:
    """`driver_accounts_for`, each with `driver_lock_count`: the owner's locks of its driver."""
    same_driver = (
        Lock.objects.filter(owner=owner, driver=OuterRef("driver"))
        .order_by()
        .values("driver")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return driver_accounts_for(owner).annotate(driver_lock_count=Coalesce(Subquery(same_driver), 0))


def discovered_device_get(owner: Owner, device_pk) -> DiscoveredDevice:
    try:
        return DiscoveredDevice.objects.select_related("account", "account__owner").get(
            account__owner=owner, pk=device_pk
        )
    except (DiscoveredDevice.DoesNotExist, ValueError, TypeError):
        raise NotFound("No such device.", type=DEVICE_NOT_FOUND) from None


# --- properties and units ------------------------------------------------------------------------


def property_get(owner: Owner, property_id) -> Property:
    try:
        return Property.objects.get(owner=owner, pk=property_id)
    except (Property.DoesNotExist, ValueError, TypeError):
        raise NotFound("No property with that id.", type="property_not_found") from None


def properties_with_doors(owner: Owner) -> QuerySet[Property]:
    """The owner's properties, each with its shared doors (`shared_doors`)."""
    shared = Lock.objects.filter(unit__isnull=True).order_by("name")
    return Property.objects.filter(owner=owner).prefetch_related(
        Prefetch("locks", queryset=shared, to_attr="shared_doors")
    )


def units_for(owner: Owner) -> QuerySet[Unit]:
    return (
        Unit.objects.filter(property__owner=owner)
        .select_related("property")
        .order_by("property__name", "name")
    )


def units_with_doors(owner: Owner) -> QuerySet[Unit]:
    """The owner's units, each with its own doors (`doors`)."""
    doors = Lock.objects.order_by("name")
    return units_for(owner).prefetch_related(Prefetch("locks", queryset=doors, to_attr="doors"))


def unit_get(owner: Owner, unit_id) -> Unit:
    try:
        return units_for(owner).get(pk=unit_id)
    except (Unit.DoesNotExist, ValueError, TypeError):
        raise NotFound("No unit with that id.", type="unit_not_found") from None
