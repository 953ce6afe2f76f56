"""Every write to access codes: create, change, revoke, and the PIN rules they obey.

Services change the *desired* state and tell the scheduler; they never talk to a lock
themselves (the reconciler does, per lock, in a task).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from locks import pins
from locks.audit import audit_record
from locks.crypto import secret_hash
from locks.errors import ServiceError
from locks.issue_codes import DUPLICATE_ACCESS_CODE, PIN_ERRORS
from locks.models import AccessCode, ActionAttempt, Lock, RetiredPin
from locks.records import code_event_record
from locks.scheduler import lock_check_now, lock_check_soon


def taken_pins(lock: Lock, now: datetime) -> set[str]:
    """PINs that may not be given on `lock`: live ones (managed or not), and quarantined ones."""
    quarantine_start = now - timedelta(days=lock.owner.pin_quarantine_days)
    rows = AccessCode.objects.filter(lock=lock).filter(
        Q(removed_at__isnull=True) | Q(removed_at__gte=quarantine_start)
    )
    retired = RetiredPin.objects.filter(lock=lock, retired_at__gte=quarantine_start)
    # One query: both lists are read at once.
    both = (
        rows.order_by()
        .values_list("code", flat=True)
        .union(retired.order_by().values_list("code", flat=True))
    )
    return set(both)


def access_code_check_pin(
    *, lock: Lock, code: str, now: datetime, exclude: Q | None = None
) -> None:
    """Refuse a given PIN that the lock would reject, that is weak, or that is taken.

    `exclude`: the codes that do not count, being the same code (its own row, or the earlier
    codes of the one PIN that `common_code_key` groups: their holder knows it already).
    """
    problems = pins.pin_violations(code, lock.supported_code_lengths, lock.code_constraints)
    if problems:
        raise ServiceError(
            f"“{lock.name}” cannot take that PIN: " + "; ".join(problems) + ".", field="code"
        )
    weak = pins.weak_pin_reason(code)
    if weak:
        raise ServiceError(f"That PIN is too easy to guess: {weak}. Choose another.", field="code")
    # This PIN's uses on the lock, in one query: None for a live code, else when a code with
    # it was removed or it was retired, within the quarantine.
    quarantine_start = now - timedelta(days=lock.owner.pin_quarantine_days)
    uses = AccessCode.objects.filter(lock=lock, code_hash=secret_hash(code)).filter(
        Q(removed_at__isnull=True) | Q(removed_at__gte=quarantine_start)
    )
    if exclude is not None:
        uses = uses.exclude(exclude)
    retired = RetiredPin.objects.filter(
        lock=lock, code_hash=secret_hash(code), retired_at__gte=quarantine_start
    )
    uses = set(
        uses.order_by()
        .values_list("removed_at", flat=True)
        .union(retired.order_by().values_list("retired_at", flat=True))
    )
    if None in uses:
        raise ServiceError(
            f"That PIN is already in use on “{lock.name}”. Choose another.",
            type=DUPLICATE_ACCESS_CODE,
            status=409,
            field="code",
        )
    if uses:
        raise ServiceError(
            f"That PIN was used on “{lock.name}” in the last {lock.owner.pin_quarantine_days} "
            "days; a past guest may still know it. Choose another.",
            field="code",
        )


def earlier_selves(common_code_key: str) -> Q | None:
    """A code's earlier selves on its lock: codes of its `common_code_key` that were deleted
    (a stay's code on a door the stay left and came back to). Their holder knows the PIN, so
    they keep it from others only; one still on the lock hands its place over (`_take_place`).
    """
    if not common_code_key:
        return None
    return Q(common_code_key=common_code_key) & (
        Q(deleted_at__isnull=False) | Q(removed_at__isnull=False)
    )


# What a code created again takes over from its earlier self still on the lock.
PLACE_FIELDS = (
    "status",
    "device_ref",
    "stale_device_ref",
    "is_scheduled_on_device",
    "is_held_by_cloud",
)


def _take_place(code: AccessCode, now: datetime) -> None:
    """A code created again before its earlier self left the lock takes that one's place on it,
    so the lock never holds the PIN twice and the guest's PIN keeps working meanwhile."""
    if not code.common_code_key:
        return
    earlier = (
        AccessCode.objects.filter(
            lock_id=code.lock_id, code_hash=code.code_hash, removed_at__isnull=True
        )
        .filter(earlier_selves(code.common_code_key))
        .first()
    )
    if earlier is None:
        return
    for field in PLACE_FIELDS:
        setattr(code, field, getattr(earlier, field))
    if code.status == AccessCode.Status.REMOVING:
        code.status = AccessCode.Status.SETTING  # its removal was sent: the pass looks again
    code.save(update_fields=PLACE_FIELDS)
    AccessCode.objects.filter(pk=earlier.pk).update(
        status=AccessCode.Status.REMOVED,
        removed_at=now,
        device_ref="",
        stale_device_ref="",
        is_scheduled_on_device=False,
        is_held_by_cloud=False,
    )
    # Its deletion is done: the code is gone, though its PIN stays on the lock for the new one.
    ActionAttempt.objects.filter(access_code=earlier, status=ActionAttempt.Status.PENDING).update(
        status=ActionAttempt.Status.SUCCESS, error=None, finished_at=now
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


def _attempt(code: AccessCode, action_type: str, *, pending: bool) -> ActionAttempt:
    """Seam's action attempt for a change to `code`: pending until the lock confirms it."""
    return ActionAttempt.objects.create(
        owner_id=code.owner_id,
        action_type=action_type,
        access_code=code,
        lock_id=code.lock_id,
        status=ActionAttempt.Status.PENDING if pending else ActionAttempt.Status.SUCCESS,
    )


def _needs_lock_now(code: AccessCode, lock: Lock, now: datetime) -> bool:
    lead = lock.program_lead(lock.owner, code)
    return (
        code.wanted_on_lock(now, lead)
        or code.is_on_lock
        or code.is_held_by_cloud
        or code.status in (AccessCode.Status.SETTING, AccessCode.Status.REMOVING)
    )


def _schedule(code: AccessCode, lock: Lock, now: datetime) -> None:
    """Tell the scheduler when this code next needs the lock."""
    if _needs_lock_now(code, lock, now):
        lock_check_now(lock=lock, now=now)
    elif code.type == AccessCode.Type.TIME_BOUND:
        lock_check_soon(lock=lock, at=code.program_at(lock.program_lead(lock.owner, code)))


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
    prefer_native_scheduling: bool = True,
) -> tuple[AccessCode, ActionAttempt]:
    code_type = _check_window(starts_at, ends_at, now)
    if kind not in AccessCode.Kind.values:
        raise ServiceError(f"Unknown code kind “{kind}”.", field="kind")
    with transaction.atomic():
        # One writer at a time per lock, so two requests cannot both take the same free PIN.
        # Only the lock's row: its owner's stays free for the owner's other locks. Its property
        # comes along for the audit log's time zone (a join, not a query).
        lock = (
            Lock.objects.select_for_update(of=("self",))
            .select_related("owner", "property")
            .get(pk=lock.pk)
        )
        if code:
            access_code_check_pin(
                lock=lock, code=code, now=now, exclude=earlier_selves(common_code_key)
            )
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
            prefer_native_scheduling=prefer_native_scheduling,
        )
        _validate(access_code)
        access_code.save()
        _take_place(access_code, now)
        code_event_record(code=access_code, event_type="access_code.created", now=now)
        attempt = _attempt(
            access_code,
            ActionAttempt.CREATE_ACCESS_CODE,
            pending=_needs_lock_now(access_code, lock, now),
        )
        _schedule(access_code, lock, now)
    return access_code, attempt


def _validate(access_code: AccessCode) -> None:
    """Its fields, in plain words. The owner and the lock are the ones just locked and the id
    is new or its own: checking that they exist would cost a query each. The window's rule
    (the check constraint) is `_check_window`'s, in plain words too; Django would check it
    again with a query of its own, and the database still holds it."""
    access_code.full_clean(
        exclude=["owner", "lock", "reservation"], validate_unique=False, validate_constraints=False
    )


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
        "prefer_native_scheduling",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))}.")
    if access_code.deleted_at or access_code.removed_at:
        raise ServiceError("This code has been deleted; create a new one instead.")
    if not access_code.is_managed:
        raise ServiceError("This code was not created here; it cannot be changed here.")
    with transaction.atomic():
        lock = (
            Lock.objects.select_for_update(of=("self",))
            .select_related("owner", "property")
            .get(pk=access_code.lock_id)
        )
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
        if "prefer_native_scheduling" in changes:
            access_code.prefer_native_scheduling = changes["prefer_native_scheduling"]
        if "allow_external_modification" in changes:
            access_code.is_external_modification_allowed = changes["allow_external_modification"]
        new_pin = changes.get("code")
        if new_pin and new_pin != access_code.code:
            access_code_check_pin(lock=lock, code=new_pin, now=now, exclude=Q(pk=access_code.pk))
            RetiredPin.objects.create(lock=lock, code=access_code.code, retired_at=now)
            access_code.code = new_pin
            # The reconciler takes the old PIN off the lock and puts the new one on.
            if access_code.device_ref:
                access_code.stale_device_ref = access_code.device_ref
                access_code.device_ref = ""
            if access_code.is_on_lock:
                access_code.status = AccessCode.Status.SETTING
                access_code.is_scheduled_on_device = False
            access_code.clear_errors(*PIN_ERRORS)
        _validate(access_code)
        access_code.save()
        attempt = _attempt(
            access_code,
            ActionAttempt.UPDATE_ACCESS_CODE,
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
        attempt = _attempt(access_code, ActionAttempt.DELETE_ACCESS_CODE, pending=pending)
        if updated:
            code_event_record(code=access_code, event_type="access_code.deleted", now=now)
            audit_record(obj=access_code, action="deleted")
            lock_check_now(lock=lock, now=now)
    return attempt
