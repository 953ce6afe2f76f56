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
from django.db.models import Q, QuerySet

from locks.access_codes import access_code_create, access_code_delete
from locks.audit import audit_record
from locks.errors import ServiceError
from locks.issue_codes import (
    CODE_CONSTRAINTS_VIOLATED,
    CONFLICTING_EXTERNAL_MODIFICATION,
    DUPLICATE_CODE_ON_DEVICE,
    EMPTY_BACKUP_ACCESS_CODE_POOL,
    MANY_ACTIVE_BACKUP_CODES,
    PARTIAL_BACKUP_ACCESS_CODE_POOL,
    USING_BACKUP_ACCESS_CODE,
)
from locks.models import AccessCode, Lock
from locks.records import code_event_record, lock_event_record
from locks.scheduler import lock_check_committed, lock_check_now
from locks.words import pool_words

BACKUP = AccessCode.Kind.BACKUP
# Pulled backups still on one lock from which the owner should suspect programming trouble.
MANY_PULLED = 3
MAX_POOL = 20
SPOILED_ERRORS = (
    CODE_CONSTRAINTS_VIOLATED,
    DUPLICATE_CODE_ON_DEVICE,
    CONFLICTING_EXTERNAL_MODIFICATION,
)
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


def _spoiled(backup: AccessCode) -> bool:
    """An error that a new backup (with a new PIN) cures: the lock refused this PIN, or someone
    took it off the lock and it could not be put back.

    Other errors on a backup not on the lock yet (a refused write, no free slot, a delay) say the
    lock is not taking it now; a replacement would wait just the same, so it keeps its place
    and the reconciler keeps trying. It is not ready meanwhile: only healthy backups are.
    """
    return any(backup.has_error(e) for e in SPOILED_ERRORS)


@dataclass(frozen=True)
class PoolHealth:
    target: int
    ready: int
    pending: int
    pulled: int
    # Slots the lock can give the pool once every other code that belongs there has one.
    room: int

    @property
    def no_room(self) -> bool:
        return self.room < self.target

    @property
    def label(self) -> str:
        """`3 of 5 ready` or `Backups off`, as the Locks list says it (`words.pool_words`)."""
        return pool_words(self)


def backup_pool_enable(
    *, lock: Lock, now: datetime, enabled: bool = True, size: int | None = None
) -> Lock:
    """Turn a lock's pool on or off (and optionally set its own size); the pass fills it."""
    if size is not None and not 1 <= size <= MAX_POOL:
        raise ServiceError(f"A backup pool holds between 1 and {MAX_POOL} codes.", field="size")
    lock.backup_pool_enabled = enabled
    if size is not None:
        lock.backup_pool_size = size
    if not enabled:
        for backup in unpulled_backups(lock).filter(is_pool_backup=True):
            _evict(backup, now)
        # Only the pool's pass keeps these up to date, and it no longer runs.
        lock.clear_errors(EMPTY_BACKUP_ACCESS_CODE_POOL)
        lock.clear_warnings(PARTIAL_BACKUP_ACCESS_CODE_POOL, MANY_ACTIVE_BACKUP_CODES)
    lock.save(update_fields=["backup_pool_enabled", "backup_pool_size", "errors", "warnings"])
    lock_event_record(
        lock=lock,
        event_type="device.backup_pool_enabled" if enabled else "device.backup_pool_disabled",
        now=now,
    )
    lock_check_now(lock=lock, now=now)
    return lock


def backup_pool_maintain(
    *, lock: Lock, now: datetime, codes: list[AccessCode] | None = None
) -> bool:
    """Keep the pool full and healthy within the lock's slots; True when it changed a code.

    Called before each reconcile pass of the lock (`codes`: the lock's live codes as the pass
    loaded them), so new backups are programmed, and the ones leaving are removed, in that same
    pass; `backup_pool_report` says afterwards how it went.
    """
    codes = _live_codes(lock) if codes is None else codes
    pool = [c for c in codes if _in_pool(c)]
    leaving = [c for c in pool if _spoiled(c)]
    for backup in leaving:
        _evict(backup, now)  # off the lock, and replaced below
    pool = [c for c in pool if _in_pool(c)]
    keep = min(lock.backup_pool_target(lock.owner), _room(lock, _others(lock, codes, now)))
    # Guest codes come first: a pool larger than its room gives slots back, the backups not on
    # the lock yet first (they cost no write), then the newest.
    surplus = sorted(pool, key=lambda c: (is_healthy(c), -c.created_at.timestamp()))
    surplus = surplus[: max(len(pool) - keep, 0)]
    for backup in surplus:
        _evict(backup, now)
    pool = [c for c in pool if _in_pool(c)]
    # New backups only into slots free now: a code still coming off holds its slot until it
    # is off, and a backup sent before that would only wait for the slot with an error.
    new = max(min(keep - len(pool), _free_now(lock, codes, now)), 0)
    for _ in range(new):
        access_code_create(lock=lock, now=now, name=POOL_NAME, kind=BACKUP, is_pool_backup=True)
    return bool(leaving or surplus or new)


def backup_pool_health(
    *,
    lock: Lock,
    now: datetime,
    codes: list[AccessCode] | None = None,
    backups: list[AccessCode] | None = None,
) -> PoolHealth:
    """How the lock's pool is: what the lock and the Today page show. `codes`: the lock's live
    codes, when the caller has them already; else its backups are read (or taken from
    `backups`: its live ones, the deleted ones may be left out, since they count nowhere), and
    its other codes only counted (a shared entrance holds one per stay behind it)."""
    if codes is None:
        if backups is None:
            backups = list(
                AccessCode.objects.filter(lock=lock, kind=BACKUP, removed_at__isnull=True)
            )
        others = _others_counted(lock, now)
    else:
        backups = [c for c in codes if c.kind == BACKUP]
        others = _others(lock, codes, now)
    pool = [c for c in backups if _in_pool(c)]
    ready = sum(is_healthy(c) for c in pool)
    return PoolHealth(
        target=lock.backup_pool_target(lock.owner),
        ready=ready,
        pending=len(pool) - ready,
        pulled=sum(1 for c in backups if c.pulled_at and not c.deleted_at),
        room=_room(lock, others),
    )


def backup_pool_before_pass(
    *, lock: Lock, now: datetime, codes: list[AccessCode] | None = None
) -> bool:
    """The `before_pass` hook: fill the pool of a lock that keeps one, so its pass programs it,
    from the codes the pass loaded; True when it changed a code."""
    if not lock.backup_pool_enabled:
        return False
    return backup_pool_maintain(lock=lock, now=now, codes=codes)


def backup_pool_after_pass(
    *, lock: Lock, now: datetime, codes: list[AccessCode], issues_changed: bool
) -> None:
    """The `after_pass` hook: report the pool's health once the pass has run, on the codes the
    pass loaded; the scheduler saves the lock's issues with the pass."""
    if lock.backup_pool_enabled:
        backup_pool_report(lock=lock, now=now, codes=codes)


def backup_pool_report(
    *, lock: Lock, now: datetime, codes: list[AccessCode] | None = None
) -> PoolHealth:
    """The pool's state as Seam's device errors and warnings on `lock`, after its pass (which
    saves them)."""
    health = backup_pool_health(lock=lock, now=now, codes=codes)
    lock.clear_errors(EMPTY_BACKUP_ACCESS_CODE_POOL)
    lock.clear_warnings(PARTIAL_BACKUP_ACCESS_CODE_POOL, MANY_ACTIVE_BACKUP_CODES)
    if health.no_room:
        why = (
            f"the lock's other codes leave room for {max(health.room, 0)}; guest codes come "
            "first, and the pool refills as slots free up"
        )
    else:
        why = "the others are being programmed"
    if health.target and health.ready == 0:
        lock.add_error(
            EMPTY_BACKUP_ACCESS_CODE_POOL, f"No backup code is ready on this lock: {why}.", now
        )
    elif health.ready < health.target:
        lock.add_warning(
            PARTIAL_BACKUP_ACCESS_CODE_POOL,
            f"{health.ready} of {health.target} backup codes ready: {why}.",
            now,
        )
    if health.pulled >= MANY_PULLED:
        lock.add_warning(
            MANY_ACTIVE_BACKUP_CODES,
            f"{health.pulled} backup codes are in use on this lock: guests' own codes may not "
            "be reaching it. Check its connection.",
            now,
        )
    return health


def _live_codes(lock: Lock) -> list[AccessCode]:
    """Every code on the lock or going to it, the ones still coming off included."""
    return list(AccessCode.objects.filter(lock=lock, removed_at__isnull=True))


def _in_pool(code: AccessCode) -> bool:
    return (
        code.kind == BACKUP
        and code.is_pool_backup
        and code.pulled_at is None
        and code.deleted_at is None
    )


# `_in_pool` as a filter.
IN_POOL = Q(kind=BACKUP, is_pool_backup=True, pulled_at__isnull=True, deleted_at__isnull=True)


def _room(lock: Lock, others: int) -> int:
    """Slots left for the pool once the `others` (every other code that belongs on the lock
    now) have one."""
    return MAX_POOL if lock.max_active_codes is None else lock.max_active_codes - others


def _others(lock: Lock, codes: list[AccessCode], now: datetime) -> int:
    """Of the lock's live `codes`, those outside the pool that belong on the lock now."""
    lead = lock.program_lead(lock.owner)
    return sum(
        1 for c in codes if not _in_pool(c) and (not c.is_managed or c.wanted_on_lock(now, lead))
    )


def _others_counted(lock: Lock, now: datetime) -> int:
    """`_others`, counted by the database."""
    lead = lock.program_lead(lock.owner)
    return (
        AccessCode.objects.filter(lock=lock, removed_at__isnull=True)
        .exclude(IN_POOL)
        .filter(Q(is_managed=False) | AccessCode.wanted_on_lock_at(now, lead))
        .count()
    )


def _free_now(lock: Lock, codes: list[AccessCode], now: datetime) -> int:
    """Slots nobody holds or is owed now: `_room` less the pool and the codes coming off."""
    if lock.max_active_codes is None:
        return MAX_POOL
    lead = lock.program_lead(lock.owner)
    leaving = sum(
        1
        for c in codes
        if c.is_managed and not c.wanted_on_lock(now, lead) and c.status != AccessCode.Status.UNSET
    )
    room = _room(lock, _others(lock, codes, now))
    return room - sum(1 for c in codes if _in_pool(c)) - leaving


def _evict(backup: AccessCode, now: datetime) -> None:
    """Take an unpulled backup out of the pool and off the lock."""
    with transaction.atomic():
        # A clerk may have pulled it since the pool was read: then it is the guest's, and stays.
        still = unpulled_backups(backup.lock).select_for_update().filter(pk=backup.pk).first()
        if still is not None:
            access_code_delete(access_code=backup, now=now)
        else:
            backup.refresh_from_db()


def backup_generate(*, lock: Lock, now: datetime) -> AccessCode:
    """A manager's one-click backup code: ongoing, programmed right away, outside the pool."""
    code, _ = access_code_create(lock=lock, now=now, name=MANUAL_NAME, kind=BACKUP)
    return code


def backup_pull(*, access_code: AccessCode, now: datetime) -> AccessCode:
    """Hand out a healthy backup in place of a time-bound code (Seam's pull_backup_access_code).

    Pulling again for the same code returns the same backup. Many people pulling at once never
    get one backup for two codes, and one code never gets two.
    """
    if access_code.kind == BACKUP:
        raise ServiceError(
            "This code is itself a backup; pull one for the guest's own code instead.",
            field="access_code_id",
        )
    if access_code.type != AccessCode.Type.TIME_BOUND:
        raise ServiceError(
            "A backup stands in for a time-bound code (a stay's), not an ongoing one.",
            field="access_code_id",
        )
    with transaction.atomic():
        # Only the code's own row: pulls for other codes of the lock go on in parallel.
        original = (
            AccessCode.objects.select_for_update(of=("self",))
            .select_related("lock__owner")
            .get(pk=access_code.pk)
        )
        if original.pulled_backup_id:
            return AccessCode.objects.get(pk=original.pulled_backup_id)
        if original.is_over(now) or original.removed_at is not None:
            raise ServiceError("This code has ended; a backup would end with it.")
        backup = _take_healthy_backup(original, now)
        if backup is not None:
            _hand_out(backup, original, now)
    if backup is None:
        # Outside the pull's transaction, which the refusal would otherwise roll back.
        _show_empty(original.lock, now)
        raise ServiceError(
            f"No backup code is ready on “{original.lock.name}”. Let the guest in another way "
            "and check the lock's connection; the pool refills as soon as the lock takes new "
            "codes.",
            type="no_backup_access_code_available",
            status=409,
        )
    # Refills the pool and makes the backup end with the code. After the commit, and without
    # waiting for other pulls of the lock: the lock's row would otherwise stay locked until the
    # commit, and every clerk pulling from the same door would queue behind it.
    lock_check_committed(lock=original.lock, now=now)
    return backup


def _hand_out(backup: AccessCode, original: AccessCode, now: datetime) -> None:
    """`original` says it has a backup standing in for it until it ends (the backup, claimed
    by `_take_healthy_backup`, already says so)."""
    original.pulled_backup = backup
    original.add_warning(
        USING_BACKUP_ACCESS_CODE,
        "A backup code was given in place of this code; it ends when this code ends.",
        now,
    )
    original.save(update_fields=["pulled_backup", "warnings", "updated_at"])
    code_event_record(
        code=original,
        event_type="access_code.backup_access_code_pulled",
        now=now,
        backup_access_code_id=str(backup.pk),
    )
    audit_record(obj=original, action="backup_given", even_if_skipped=True)


def _show_empty(lock: Lock, now: datetime) -> None:
    """A pull found nothing: the lock says so until its pool's next pass finds a backup ready."""
    if not lock.backup_pool_enabled:
        return  # manual backups only: nothing would ever clear it
    with transaction.atomic():
        lock = Lock.objects.select_for_update().get(pk=lock.pk)
        lock.add_error(
            EMPTY_BACKUP_ACCESS_CODE_POOL,
            "No backup code is ready on this lock: a pull found none.",
            now,
        )
        lock.save(update_fields=["errors"])


def _take_healthy_backup(original: AccessCode, now: datetime) -> AccessCode | None:
    """Claim one healthy backup of the code's lock, made time-bound to the code's end; concurrent
    claims each get a different one, and none waits for another (SKIP LOCKED)."""
    # One row locked at a time: locking every candidate would make the other pulls skip them
    # all and find the pool empty while it is not.
    backup = (
        unpulled_backups(original.lock)
        .filter(status=AccessCode.Status.SET, errors=[])
        .order_by("created_at")
        .select_for_update(skip_locked=True)
        .first()
    )
    if backup is None:
        return None
    backup.pulled_at = now
    backup.type = AccessCode.Type.TIME_BOUND
    backup.starts_at = min(now, original.starts_at)
    backup.ends_at = original.ends_at
    backup.reservation_id = original.reservation_id
    backup.name = f"Backup · {original.name}"[:200]
    AccessCode._meta.get_field("updated_at").pre_save(backup, add=False)  # as save() stamps it
    fields = ("pulled_at", "type", "starts_at", "ends_at", "reservation_id", "name", "updated_at")
    # The claim and the new window in one UPDATE, still only if nobody has pulled it.
    taken = (
        unpulled_backups(original.lock)
        .filter(pk=backup.pk)
        .update(**{name: getattr(backup, name) for name in fields})
    )
    return backup if taken == 1 else None


@dataclass(frozen=True)
class DoorBackup:
    lock: Lock
    backup: AccessCode | None
    problem: str = ""


def reservation_backups_give(
    *, reservation, now: datetime, every_door: bool = True, lock: Lock | None = None
) -> list[DoorBackup]:
    """Backups for a stay's doors: every door when a person asks, else the unhealthy ones;
    with `lock`, for that door alone."""
    codes = AccessCode.objects.filter(
        reservation=reservation,
        kind=AccessCode.Kind.GUEST,
        removed_at__isnull=True,
        deleted_at__isnull=True,
    ).select_related("lock__owner")
    if lock is not None:
        codes = codes.filter(lock=lock)
    codes = list(codes)
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
