"""Every write to owners, their people, their settings and their API keys."""

import logging
from datetime import datetime

from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore as DbSessionStore
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils.module_loading import import_string

from locks.audit import audit_record
from locks.errors import ServiceError, saved_clean
from locks.models import ApiKey, Membership, Owner, hash_api_key

log = logging.getLogger(__name__)


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
    if ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now):
        audit_record(obj=api_key, action="revoked")


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
    "lockout_attempts",
    "lockout_within_minutes",
    "lockout_hours_before",
    "lockout_night_ends_hour",
    "two_factor_for_managers",
)


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
    saved_clean(owner)
    return owner


def first_run_dismiss(*, owner: Owner) -> None:
    """Put away Today's first-run checklist for everyone at this owner."""
    owner.first_run_dismissed = True
    owner.save(update_fields=["first_run_dismissed"])


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


def membership_remove(*, membership: Membership, now: datetime) -> None:
    """Take away a person's access to this owner at once. Their login stays for the other owners
    they belong to (their open pages move to one of those on the next click); a person left
    with none is signed out everywhere."""
    _refuse_losing_last_manager(membership)
    with transaction.atomic():
        membership.delete()
        if not Membership.objects.filter(user_id=membership.user_id).exists():
            user_sessions_end(user_id=membership.user_id, now=now)


def user_sessions_end(*, user_id: int, now: datetime) -> int:
    """Sign a person out of every browser: delete their sessions (database-backed sessions,
    the default; `cached_db` too). Returns how many ended."""
    store = import_string(f"{settings.SESSION_ENGINE}.SessionStore")
    if not issubclass(store, DbSessionStore):
        # Cookie or cache sessions cannot be listed; without a membership such a session
        # still reaches no owner's page (CurrentOwnerMiddleware reads memberships each request).
        log.warning("Sessions are not in the database (SESSION_ENGINE); none could be ended.")
        return 0
    ended = 0
    for session in Session.objects.filter(expire_date__gt=now).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user_id):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended
