"""Every write to owners, locks and access codes. Keyword-only functions named <thing>_<verb>.

Services change the *desired* state and tell the scheduler; they never talk to a lock
themselves (the reconciler does, per lock, in a task).
"""

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Least

from locks import pins
from locks.drivers import DRIVERS, DriverError, get_driver
from locks.errors import ServiceError
from locks.models import (
    AccessCode,
    ActionAttempt,
    ApiKey,
    DriverAccount,
    Event,
    Lock,
    Membership,
    Owner,
    Property,
    RetiredPin,
    SimulatedCode,
    SimulatedDevice,
    Unit,
    hash_api_key,
)

# --- people ---------------------------------------------------------------------------------


def owner_create(*, slug: str, name: str) -> Owner:
    owner = Owner(slug=slug, name=name)
    owner.full_clean()
    owner.save()
    return owner


def membership_grant(*, owner: Owner, user, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        owner=owner, user=user, defaults={"role": role}
    )
    return membership


def api_key_create(*, owner: Owner, name: str, created_by=None) -> tuple[ApiKey, str]:
    """A new API key; the secret is returned once and only its hash is kept."""
    if not name.strip():
        raise ServiceError("Give the key a name, e.g. the software that will use it.", field="name")
    secret = ApiKey.generate_secret()
    key = ApiKey.objects.create(
        owner=owner,
        name=name.strip()[:100],
        key_hash=hash_api_key(secret),
        hint=secret[:12],
        created_by=created_by,
    )
    return key, secret


def api_key_revoke(*, api_key: ApiKey, now: datetime) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)


# --- properties and locks ---------------------------------------------------------------------


def property_create(*, owner: Owner, name: str, **fields) -> Property:
    prop = Property(owner=owner, name=name, **fields)
    prop.full_clean()
    prop.save()
    return prop


def unit_create(*, property: Property, name: str) -> Unit:
    unit = Unit(property=property, name=name)
    unit.full_clean()
    unit.save()
    return unit


def event_record(
    *,
    owner: Owner,
    event_type: str,
    now: datetime,
    lock: Lock | None = None,
    access_code: AccessCode | None = None,
    reservation=None,
    message: str = "",
    **data,
) -> Event:
    return Event.objects.create(
        owner=owner,
        event_type=event_type,
        lock=lock,
        access_code=access_code,
        reservation_id=reservation.pk
        if reservation
        else getattr(access_code, "reservation_id", None),
        occurred_at=now,
        message=message[:500],
        data=data,
    )


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
    _guest_codes_resync(lock=lock, now=now)
    return lock


def lock_apply_device_info(*, lock: Lock, info, now: datetime) -> None:
    lock.model_name = info.model_name
    lock.online = info.online
    lock.battery_level = info.battery_level
    lock.supported_code_lengths = info.supported_code_lengths
    lock.code_constraints = info.code_constraints
    lock.max_active_codes = info.max_active_codes
    lock.supports_native_scheduling = info.supports_native_scheduling
    lock.last_read_at = now


def lock_update(*, lock: Lock, name: str, location: str, unit: Unit | None, now: datetime) -> Lock:
    if unit is not None and unit.property_id != lock.property_id:
        raise ServiceError("That unit belongs to another property.", field="unit")
    old_unit_id = lock.unit_id
    lock.name, lock.location, lock.unit = name, location, unit
    lock.full_clean()
    with transaction.atomic():
        lock.save(update_fields=["name", "location", "unit"])
        if old_unit_id != lock.unit_id:
            # The guests of the old room lose this door; those of the new one gain it.
            _guest_codes_resync(lock=lock, now=now, old_unit_id=old_unit_id)
    return lock


def _guest_codes_resync(*, lock: Lock, now: datetime, old_unit_id: int | None = None) -> None:
    # Imported here: reservations are built on locks, not the other way round.
    from reservations.services import guest_codes_resync

    guest_codes_resync(lock=lock, now=now, old_unit_id=old_unit_id)


def lock_check_soon(*, lock: Lock, at: datetime) -> None:
    """Make sure the scheduler looks at this lock no later than `at`."""
    Lock.objects.filter(pk=lock.pk).update(
        next_check_at=Least(F("next_check_at"), at) if lock.next_check_at else at,
        desired_version=F("desired_version") + 1,
    )
    if lock.next_check_at is None or at < lock.next_check_at:
        lock.next_check_at = at


def lock_check_now(*, lock: Lock, now: datetime) -> None:
    """Ask for a reconcile right away: due now, and queued once the transaction commits."""
    from locks import scheduler

    lock_check_soon(lock=lock, at=now)
    transaction.on_commit(lambda: scheduler.enqueue_lock(lock_id=lock.pk, now=now))


# --- the simulated lock's hardware --------------------------------------------------------------

SIMULATED_MODELS = {
    "keypad": {
        "model_name": "Simulated keypad deadbolt",
        "supported_code_lengths": [4, 5, 6, 7, 8],
        "code_constraints": ["no_all_same_digits"],
        "max_active_codes": 20,
        "supports_native_scheduling": False,
    },
    "scheduling": {
        "model_name": "Simulated smart lock with native schedules",
        "supported_code_lengths": [4, 6],
        "code_constraints": ["no_all_same_digits", "no_ascending_or_descending_sequence"],
        "max_active_codes": 50,
        "supports_native_scheduling": True,
    },
    "strict": {
        "model_name": "Simulated 6-slot lever lock",
        "supported_code_lengths": [6],
        "code_constraints": [
            "no_zeros",
            "cannot_start_with_12",
            "no_triple_consecutive_ints",
            "at_least_three_unique_digits",
        ],
        "max_active_codes": 6,
        "supports_native_scheduling": False,
    },
}


def simulated_device_create(
    *, owner: Owner, name: str, model: str = "keypad", **overrides
) -> SimulatedDevice:
    if model not in SIMULATED_MODELS:
        raise ServiceError(f"Unknown simulated lock model “{model}”.", field="model")
    return SimulatedDevice.objects.create(
        owner=owner, name=name, **{**SIMULATED_MODELS[model], **overrides}
    )


def simulated_lock_create(
    *,
    owner: Owner,
    property: Property,
    name: str,
    now: datetime,
    model: str = "keypad",
    unit: Unit | None = None,
    location: str = "",
    **overrides,
) -> Lock:
    """A new simulated device, registered as a lock in one step (the demo's and tests' way)."""
    with transaction.atomic():
        device = simulated_device_create(owner=owner, name=name, model=model, **overrides)
        return lock_register(
            owner=owner,
            property=property,
            unit=unit,
            name=name,
            location=location,
            driver="simulated",
            device_id=device.device_id,
            now=now,
            account=simulated_hub(owner),
        )


def simulated_hub(owner: Owner) -> DriverAccount:
    """The owner's simulated hub: where discovery finds its simulated devices."""
    account, _ = DriverAccount.objects.get_or_create(
        owner=owner, driver="simulated", account_ref=owner.slug, defaults={"name": "Simulated hub"}
    )
    return account


def _simulated_device(lock: Lock) -> SimulatedDevice:
    if lock.driver != "simulated":
        raise ServiceError("This lock is not simulated; only simulated locks can be told that.")
    try:
        return SimulatedDevice.objects.get(device_id=lock.device_id, owner=lock.owner)
    except SimulatedDevice.DoesNotExist:
        raise ServiceError("The simulated device behind this lock is gone.") from None


def simulated_set_online(*, lock: Lock, online: bool, now: datetime) -> None:
    device = _simulated_device(lock)
    device.online = online
    device.save(update_fields=["online"])
    lock_check_now(lock=lock, now=now)


def simulated_refuse_writes(*, lock: Lock, until: datetime | None, now: datetime) -> None:
    device = _simulated_device(lock)
    device.refuse_writes_until = until
    device.save(update_fields=["refuse_writes_until"])


def simulated_remove_code(*, lock: Lock, code: str, now: datetime) -> bool:
    """As if someone deleted the PIN at the keypad; the reconciler notices on its next read."""
    deleted, _ = SimulatedCode.objects.filter(device=_simulated_device(lock), code=code).delete()
    return bool(deleted)


def simulated_add_unmanaged_code(*, lock: Lock, code: str, name: str, now: datetime) -> None:
    """As if someone added a PIN at the keypad or in the vendor's app."""
    device = _simulated_device(lock)
    problems = pins.pin_violations(code, device.supported_code_lengths, device.code_constraints)
    if problems:
        raise ServiceError("The lock rejects that PIN: " + "; ".join(problems) + ".", field="code")
    if device.codes.filter(code=code).exists():
        raise ServiceError(
            "That PIN is already on the lock.",
            type="duplicate_access_code",
            status=409,
            field="code",
        )
    used = set(device.codes.values_list("slot", flat=True))
    free = [n for n in range(1, device.max_active_codes + 1) if n not in used]
    if not free:
        raise ServiceError("The lock has no free code slot.", field="code")
    SimulatedCode.objects.create(device=device, slot=free[0], code=code, name=name[:32])
    lock_check_now(lock=lock, now=now)


def simulated_factory_reset(
    *, lock: Lock, now: datetime, keep_device_id: bool = False
) -> SimulatedDevice:
    """Wipe the device; like most real locks, it comes back under a brand-new device id.

    With `keep_device_id`, it is one of the locks that keep their id: only the codes go.
    """
    old = _simulated_device(lock)
    if keep_device_id:
        old.codes.all().delete()
        lock_check_now(lock=lock, now=now)
        return old
    with transaction.atomic():
        old.codes.all().delete()
        old.wiped = True
        old.online = False
        old.save(update_fields=["wiped", "online"])
        new = SimulatedDevice.objects.create(
            owner=old.owner,
            name=old.name,
            model_name=old.model_name,
            battery_level=old.battery_level,
            supported_code_lengths=old.supported_code_lengths,
            code_constraints=old.code_constraints,
            max_active_codes=old.max_active_codes,
            supports_native_scheduling=old.supports_native_scheduling,
            latency_ms=old.latency_ms,
        )
    lock_check_now(lock=lock, now=now)
    return new


# --- access codes ------------------------------------------------------------------------------

SET_ERRORS_BLOCKING_RETRY = {"code_constraints_violated", "duplicate_code_on_device"}


def taken_pins(lock: Lock, now: datetime, *, exclude: AccessCode | None = None) -> set[str]:
    """PINs that may not be given on `lock`: live ones (managed or not), and quarantined ones."""
    quarantine_start = now - timedelta(days=lock.owner.pin_quarantine_days)
    rows = AccessCode.objects.filter(lock=lock).filter(
        Q(removed_at__isnull=True) | Q(removed_at__gte=quarantine_start)
    )
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    retired = RetiredPin.objects.filter(lock=lock, retired_at__gte=quarantine_start)
    return set(rows.values_list("code", flat=True)) | set(retired.values_list("code", flat=True))


def access_code_check_pin(
    *, lock: Lock, code: str, now: datetime, exclude: AccessCode | None = None
) -> None:
    """Refuse a given PIN that the lock would reject, that is weak, or that is taken."""
    problems = pins.pin_violations(code, lock.supported_code_lengths, lock.code_constraints)
    if problems:
        raise ServiceError(
            f"“{lock.name}” cannot take that PIN: " + "; ".join(problems) + ".", field="code"
        )
    weak = pins.weak_pin_reason(code)
    if weak:
        raise ServiceError(f"That PIN is too easy to guess: {weak}. Choose another.", field="code")
    live = AccessCode.objects.filter(lock=lock, code=code, removed_at__isnull=True)
    if exclude is not None:
        live = live.exclude(pk=exclude.pk)
    if live.exists():
        raise ServiceError(
            f"That PIN is already in use on “{lock.name}”. Choose another.",
            type="duplicate_access_code",
            status=409,
            field="code",
        )
    if code in taken_pins(lock, now, exclude=exclude):
        raise ServiceError(
            f"That PIN was used on “{lock.name}” in the last {lock.owner.pin_quarantine_days} "
            "days; a past guest may still know it. Choose another.",
            field="code",
        )


def access_code_generate(*, lock: Lock, now: datetime, preferred_length: int | None = None) -> str:
    try:
        return pins.generate_pin(
            lengths=lock.supported_code_lengths,
            constraints=lock.code_constraints,
            taken=taken_pins(lock, now),
            preferred_length=preferred_length,
        )
    except ValueError as exc:
        raise ServiceError(str(exc)) from exc


def _check_window(starts_at: datetime | None, ends_at: datetime | None, now: datetime) -> str:
    if (starts_at is None) != (ends_at is None):
        raise ServiceError(
            "Give both a start and an end time for a time-bound code, "
            "or neither for an ongoing one.",
            field="ends_at" if starts_at else "starts_at",
        )
    if starts_at is None:
        return AccessCode.Type.ONGOING
    if ends_at <= starts_at:
        raise ServiceError("The end time must be after the start time.", field="ends_at")
    if ends_at <= now:
        raise ServiceError("The end time is already in the past.", field="ends_at")
    return AccessCode.Type.TIME_BOUND


def _attempt(
    *, owner: Owner, action_type: str, code: AccessCode | None, lock: Lock | None, pending: bool
) -> ActionAttempt:
    return ActionAttempt.objects.create(
        owner=owner,
        action_type=action_type,
        access_code=code,
        lock=lock,
        status=ActionAttempt.Status.PENDING if pending else ActionAttempt.Status.SUCCESS,
    )


def _needs_lock_now(code: AccessCode, lock: Lock, now: datetime) -> bool:
    lead = lock.program_lead(lock.owner)
    return code.wanted_on_lock(now, lead) or code.status in (
        AccessCode.Status.SET,
        AccessCode.Status.SETTING,
        AccessCode.Status.REMOVING,
    )


def _schedule(code: AccessCode, lock: Lock, now: datetime) -> None:
    """Tell the scheduler when this code next needs the lock."""
    if _needs_lock_now(code, lock, now):
        lock_check_now(lock=lock, now=now)
    elif code.type == AccessCode.Type.TIME_BOUND:
        lock_check_soon(lock=lock, at=code.program_at(lock.program_lead(lock.owner)))


def access_code_create(
    *,
    lock: Lock,
    now: datetime,
    name: str = "",
    code: str | None = None,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    kind: str = AccessCode.Kind.OTHER,
    preferred_code_length: int | None = None,
    allow_external_modification: bool = False,
    common_code_key: str = "",
    reservation=None,
    is_pool_backup: bool = False,
) -> tuple[AccessCode, ActionAttempt]:
    code_type = _check_window(starts_at, ends_at, now)
    if kind not in AccessCode.Kind.values:
        raise ServiceError(f"Unknown code kind “{kind}”.", field="kind")
    with transaction.atomic():
        # One writer at a time per lock, so two requests cannot both take the same free PIN.
        lock = Lock.objects.select_for_update().select_related("owner").get(pk=lock.pk)
        if code:
            access_code_check_pin(lock=lock, code=code, now=now)
        else:
            code = access_code_generate(lock=lock, now=now, preferred_length=preferred_code_length)
        access_code = AccessCode(
            owner=lock.owner,
            lock=lock,
            name=name.strip()[:200],
            code=code,
            type=code_type,
            starts_at=starts_at,
            ends_at=ends_at,
            kind=kind,
            is_external_modification_allowed=allow_external_modification,
            common_code_key=common_code_key,
            reservation=reservation,
            is_pool_backup=is_pool_backup,
        )
        access_code.full_clean()
        access_code.save()
        event_record(
            owner=lock.owner,
            event_type="access_code.created",
            now=now,
            lock=lock,
            access_code=access_code,
        )
        attempt = _attempt(
            owner=lock.owner,
            action_type="CREATE_ACCESS_CODE",
            code=access_code,
            lock=lock,
            pending=_needs_lock_now(access_code, lock, now),
        )
        _schedule(access_code, lock, now)
    return access_code, attempt


def access_code_update(
    *,
    access_code: AccessCode,
    now: datetime,
    **changes,
) -> ActionAttempt:
    """Change a code's name, PIN or window. A new PIN replaces the old one on the lock."""
    allowed = {
        "name",
        "code",
        "starts_at",
        "ends_at",
        "type",
        "allow_external_modification",
        "kind",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if access_code.deleted_at or access_code.removed_at:
        raise ServiceError("This code has been deleted; create a new one instead.")
    if not access_code.is_managed:
        raise ServiceError("This code was not created here; it cannot be changed here.")
    with transaction.atomic():
        lock = Lock.objects.select_for_update().select_related("owner").get(pk=access_code.lock_id)
        access_code = AccessCode.objects.select_for_update().get(pk=access_code.pk)
        if changes.get("type") == AccessCode.Type.ONGOING:
            changes["starts_at"] = changes["ends_at"] = None
        starts_at = changes.get("starts_at", access_code.starts_at)
        ends_at = changes.get("ends_at", access_code.ends_at)
        access_code.type = _check_window(starts_at, ends_at, now)
        access_code.starts_at, access_code.ends_at = starts_at, ends_at
        if "name" in changes:
            access_code.name = (changes["name"] or "").strip()[:200]
        if "kind" in changes:
            access_code.kind = changes["kind"]
        if "allow_external_modification" in changes:
            access_code.is_external_modification_allowed = changes["allow_external_modification"]
        new_pin = changes.get("code")
        if new_pin and new_pin != access_code.code:
            access_code_check_pin(lock=lock, code=new_pin, now=now, exclude=access_code)
            RetiredPin.objects.create(lock=lock, code=access_code.code, retired_at=now)
            access_code.code = new_pin
            # The reconciler takes the old PIN off the lock and puts the new one on.
            if access_code.device_ref:
                access_code.stale_device_ref = access_code.device_ref
                access_code.device_ref = ""
            if access_code.status == AccessCode.Status.SET:
                access_code.status = AccessCode.Status.SETTING
            access_code.clear_errors("code_constraints_violated", "duplicate_code_on_device")
        access_code.full_clean()
        access_code.save()
        attempt = _attempt(
            owner=lock.owner,
            action_type="UPDATE_ACCESS_CODE",
            code=access_code,
            lock=lock,
            pending=_needs_lock_now(access_code, lock, now),
        )
        _schedule(access_code, lock, now)
    return attempt


def access_code_delete(*, access_code: AccessCode, now: datetime) -> ActionAttempt:
    """Ask for a code's removal: it leaves the lock on the next reconcile, then ends."""
    if not access_code.is_managed:
        raise ServiceError("This code was not created here; remove it at the lock.")
    with transaction.atomic():
        updated = AccessCode.objects.filter(
            pk=access_code.pk, deleted_at__isnull=True, removed_at__isnull=True
        ).update(deleted_at=now)
        access_code.refresh_from_db()
        lock = access_code.lock
        pending = updated == 1 and access_code.status != AccessCode.Status.UNSET
        attempt = _attempt(
            owner=access_code.owner,
            action_type="DELETE_ACCESS_CODE",
            code=access_code,
            lock=lock,
            pending=pending,
        )
        if updated:
            event_record(
                owner=access_code.owner,
                event_type="access_code.deleted",
                now=now,
                lock=lock,
                access_code=access_code,
            )
            lock_check_now(lock=lock, now=now)
    return attempt


def simulated_keypad_entry(*, lock: Lock, code: str, now: datetime) -> tuple[ActionAttempt, Event]:
    """A PIN typed at a simulated lock: it opens only for a code in the lock's memory now."""
    from locks.drivers.simulated import keypad_entry

    stored = keypad_entry(_simulated_device(lock), code, now)
    access_code = None
    if stored is not None:
        live = AccessCode.objects.filter(lock=lock, code=stored.code, removed_at__isnull=True)
        access_code = live.filter(device_ref=str(stored.slot)).first() or live.first()
    with transaction.atomic():
        event = event_record(
            owner=lock.owner,
            event_type="lock.unlocked" if stored else "lock.access_denied",
            now=now,
            lock=lock,
            access_code=access_code,
            method="keycode",
        )
        attempt = ActionAttempt.objects.create(
            owner=lock.owner,
            action_type="SIMULATE_KEYPAD_CODE_ENTRY",
            lock=lock,
            status=ActionAttempt.Status.SUCCESS,
            finished_at=now,
        )
    return attempt, event


# --- settings (the dashboard's settings page) ---------------------------------------------------

# In the order the settings page shows them.
OWNER_SETTINGS = (
    "buffer_before_minutes",
    "buffer_after_minutes",
    "guest_pin_source",
    "guest_pin_length",
    "program_lead_minutes",
    "native_schedule_lead_hours",
    "pin_quarantine_days",
    "lock_poll_minutes",
    "delay_warning_minutes",
    "failure_error_minutes",
    "backup_pool_size",
    "backup_pool_on_new_locks",
    "low_battery_percent",
    "alert_email",
)
PROPERTY_FIELDS = {
    "name",
    "address",
    "time_zone",
    "country",
    "default_check_in",
    "default_check_out",
}


def _saved_clean(instance, *, exclude: list[str] | None = None) -> None:
    """`full_clean()` then save; a model's refusal becomes a ServiceError on its field."""
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        field, problems = next(iter(exc.message_dict.items()))
        raise ServiceError(problems[0], field=None if field == "__all__" else field) from None
    instance.save()


def owner_settings_update(*, owner: Owner, **fields) -> Owner:
    """Change how this owner's codes are handled; codes already on locks follow on their next
    check."""
    unknown = set(fields) - set(OWNER_SETTINGS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if fields.get("failure_error_minutes", owner.failure_error_minutes) <= fields.get(
        "delay_warning_minutes", owner.delay_warning_minutes
    ):
        raise ServiceError(
            "The error must come after the warning: make its time longer.",
            field="failure_error_minutes",
        )
    for field, value in fields.items():
        setattr(owner, field, value)
    _saved_clean(owner)
    return owner


def property_update(*, property: Property, **fields) -> Property:
    unknown = set(fields) - PROPERTY_FIELDS
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    for field, value in fields.items():
        setattr(property, field, value.strip() if isinstance(value, str) else value)
    property.country = property.country.upper()
    _saved_clean(property)
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
    _saved_clean(unit)
    return unit


def member_add(
    *, owner: Owner, username: str, role: str, password: str = "", first_name: str = ""
) -> Membership:
    """Give a person a role here: an existing login by its username, or a new one with a
    password."""
    User = get_user_model()
    username = username.strip()
    user = User.objects.filter(username__iexact=username).first()
    if user is None:
        if not password:
            raise ServiceError(
                f"Nobody has the username “{username}” yet. To create their login, give them a "
                "password too.",
                field="password",
            )
        new_user = User(username=username, first_name=first_name.strip())
        try:
            User._meta.get_field("username").run_validators(username)
            validate_password(password, new_user)
        except ValidationError as exc:
            field = "password" if "password" in str(exc.messages).lower() else "username"
            raise ServiceError(" ".join(exc.messages), field=field) from None
        new_user.set_password(password)
        new_user.save()
        user = new_user
    elif Membership.objects.filter(owner=owner, user=user).exists():
        raise ServiceError(
            f"{user.get_username()} is already a member; change their role below.",
            field="username",
        )
    return Membership.objects.create(owner=owner, user=user, role=role)


def _refuse_losing_last_manager(membership: Membership) -> None:
    if not membership.is_manager:
        return
    managers = Membership.objects.filter(owner_id=membership.owner_id, role=Membership.Role.MANAGER)
    if not managers.exclude(pk=membership.pk).exists():
        raise ServiceError(
            f"{membership.user.get_username()} is the last manager. Make someone else a manager "
            "first, so somebody can still change settings."
        )


def membership_change_role(*, membership: Membership, role: str) -> Membership:
    if role not in Membership.Role.values:
        raise ServiceError("Pick manager or front desk.", field="role")
    if role != membership.role:
        _refuse_losing_last_manager(membership)
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def membership_remove(*, membership: Membership) -> None:
    """Take away a person's access to this owner (their login stays, for other owners)."""
    _refuse_losing_last_manager(membership)
    membership.delete()


# --- codes found on the lock --------------------------------------------------------------------


def _unmanaged(code: AccessCode) -> AccessCode:
    if code.is_managed or code.removed_at is not None:
        raise ServiceError("This code is not one found on the lock; nothing to take over.")
    return code


def unmanaged_code_take_over(
    *,
    access_code: AccessCode,
    now: datetime,
    name: str = "",
    allow_external_modification: bool | None = None,
) -> AccessCode:
    """Manage a code someone added at the lock: it stays on the lock, and is now ours."""
    code = _unmanaged(access_code)
    code.is_managed = True
    code.kind = AccessCode.Kind.OTHER
    code.name = (name or code.name or "Code found on the lock").strip()[:200]
    if allow_external_modification is not None:
        code.is_external_modification_allowed = allow_external_modification
    code.save(
        update_fields=[
            "is_managed",
            "kind",
            "name",
            "is_external_modification_allowed",
            "updated_at",
        ]
    )
    event_record(
        owner=code.owner,
        event_type="access_code.unmanaged.converted_to_managed",
        now=now,
        lock=code.lock,
        access_code=code,
    )
    lock_check_now(lock=code.lock, now=now)
    return code


def unmanaged_code_remove(*, access_code: AccessCode, now: datetime) -> ActionAttempt:
    """Take a code someone added at the lock off it (managed first, so the reconciler may)."""
    code = _unmanaged(access_code)
    code.is_managed = True
    code.save(update_fields=["is_managed", "updated_at"])
    return access_code_delete(access_code=code, now=now)
