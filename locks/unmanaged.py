"""Codes found on a lock that nobody here created: take them over, or take them off."""

from datetime import datetime

from locks.access_codes import access_code_delete
from locks.errors import ServiceError
from locks.models import AccessCode, ActionAttempt
from locks.records import code_event_record
from locks.scheduler import lock_check_now


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
    code_event_record(code=code, event_type="access_code.unmanaged.converted_to_managed", now=now)
    lock_check_now(lock=code.lock, now=now)
    return code


def unmanaged_code_remove(*, access_code: AccessCode, now: datetime) -> ActionAttempt:
    """Take a code someone added at the lock off it (managed first, so the reconciler may)."""
    code = _unmanaged(access_code)
    code.is_managed = True
    code.save(update_fields=["is_managed", "updated_at"])
    return access_code_delete(access_code=code, now=now)


def unmanaged_code_update(
    *,
    access_code: AccessCode,
    now: datetime,
    is_managed: bool,
    allow_external_modification: bool | None = None,
) -> AccessCode:
    """Seam's `unmanaged/update`: `is_managed: true` takes the code over (as
    `unmanaged_code_take_over`); false leaves it unmanaged, keeping the external-modification
    choice for when it is taken over."""
    if is_managed:
        return unmanaged_code_take_over(
            access_code=access_code,
            now=now,
            allow_external_modification=allow_external_modification,
        )
    code = _unmanaged(access_code)
    if allow_external_modification is not None:
        code.is_external_modification_allowed = allow_external_modification
        code.save(update_fields=["is_external_modification_allowed", "updated_at"])
    return code
