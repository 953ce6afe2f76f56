"""Every write to owners, their people, their settings and their API keys."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from locks.audit import audit_record
from locks.errors import ServiceError, saved_clean
from locks.models import ApiKey, Membership, Owner, hash_api_key


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
