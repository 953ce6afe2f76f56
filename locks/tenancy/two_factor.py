"""Two-factor sign-in: a code from an authenticator app (TOTP) after the password, or one of ten
single-use recovery codes instead.

django-otp keeps the devices: a person's `TOTPDevice` (unconfirmed while they set it up, then
confirmed by a first right code) and a `StaticDevice` holding their recovery codes. Both
throttle wrong codes themselves (a wait of 1, 2, 4, 8… seconds after each wrong one in a row).
"Two-factor sign-in is on" means a confirmed `TOTPDevice`.
"""

from dataclasses import dataclass, field
from datetime import datetime

import django_otp
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"

NOT_RIGHT = "That code is not right. Enter the 6 digits your app shows now, or a recovery code."
WRONG_FIRST_CODE = (
    "That code is not right. Check that the app shows the account you just added, and enter "
    "the 6 digits it shows now."
)
NO_CODE = "Enter the 6-digit code from your authenticator app, or a recovery code."


@dataclass(frozen=True)
class CodeCheck:
    """What a typed code proved: the device it matched, or why not (`refusal`, for the person)."""

    device: Device | None
    refusal: str = ""


def code_normalised(code: str) -> str:
    """Spaces and dashes are how people copy codes: `123 456`, `abcd-efgh`."""
    return "".join(code.split()).replace("-", "").lower()


def is_app_code(code: str) -> bool:
    return len(code) == 6 and code.isdigit()


def recovery_code_shown(token: str) -> str:
    """A recovery code as shown: two groups of four (`abcd-efgh`), easier to copy by hand."""
    return f"{token[:4]}-{token[4:]}"


@dataclass(frozen=True)
class Confirmation:
    """Two-factor sign-in turned on (the device, the recovery codes to show once), or not."""

    device: TOTPDevice | None
    recovery_codes: list[str] = field(default_factory=list)
    refusal: str = ""


# --- reads ---------------------------------------------------------------------------------------


def two_factor_device_for(user) -> TOTPDevice | None:
    """The person's confirmed authenticator app, if two-factor sign-in is on."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def two_factor_is_on(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_on_for_member():
    """`two_factor_is_on` of a membership's person, as an annotation: the middleware reads it
    with the person's memberships, so a page pays no query of its own for the gate."""
    return Exists(TOTPDevice.objects.filter(user=OuterRef("user"), confirmed=True))


def two_factor_users(user_ids) -> set[int]:
    """Which of these people have two-factor sign-in on (one query)."""
    found = TOTPDevice.objects.filter(user_id__in=list(user_ids), confirmed=True)
    return set(found.values_list("user_id", flat=True))


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_required_by(memberships) -> list[str]:
    """The owners (names) among these memberships that require it of this person: those where
    they are a manager and the owner requires it for managers."""
    return [m.owner.name for m in memberships if m.is_manager and m.owner.two_factor_for_managers]


def two_factor_required(memberships) -> bool:
    return bool(two_factor_required_by(memberships))


def _wait_words(until: datetime, now: datetime) -> str:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    if seconds < 120:
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    minutes = (seconds + 59) // 60
    return f"{minutes} minutes"


def _throttled(device: Device, now: datetime) -> str:
    allowed, details = device.verify_is_allowed()
    if allowed:
        return ""
    until = (details or {}).get("locked_until")
    wait = f"Wait {_wait_words(until, now)}, then try again." if until else "Try again later."
    return f"Too many wrong codes in a row. {wait}"


# --- changes -------------------------------------------------------------------------------------


def two_factor_start(*, user) -> TOTPDevice:
    """The unconfirmed app device the person is setting up: the same one until confirmed, so
    reloading the page keeps the QR code they may already have scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def two_factor_check(*, user, code: str, now: datetime | None = None) -> CodeCheck:
    """A code typed by a signed-in person, against their app (6 digits) or their recovery codes
    (anything else; a recovery code that matches is used up). Throttled by django-otp."""
    now = now or timezone.now()
    code = code_normalised(code)
    if not code:
        return CodeCheck(None, NO_CODE)
    model = TOTPDevice if is_app_code(code) else StaticDevice
    device = model.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return CodeCheck(None, NOT_RIGHT)
    refusal = _throttled(device, now)
    if refusal:
        return CodeCheck(None, refusal)
    verified = django_otp.verify_token(user, device.persistent_id, code)
    return CodeCheck(verified, "" if verified else NOT_RIGHT)


def two_factor_confirm(*, device: TOTPDevice, code: str, now: datetime | None = None):
    """The first right code from the app turns two-factor sign-in on: the confirmed device and
    the new recovery codes, or why not (`Confirmation.refusal`)."""
    now = now or timezone.now()
    code = code_normalised(code)
    if not is_app_code(code):
        return Confirmation(None, refusal=WRONG_FIRST_CODE)
    refusal = _throttled(device, now)
    if refusal:
        return Confirmation(None, refusal=refusal)
    with transaction.atomic():
        verified = django_otp.verify_token(device.user, device.persistent_id, code)
        if verified is None:
            return Confirmation(None, refusal=WRONG_FIRST_CODE)
        TOTPDevice.objects.filter(user=device.user).exclude(pk=device.pk).delete()
        verified.confirmed = True
        verified.save(update_fields=["confirmed"])
        codes = recovery_codes_renew(user=device.user)
    return Confirmation(verified, recovery_codes=codes)


def recovery_codes_renew(*, user) -> list[str]:
    """Ten new single-use recovery codes; the old ones stop working. Returned once, as shown."""
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
        tokens = set()
        while len(tokens) < RECOVERY_CODE_COUNT:
            tokens.add(StaticToken.random_token())
        StaticToken.objects.bulk_create(StaticToken(device=device, token=t) for t in tokens)
    return [recovery_code_shown(t) for t in sorted(tokens)]


def two_factor_turn_off(*, user) -> int:
    """Remove the person's app and recovery codes (also an operator's reset for a lost phone):
    their password alone signs them in again. Returns how many devices went."""
    with transaction.atomic():
        apps = TOTPDevice.objects.filter(user=user)
        recovery = StaticDevice.objects.filter(user=user)
        count = apps.count() + recovery.count()
        apps.delete()
        recovery.delete()
    return count
