"""Invites: a manager asks a person by email to join with a role; the person's link lets them
choose their own name and password (or join with the account they already have).

The manager never handles a password. The link carries a random token that is kept only as a
hash; it works once, for `Invite.LIFETIME_DAYS`, unless the invite is revoked or replaced.
"""

import logging
import smtplib
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from locks.audit import audit_record
from locks.errors import ServiceError
from locks.models import Invite, Membership, Owner

log = logging.getLogger(__name__)

LIFETIME = timedelta(days=Invite.LIFETIME_DAYS)

# Why a link does not work, in the words its page uses.
USED, EXPIRED, REVOKED, UNKNOWN = "used", "expired", "revoked", "unknown"


def users_with_email(email: str):
    """The accounts an address belongs to: their email, or a username that is the address."""
    return get_user_model().objects.filter(Q(email__iexact=email) | Q(username__iexact=email))


def account_for(email: str):
    """The existing account an invite to this address joins, if any (the oldest, if several)."""
    return users_with_email(email).order_by("pk").first()


def invites_open(owner: Owner):
    """Invites neither accepted nor revoked (expired ones too: they can be sent again)."""
    return Invite.objects.filter(owner=owner, accepted_at__isnull=True, revoked_at__isnull=True)


def invite_link(*, token: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("invite_accept", args=[token])


def _send(invite: Invite, *, token: str, base_url: str) -> None:
    context = {
        "invite": invite,
        "link": invite_link(token=token, base_url=base_url),
        "valid_for": f"{Invite.LIFETIME_DAYS} days",
        "inviter": invite.invited_by.get_full_name() or invite.invited_by.get_username()
        if invite.invited_by
        else "",
        "existing": account_for(invite.email),
    }
    subject = f"Join {invite.owner.name} on Innkeeper"
    body = render_to_string("registration/invite_email.txt", context)
    try:
        send_mail(subject, body, None, [invite.email])
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("Could not email an invite for %s: %s", invite.owner.slug, exc)
        raise ServiceError(
            "The invite email could not be sent: the mail server did not take it. Try again in "
            "a few minutes, or ask whoever runs Innkeeper to check its email settings."
        ) from None


def invite_create(
    *, owner: Owner, email: str, role: str, invited_by, now: datetime, base_url: str
) -> Invite:
    """Invite an address with a role and email it the link. An open invite to the same address
    is replaced (its link stops working)."""
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ServiceError("Enter an email address, e.g. ana@example.com.", field="email") from None
    if len(email) > Invite._meta.get_field("email").max_length:
        raise ServiceError("That address is too long; use one under 150 characters.", field="email")
    if role not in Membership.Role.values:
        raise ServiceError("Pick manager or front desk.", field="role")
    if Membership.objects.filter(owner=owner, user__in=users_with_email(email)).exists():
        raise ServiceError(
            f"{email} is already a member here; change their role in the list above.",
            field="email",
        )
    token = Invite.generate_token()
    with transaction.atomic():
        invites_open(owner).filter(email=email).update(revoked_at=now)
        invite = Invite.objects.create(
            owner=owner,
            email=email,
            role=role,
            token_hash=Invite.hash_token(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + LIFETIME,
        )
        _send(invite, token=token, base_url=base_url)
    return invite


def invite_resend(*, invite: Invite, invited_by, now: datetime, base_url: str) -> Invite:
    """Email a fresh link, good for another `LIFETIME_DAYS`: a new invite that replaces this one
    (whose link then says it was replaced)."""
    if invite.accepted_at or invite.revoked_at:
        raise ServiceError("That invite is no longer open; invite the person again.")
    return invite_create(
        owner=invite.owner,
        email=invite.email,
        role=invite.role,
        invited_by=invited_by,
        now=now,
        base_url=base_url,
    )


def invite_revoke(*, invite: Invite, now: datetime) -> None:
    revoked = Invite.objects.filter(
        pk=invite.pk, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    if revoked:
        audit_record(obj=invite, action="revoked")


def invite_find(*, token: str) -> Invite | None:
    return (
        Invite.objects.select_related("owner").filter(token_hash=Invite.hash_token(token)).first()
    )


def invite_problem(invite: Invite | None, *, now: datetime) -> str | None:
    """Why this link cannot be used (USED, EXPIRED, REVOKED, UNKNOWN), or None if it can."""
    if invite is None:
        return UNKNOWN
    if invite.accepted_at:
        return USED
    if invite.revoked_at:
        return REVOKED
    if invite.is_expired(now):
        return EXPIRED
    return None


def _claim(invite: Invite, *, user, now: datetime) -> None:
    """Mark the invite used, once: a second use (even at the same moment) is refused."""
    claimed = Invite.objects.filter(
        pk=invite.pk, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).update(accepted_at=now, accepted_by=user)
    if not claimed:
        raise ServiceError(
            "This invite link no longer works. Ask your manager for a new invite.",
            type="invite_not_usable",
        )


def invite_accept_new(
    *, invite: Invite, first_name: str, last_name: str, password: str, now: datetime
):
    """A new account for the invited address (its username), with the role of the invite."""
    User = get_user_model()
    if not first_name.strip():
        raise ServiceError(
            "Type your first name, as your colleagues will see it.", field="first_name"
        )
    if account_for(invite.email):
        raise ServiceError(
            f"An account for {invite.email} exists already: sign in to accept the invite."
        )
    user = User(
        username=invite.email,
        email=invite.email,
        first_name=first_name.strip()[:150],
        last_name=last_name.strip()[:150],
    )
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError(" ".join(exc.messages), field="password1") from None
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            _claim(invite, user=user, now=now)
            Membership.objects.create(owner=invite.owner, user=user, role=invite.role)
    except IntegrityError:
        raise ServiceError(
            f"An account for {invite.email} exists already: sign in to accept the invite."
        ) from None
    return user


def invite_accept_existing(*, invite: Invite, user, now: datetime) -> Membership:
    """The signed-in account of the invited address joins the owner (no second account). A
    membership it already has keeps its role."""
    if not users_with_email(invite.email).filter(pk=user.pk).exists():
        raise ServiceError(f"This invite is for {invite.email}; sign in with that account.")
    with transaction.atomic():
        _claim(invite, user=user, now=now)
        membership, _ = Membership.objects.get_or_create(
            owner=invite.owner, user=user, defaults={"role": invite.role}
        )
    return membership
