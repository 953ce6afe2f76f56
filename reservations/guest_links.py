"""The guest's private page link: a long token naming one stay, that nobody can guess or forge.

The token is the stay's id and a keyed signature of it (HMAC-SHA256 under `SECRET_KEY`, salted
for this use, with the stay's `guest_link_version`), so a link costs no row of its own and a list
of stays gives each one's link without a query. `guest_link_renew` bumps the version: every
link sent before stops working, and the guest needs the new one. A link opens only its own
stay's page; whether that page still shows anything (the stay ended, was cancelled) is the
page's decision (`guest_link_open`). Rotating `SECRET_KEY` ends every link too; links made under
a key kept in `SECRET_KEY_FALLBACKS` keep working until it is dropped.
"""

import base64
import hmac
import uuid
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import salted_hmac

from reservations.models import Reservation

SALT = "innkeeper.reservations.guest_page"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(stay_id: uuid.UUID, version: int, secret: str) -> str:
    value = f"{stay_id}:{version}"
    return _b64(salted_hmac(SALT, value, secret=secret, algorithm="sha256").digest())


def guest_token(reservation: Reservation) -> str:
    """The stay's current token: its id, a dot, its signature (66 URL-safe characters)."""
    stay_id = reservation.pk
    signature = _signature(stay_id, reservation.guest_link_version, settings.SECRET_KEY)
    return f"{_b64(stay_id.bytes)}.{signature}"


def guest_page_path(reservation: Reservation) -> str:
    return reverse("guest_page", args=[guest_token(reservation)])


def guest_page_url(reservation: Reservation) -> str:
    """The link as sent to the guest: absolute when the site's public address is set
    (`PUBLIC_BASE_URL`), else the path alone."""
    return settings.PUBLIC_BASE_URL + guest_page_path(reservation)


def _stay_id(token: str) -> uuid.UUID | None:
    head, _, signature = token.partition(".")
    if len(head) != 22 or not signature:
        return None
    try:
        return uuid.UUID(bytes=_unb64(head))
    except (ValueError, TypeError):
        return None


def guest_link_find(token: str) -> Reservation | None:
    """The stay a token names, if its signature is right for the stay's current version; else
    None (a forged, mistyped or renewed link), the same answer whichever way it is wrong."""
    stay_id = _stay_id(token)
    if stay_id is None:
        return None
    stay = (
        Reservation.objects.select_related("owner", "unit", "unit__property")
        .filter(pk=stay_id)
        .first()
    )
    if stay is None:
        return None
    signature = token.partition(".")[2]
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    if any(
        hmac.compare_digest(signature, _signature(stay_id, stay.guest_link_version, secret))
        for secret in secrets
    ):
        return stay
    return None


def guest_link_open(reservation: Reservation, now: datetime) -> bool:
    """Whether the page still shows the stay: not after it ended, never for a cancelled one."""
    return reservation.is_confirmed and now < reservation.ends_at


def guest_link_stay(token: str, now: datetime) -> Reservation | None:
    """The stay a token opens now: found (`guest_link_find`) and still open; else None."""
    stay = guest_link_find(token)
    return stay if stay is not None and guest_link_open(stay, now) else None


def guest_link_renew(*, reservation: Reservation) -> Reservation:
    """A new link for the stay; the old one opens nothing from now on."""
    reservation.guest_link_version += 1  # saved, so the audit log records who renewed it
    reservation.save(update_fields=["guest_link_version", "updated_at"])
    return reservation
