"""Backup codes: a pool per lock, healthy and hidden, handed out in one click.

Backups are ordinary access codes (kind `backup`): ongoing, so they are on the lock long before
anyone needs them, even if the lock later loses its network. A pool backup that gets an error
leaves the pool (it is removed from the lock and replaced). Pulling one for a guest's code makes
it time-bound to that code's end, links the two, and refills the pool; at the stay's end the
reconciler takes it off the lock like any expired code, and it is never handed out again.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet

from locks.errors import ServiceError
from locks.models import AccessCode, Lock
from locks.services import access_code_create, access_code_delete, event_record, lock_check_now

BACKUP = AccessCode.Kind.BACKUP
# Pulled backups still on one lock from which the owner should suspect programming trouble.
MANY_PULLED = 3
POOL_NAME = "Backup code"
MANUAL_NAME = "Backup code (manual)"


def unpulled_backups(lock: Lock) -> QuerySet[AccessCode]:
    """Backups on (or going to) the lock that nobody has been given."""
    return AccessCode.objects.filter(
        lock=lock,
        kind=BACKUP,
        pulled_at__isnull=True,
        deleted_at__isnull=True,
        removed_at__isnull=True,
    )


def is_healthy(code: AccessCode) -> bool:
    return code.status == AccessCode.Status.SET and not code.errors


@dataclass(frozen=True)
class PoolHealth:
    target: int
    ready: int
    pending: int
    pulled: int
    no_room: bool

    @property
    def label(self) -> str:
        if not self.target:
            return "Off"
        if self.ready == 0:
            return "Empty!"
        if self.ready >= self.target:
            return f"{self.ready}/{self.target} ready"
        return f"{self.ready}/{self.target} " + ("refilling" if self.pending else "ready")


def backup_pool_enable(
    *, lock: Lock, now: datetime, enabled: bool = True, size: int | None = None
) -> Lock:
    """Turn a lock's pool on or off (and optionally set its own size); the pass fills it."""
    if size is not None and not 1 <= size <= 20:
        raise ServiceError("A backup pool holds between 1 and 20 codes.", field="size")
    lock.backup_pool_enabled = enabled
    if size is not None:
        lock.backup_pool_size = size
    if not enabled:
        for backup in unpulled_backups(lock).filter(is_pool_backup=True):
            access_code_delete(access_code=backup, now=now)
        lock.clear_errors("empty_backup_access_code_pool")
        lock.clear_warnings("partial_backup_access_code_pool")
    lock.save(update_fields=["backup_pool_enabled", "backup_pool_size", "errors", "warnings"])
    event_record(
        owner=lock.owner,
        event_type="device.backup_pool_enabled" if enabled else "device.backup_pool_disabled",
        now=now,
        lock=lock,
    )
    lock_check_now(lock=lock, now=now)
    return lock


def backup_pool_maintain(*, lock: Lock, now: datetime) -> PoolHealth:
    """Keep the pool full and healthy within the lock's slots, and say on the lock how it is.

    Called before each reconcile pass of the lock, so new backups are programmed in that pass.
    """
    target = lock.backup_pool_target(lock.owner)
    live = list(
        AccessCode.objects.filter(lock=lock, removed_at__isnull=True, deleted_at__isnull=True)
    )
    pool = [c for c in live if c.kind == BACKUP and c.is_pool_backup and c.pulled_at is None]
    for backup in [c for c in pool if c.errors]:
        access_code_delete(access_code=backup, now=now)  # unhealthy: off the lock, replaced
    pool = [c for c in pool if not c.errors]
    # Guest codes come first: each code waiting for a slot takes one from the pool.
    waiting = sum(
        1 for c in live if c.kind != BACKUP and c.has_error("no_space_for_access_code_on_device")
    )
    surplus = max(len(pool) - target, 0) + waiting
    # The ones not on the lock yet go first, then the newest.
    evicted = sorted(pool, key=lambda c: (is_healthy(c), -c.created_at.timestamp()))[:surplus]
    for backup in evicted:
        access_code_delete(access_code=backup, now=now)
    pool = [c for c in pool if c not in evicted]
    room = _free_slots(lock, live, now)
    create = max(min(target - len(pool), room), 0)
    for _ in range(create):
        access_code_create(lock=lock, now=now, name=POOL_NAME, kind=BACKUP, is_pool_backup=True)
    health = PoolHealth(
        target=target,
        ready=sum(is_healthy(c) for c in pool),
        pending=sum(not is_healthy(c) for c in pool) + create,
        pulled=sum(1 for c in live if c.kind == BACKUP and c.pulled_at is not None),
        no_room=len(pool) + create < target,
    )
    _report(lock, health, now)
    return health


def _free_slots(lock: Lock, live: list[AccessCode], now: datetime) -> int:
    if lock.max_active_codes is None:
        return 20
    lead = lock.program_lead(lock.owner)
    used = sum(1 for c in live if not c.is_managed or c.wanted_on_lock(now, lead))
    return lock.max_active_codes - used


def _report(lock: Lock, health: PoolHealth, now: datetime) -> None:
    """The pool's state as Seam's device errors and warnings."""
    lock.clear_errors("empty_backup_access_code_pool")
    lock.clear_warnings("partial_backup_access_code_pool", "many_active_backup_codes")
    if health.target and health.ready == 0:
        lock.add_error(
            "empty_backup_access_code_pool",
            "No backup code is ready on this lock"
            + (": new ones are being programmed." if health.pending else "."),
            now,
        )
    elif health.target and health.ready < health.target:
        why = (
            "the lock has no free slot for more; guest codes come first"
            if health.no_room
            else "the others are being programmed"
        )
        lock.add_warning(
            "partial_backup_access_code_pool",
            f"{health.ready} of {health.target} backup codes ready: {why}.",
            now,
        )
    if health.pulled >= MANY_PULLED:
        lock.add_warning(
            "many_active_backup_codes",
            f"{health.pulled} backup codes are in use on this lock: guests' own codes may not "
            "be reaching it. Check its connection.",
            now,
        )
    lock.save(update_fields=["errors", "warnings"])


def backup_generate(*, lock: Lock, now: datetime) -> AccessCode:
    """A manager's one-click backup code: ongoing, programmed right away, outside the pool."""
    code, _ = access_code_create(lock=lock, now=now, name=MANUAL_NAME, kind=BACKUP)
    return code


def backup_pull(*, access_code: AccessCode, now: datetime) -> AccessCode:
    """Hand out a healthy backup in place of a time-bound code (Seam's pull_backup_access_code).

    Pulling again for the same code returns the same backup. Many people pulling at once never
    get one backup for two codes, and one code never gets two.
    """
    if access_code.type != AccessCode.Type.TIME_BOUND:
        raise ServiceError(
            "A backup stands in for a time-bound code (a stay's), not an ongoing one.",
            field="access_code_id",
        )
    with transaction.atomic():
        original = (
            AccessCode.objects.select_for_update()
            .select_related("lock__owner")
            .get(pk=access_code.pk)
        )
        if original.pulled_backup_id:
            return AccessCode.objects.get(pk=original.pulled_backup_id)
        if original.is_over(now) or original.removed_at is not None:
            raise ServiceError("This code has ended; a backup would end with it.")
        backup = _take_healthy_backup(original.lock, now)
        backup.type = AccessCode.Type.TIME_BOUND
        backup.starts_at = min(now, original.starts_at)
        backup.ends_at = original.ends_at
        backup.reservation_id = original.reservation_id
        backup.name = f"Backup · {original.name}"[:200]
        backup.save(
            update_fields=["type", "starts_at", "ends_at", "reservation", "name", "updated_at"]
        )
        original.pulled_backup = backup
        original.add_warning(
            "using_backup_access_code",
            "A backup code was given in place of this code; it ends when this code ends.",
            now,
        )
        original.save(update_fields=["pulled_backup", "warnings", "updated_at"])
        event_record(
            owner=original.owner,
            event_type="access_code.backup_access_code_pulled",
            now=now,
            lock=original.lock,
            access_code=original,
            backup_access_code_id=str(backup.pk),
        )
        lock_check_now(lock=original.lock, now=now)  # refills the pool
    return backup


def _take_healthy_backup(lock: Lock, now: datetime) -> AccessCode:
    """Claim one healthy backup of the lock; concurrent claims each get a different one."""
    candidates = (
        unpulled_backups(lock)
        .filter(status=AccessCode.Status.SET, errors=[])
        .order_by("created_at")
        .select_for_update(skip_locked=True)
    )
    for backup in candidates[:5]:
        if unpulled_backups(lock).filter(pk=backup.pk).update(pulled_at=now) == 1:
            backup.pulled_at = now
            return backup
    lock.add_error("empty_backup_access_code_pool", "No backup code is ready on this lock.", now)
    Lock.objects.filter(pk=lock.pk).update(errors=lock.errors)
    raise ServiceError(
        f"No backup code is ready on “{lock.name}”. Let the guest in another way and check the "
        "lock's connection; the pool refills as soon as the lock takes new codes.",
        type="no_backup_access_code_available",
        status=409,
    )


@dataclass(frozen=True)
class DoorBackup:
    lock: Lock
    backup: AccessCode | None
    problem: str = ""


def reservation_backups_give(
    *, reservation, now: datetime, every_door: bool = True
) -> list[DoorBackup]:
    """Backups for a stay's doors: every door when a person asks, else the unhealthy ones."""
    codes = list(
        AccessCode.objects.filter(
            reservation=reservation,
            kind=AccessCode.Kind.GUEST,
            removed_at__isnull=True,
            deleted_at__isnull=True,
        ).select_related("lock__owner")
    )
    if not codes:
        raise ServiceError("This stay has no guest code on any door, so no backup can stand in.")
    given = []
    for code in codes:
        if not every_door and is_healthy(code) and code.lock.online:
            continue
        try:
            given.append(DoorBackup(code.lock, backup_pull(access_code=code, now=now)))
        except ServiceError as exc:
            given.append(DoorBackup(code.lock, None, exc.message))
    return given
