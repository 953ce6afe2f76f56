"""Devices over their lifetime: driver accounts, discovery, the new-device inbox, replacement.

A factory-reset lock usually comes back as a brand-new device while the old one looks offline.
Discovery puts the new device in the owner's inbox; a person says whether it is a new lock or
replaces one. Replacing keeps the lock (its name, place, stays, codes, backup pool and history)
and points it at the new device; the reconciler then programs every code the door should have,
because the new device is empty. Nothing is replaced without a person's confirmation.
"""

from datetime import datetime, timedelta
from operator import itemgetter

from django.db import transaction
from django.db.models import Q

from locks import outbound
from locks.drivers import DriverError, get_driver
from locks.errors import ServiceError
from locks.issue_codes import (
    ACCOUNT_DISCONNECTED,
    DELAY_IN_SETTING_ON_DEVICE,
    DEVICE_DISCONNECTED,
    DEVICE_NOT_FOUND,
    DEVICE_REMOVED,
    PROVIDER_ISSUE,
)
from locks.models import AccessCode, DiscoveredDevice, DriverAccount, Lock, Owner, Property, Unit
from locks.records import (
    event_record,
    lock_apply_device_info,
    lock_device_missing,
)
from locks.scheduler import lock_check_now
from locks.services import lock_register

Status = DiscoveredDevice.Status


def account_discover(*, account: DriverAccount, now: datetime) -> list[DiscoveredDevice]:
    """Ask the account which devices it sees now; new ones land in the inbox."""
    driver = get_driver(account.driver, now=now, **account.credentials)
    try:
        infos = driver.discover(account.account_ref)
    except DriverError as exc:
        account.add_error(ACCOUNT_DISCONNECTED, exc.message, now)
        _discovered(account, now)
        return []
    account.clear_errors(ACCOUNT_DISCONNECTED)
    registered = set(
        Lock.objects.filter(owner=account.owner, driver=account.driver).values_list(
            "device_id", flat=True
        )
    )
    known = {d.device_id: d for d in account.devices.all()}
    seen = []
    for info in infos:
        device = known.get(info.device_id) or DiscoveredDevice(
            account=account, device_id=info.device_id, first_seen_at=now
        )
        device.name = info.name
        device.model_name = info.model_name
        device.capabilities = list(info.capabilities)
        device.online = info.online
        device.battery_level = info.battery_level
        device.last_seen_at = now
        if info.device_id in registered:
            device.status = Status.REGISTERED
        elif device.status == Status.GONE or device.pk is None:
            device.status = Status.NEW
        device.save()
        seen.append(device)
    seen_ids = {d.device_id for d in seen}
    gone = account.devices.exclude(device_id__in=seen_ids).exclude(
        status__in=[Status.RETIRED, Status.GONE]
    )
    for device in gone:
        if device.status == Status.REGISTERED:
            lock = Lock.objects.filter(owner=account.owner, device_id=device.device_id).first()
            if lock is not None:
                _removed(lock, now)
        device.status = Status.GONE
        device.save(update_fields=["status"])
    # A lock registered before discovery ever saw its device vanishes just the same.
    unseen = Lock.objects.filter(account=account).exclude(device_id__in=seen_ids | set(known))
    for lock in unseen:
        DiscoveredDevice.objects.create(
            account=account,
            device_id=lock.device_id,
            name=lock.name,
            model_name=lock.model_name,
            online=False,
            status=Status.GONE,
            first_seen_at=now,
            last_seen_at=lock.last_read_at or now,
        )
        _removed(lock, now)
    _discovered(account, now)
    return seen


def _removed(lock: Lock, now: datetime) -> None:
    lock_device_missing(lock=lock, now=now)


def _discovered(account: DriverAccount, now: datetime) -> None:
    account.last_discovered_at = now
    account.next_discovery_at = now + timedelta(minutes=account.discovery_minutes)
    account.save(update_fields=["last_discovered_at", "next_discovery_at", "errors", "warnings"])


def seam_account_connect(
    *, owner: Owner, name: str, api_key: str, endpoint: str, now: datetime
) -> DriverAccount:
    """Connect a Seam workspace: save its key (never shown again) once Seam accepts it, then
    look for its devices, which land in the inbox."""
    if DriverAccount.objects.filter(owner=owner, driver="seam", account_ref=name).exists():
        raise ServiceError("A Seam workspace by that name is already connected.", field="name")
    if endpoint:
        try:  # before the key is sent anywhere
            outbound.url_check(endpoint)
        except outbound.OutboundRefused as exc:
            raise ServiceError(exc.message, field="endpoint") from None
    credentials = {"api_key": api_key, **({"endpoint": endpoint} if endpoint else {})}
    try:
        get_driver("seam", now=now, **credentials).discover(name)
    except DriverError as exc:
        raise ServiceError(f"Seam did not accept it: {exc.message}", field="api_key") from exc
    account = DriverAccount.objects.create(
        owner=owner, driver="seam", name=name, account_ref=name, credentials=credentials
    )
    account_discover(account=account, now=now)
    return account


def zwave_account_connect(*, owner: Owner, name: str, url: str, now: datetime) -> DriverAccount:
    """Connect a Z-Wave JS Server by its websocket address, once it answers, then look for its
    locks, which land in the inbox. The network's home id names the account, so one network is
    connected once, whatever address reaches it."""
    credentials = {"url": url}
    driver = get_driver("zwave_js", now=now, **credentials)
    try:
        home_id = driver.home_id()
    except DriverError as exc:
        raise ServiceError(f"Z-Wave JS did not answer: {exc.message}", field="url") from exc
    ref = str(home_id)
    if DriverAccount.objects.filter(owner=owner, driver="zwave_js", account_ref=ref).exists():
        raise ServiceError("This Z-Wave network is already connected.", field="url")
    account = DriverAccount.objects.create(
        owner=owner, driver="zwave_js", name=name, account_ref=ref, credentials=credentials
    )
    account_discover(account=account, now=now)
    return account


def accounts_discover_due(*, now: datetime) -> int:
    """Discover every account whose time has come (the discovery schedule, every few minutes)."""
    due = DriverAccount.objects.filter(
        Q(next_discovery_at__isnull=True) | Q(next_discovery_at__lte=now)
    )
    count = 0
    for account in due.select_related("owner"):
        account_discover(account=account, now=now)
        count += 1
    return count


def inbox(owner: Owner) -> list[DiscoveredDevice]:
    return list(
        DiscoveredDevice.objects.filter(account__owner=owner, status=Status.NEW).select_related(
            "account"
        )
    )


def replacement_suggestions(device: DiscoveredDevice) -> list[Lock]:
    """The locks this device most likely replaces: same account and kind, and not answering."""
    silent = Q(online=False) | ~Q(errors=[])  # a removed device is an error
    candidates = (
        Lock.objects.filter(owner=device.account.owner, driver=device.account.driver)
        .filter(silent)
        .select_related("property", "unit")
    )
    return rank_replacements(device, candidates)


def rank_replacements(device: DiscoveredDevice, locks) -> list[Lock]:
    """Of `locks`, those that went silent, the same model first, then the most recently heard."""
    owner_id, driver = device.account.owner_id, device.account.driver
    ranked = []
    for lock in locks:
        if lock.owner_id != owner_id or lock.driver != driver or not _silent(lock):
            continue
        last_heard = lock.last_read_at or device.first_seen_at
        ranked.append((lock.model_name != device.model_name, -last_heard.timestamp(), lock))
    return [lock for *_, lock in sorted(ranked, key=itemgetter(0, 1))]


def likely_replacements(devices: list[DiscoveredDevice], locks) -> dict[int, object]:
    """Each device's first of `rank_replacements(device, locks)`, by the device's id (a device
    with none is left out). `locks` are walked once, for the silent ones (a few of an estate's
    doors), which each device then ranks. Of a lock it reads owner_id, driver, online,
    has_error, last_read_at and model_name only, so the alerts' light rows of locks will do."""
    silent = [lock for lock in locks if _silent(lock)]
    found = {}
    for device in devices:
        ranked = rank_replacements(device, silent)
        if ranked:
            found[device.pk] = ranked[0]
    return found


def _silent(lock) -> bool:
    """It does not answer: a replacement may stand in for it."""
    return not lock.online or lock.has_error(DEVICE_REMOVED)


def _device(owner: Owner, device: DiscoveredDevice) -> DiscoveredDevice:
    if device.account.owner_id != owner.pk:
        raise ServiceError("No such device.", type=DEVICE_NOT_FOUND, status=404)
    if device.status != Status.NEW:
        raise ServiceError(
            f"This device is already {device.get_status_display().lower()}; nothing to decide."
        )
    return device


def device_register(
    *,
    owner: Owner,
    device: DiscoveredDevice,
    property: Property,
    now: datetime,
    name: str = "",
    unit: Unit | None = None,
    location: str = "",
) -> Lock:
    """The inbox's "It is a new lock": register the device as a door of a property."""
    device = _device(owner, device)
    if not device.takes_codes:
        raise ServiceError(
            f"“{device.name}” cannot hold access codes (it has no keypad), so it cannot be a "
            "door here."
        )
    with transaction.atomic():
        lock = lock_register(
            owner=owner,
            property=property,
            unit=unit,
            name=name or device.name,
            location=location,
            driver=device.account.driver,
            device_id=device.device_id,
            now=now,
            account=device.account,
        )
        device.status = Status.REGISTERED
        device.save(update_fields=["status"])
    return lock


def device_ignore(*, owner: Owner, device: DiscoveredDevice, now: datetime) -> None:
    device = _device(owner, device)
    device.status = Status.IGNORED
    device.save(update_fields=["status"])


def device_unignore(*, owner: Owner, device: DiscoveredDevice, now: datetime) -> None:
    if device.account.owner_id != owner.pk:
        raise ServiceError("No such device.", type=DEVICE_NOT_FOUND, status=404)
    if device.status == Status.IGNORED:
        device.status = Status.NEW
        device.save(update_fields=["status"])


def lock_replace_device(
    *, owner: Owner, lock: Lock, device: DiscoveredDevice, now: datetime
) -> Lock:
    """The inbox's "It replaces this lock": the door keeps everything, on the new device."""
    device = _device(owner, device)
    if lock.owner_id != owner.pk or lock.driver != device.account.driver:
        raise ServiceError("That lock cannot be replaced by this device.", field="lock")
    if not device.takes_codes:
        raise ServiceError(f"“{device.name}” cannot hold access codes (it has no keypad).")
    info = get_driver(lock.driver, now=now, **device.account.credentials).read_device(
        device.device_id
    )
    with transaction.atomic():
        old_device_id = lock.device_id
        lock = Lock.objects.select_for_update().get(pk=lock.pk)
        lock.device_id = device.device_id
        lock.account = device.account
        lock_apply_device_info(lock=lock, info=info, now=now)
        lock.clear_errors(DEVICE_DISCONNECTED, DEVICE_REMOVED, PROVIDER_ISSUE)
        lock.last_error = ""
        lock.consecutive_failures = 0
        lock.save()
        _codes_start_over(lock, now)
        DiscoveredDevice.objects.filter(
            account__owner=owner, device_id=old_device_id, account__driver=lock.driver
        ).update(status=Status.RETIRED)
        device.status = Status.REGISTERED
        device.save(update_fields=["status"])
        event_record(
            owner=owner,
            event_type="device.replaced",
            now=now,
            lock=lock,
            message=f"The lock now uses “{device.name}”; its codes are being programmed on it.",
            old_device_id=old_device_id,
            new_device_id=device.device_id,
        )
        lock_check_now(lock=lock, now=now)
    return lock


def _codes_start_over(lock: Lock, now: datetime) -> None:
    """The new device is empty: every code the door should have is to be programmed again."""
    live = AccessCode.objects.filter(lock=lock, removed_at__isnull=True)
    live.filter(Q(is_managed=False) | Q(deleted_at__isnull=False)).update(
        status=AccessCode.Status.REMOVED, removed_at=now
    )
    for code in live.filter(is_managed=True, deleted_at__isnull=True):
        code.status = AccessCode.Status.UNSET
        code.device_ref = code.stale_device_ref = ""
        code.is_scheduled_on_device = False
        code.out_of_sync_since = None
        code.attempts = 0
        code.next_attempt_at = None
        code.errors = []
        code.clear_warnings(DELAY_IN_SETTING_ON_DEVICE)
        code.save()
