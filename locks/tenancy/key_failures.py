"""API key failures counted per address: after 20 in 5 minutes, that address is refused (429)
until the window passes, for requests without a valid key.

A valid key keeps working from a throttled address: keys are 240 random bits, so guessing one
is hopeless however fast it goes, and refusing everything would let anyone behind the same NAT
or proxy as a property system shut it out with 20 bad requests. What the throttle stops is a
flood of failing requests doing work (a key lookup each) and filling logs.
"""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F

from locks.models import ApiKeyFailure

FAILURE_LIMIT = 20
WINDOW = timedelta(minutes=5)


def key_failure_record(*, address: str, now: datetime) -> None:
    """One more failure from `address`: counted in its window, or starting a new one."""
    current = ApiKeyFailure.objects.filter(address=address, window_start__gt=now - WINDOW)
    if current.update(count=F("count") + 1):
        return
    expired = ApiKeyFailure.objects.filter(address=address, window_start__lte=now - WINDOW)
    if expired.update(window_start=now, count=1):
        return
    # Addresses seen before whose windows are over are not kept.
    ApiKeyFailure.objects.filter(window_start__lte=now - WINDOW).delete()
    try:
        with transaction.atomic():
            ApiKeyFailure.objects.create(address=address, window_start=now, count=1)
    except IntegrityError:  # another request from it inserted first
        current.update(count=F("count") + 1)


def key_failure_retry_after(*, address: str, now: datetime) -> timedelta | None:
    """How long `address` is still refused, or None when it is not."""
    window_start = (
        ApiKeyFailure.objects.filter(
            address=address, window_start__gt=now - WINDOW, count__gte=FAILURE_LIMIT
        )
        .values_list("window_start", flat=True)
        .first()
    )
    return None if window_start is None else window_start + WINDOW - now
