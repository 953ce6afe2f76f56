"""Reads of backup codes for the dashboard: pools at a glance, and a lock's backups listed.

Nothing here hands out a PIN: templates mask a backup's PIN until it is pulled, except behind a
manager's recorded reveal. (A lock's full pool health is `services.backup_pool_health`.)
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from backups.services import PoolHealth
from locks.issue_codes import EMPTY_BACKUP_ACCESS_CODE_POOL, PARTIAL_BACKUP_ACCESS_CODE_POOL
from locks.models import AccessCode, Lock, Owner
from reservations.models import Reservation

BACKUP = AccessCode.Kind.BACKUP


def _live_backups():
    return AccessCode.objects.filter(kind=BACKUP, removed_at__isnull=True, deleted_at__isnull=True)


@dataclass(frozen=True)
class PoolGlance:
    """A pool on the locks overview: how many backups are ready, of how many it keeps."""

    target: int
    ready: int


def pool_glances(owner: Owner, locks: list[Lock]) -> dict[int, PoolGlance]:
    """Each lock's pool (locks whose pool is on), in one query whatever the number of locks."""
    on = [lock for lock in locks if lock.backup_pool_enabled]
    if not on:
        return {}
    ready = Q(is_pool_backup=True, pulled_at__isnull=True, status="set", errors=[])
    rows = (
        _live_backups()
        .filter(owner=owner, lock__in=on)
        .order_by()
        .values("lock_id")
        .annotate(ready=Count("pk", filter=ready))
    )
    counts = {row["lock_id"]: row["ready"] for row in rows}
    return {
        lock.pk: PoolGlance(lock.backup_pool_target(owner), counts.get(lock.pk, 0)) for lock in on
    }


def backups_for_lock(lock: Lock) -> list[AccessCode]:
    """The lock's live backups: those waiting to be given first, then those given to stays."""
    found = _live_backups().filter(lock=lock).select_related("reservation__unit__property")
    return sorted(found, key=lambda c: (c.pulled_at is not None, c.created_at))


def pool_reason(lock: Lock, health: PoolHealth) -> str:
    """Why a pool is not full, in the words the pool's last pass left on the lock."""
    if not health.target or health.ready >= health.target:
        return ""
    for issue in lock.errors + lock.warnings:
        code = issue.get("error_code") or issue.get("warning_code")
        if code in (EMPTY_BACKUP_ACCESS_CODE_POOL, PARTIAL_BACKUP_ACCESS_CODE_POOL):
            return issue["message"]
    return "Being filled: new backups go on the lock at its next check."


def backup_offered(stay: Reservation, now: datetime) -> bool:
    """Whether the desk may give the stay backups now: from the day of arrival (at the property)
    until the stay ends. A backup opens the door from the moment it is given, so giving one days
    ahead would let the guest in early."""
    tz = stay.unit.property.tz
    return (
        stay.is_confirmed
        and stay.ends_at > now
        and stay.check_in.astimezone(tz).date() <= now.astimezone(tz).date()
    )
