"""The nav's badge: when each lock's problem is urgent, kept as data, so the badge is one count
(with the webhook endpoints switched off, which are red while they are off).

`reservations.alerts.open_alerts` works an owner's alerts out from what is known now; the badge
is on every page, so it reads `UrgentSpan` rows instead: for each lock, the spans of time in
which its problem is red, by the same rules as the Alerts page:
- offline, or its device removed: the day before each arrival at its doors (stays arriving in
  the next two days: more than a lock's poll ahead of the day they turn red);
- online with a guest code the lock refuses: from a day before that stay until its end.
Time passing needs no work (a span starts and ends by itself). The spans change only when what
they are made of does, and are rewritten then: after every reconcile pass of the lock (which is
what changes a lock's or a code's state: `locks.hooks.after_pass`) and whenever a stay's codes
are synced (every stay service ends there). So the badge never lags the Alerts page by more
than one pass of the lock (its poll, 15 minutes by default) for a device its hub stopped listing
before the lock's own read says so; everything else is the same as the page at once.
"""

from datetime import datetime, timedelta

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from locks.issue_codes import DEVICE_REMOVED, FAILED_TO_SET_ON_DEVICE
from locks.models import AccessCode, DiscoveredDevice, Lock, Owner, WebhookEndpoint
from reservations.alerts import SOON  # an arrival this close makes its doors' problems urgent
from reservations.alerts.ranking import open_entry_alerts
from reservations.models import Reservation, UrgentSpan

# How far ahead arrivals are looked at: a day before they turn red, refreshed every pass.
AHEAD = SOON + timedelta(hours=24)


def urgent_count(owner: Owner, now: datetime) -> int:
    """How many locks have a red alert now, and webhook endpoints switched off (red too): the
    nav's badge, in one query. Locks, not rows: a pass and a stay's change rewriting one lock's
    spans at once may leave its spans twice, and a door with trouble its lock reported (a
    lockout, a late entry) may have spans too. Lock ids and endpoint ids (UUIDs) meet in one
    union as text."""
    urgent = UrgentSpan.objects.filter(owner=owner, ends_at__gt=now, starts_at__lte=now)
    entries = open_entry_alerts(owner, now).order_by()
    switched_off = WebhookEndpoint.objects.filter(owner=owner, disabled_at__isnull=False)
    return (
        urgent.values(item=_text("lock_id"))
        .union(
            entries.values(item=_text("lock_id")),
            switched_off.order_by().values(item=_text("pk")),
        )
        .count()
    )


def _text(field: str) -> Cast:
    return Cast(field, output_field=CharField())


def urgent_spans_after_pass(
    *, lock: Lock, now: datetime, codes: list[AccessCode], issues_changed: bool
) -> None:
    """The `after_pass` hook. A pass that changed no issue on a lock it read leaves its spans as
    the last refresh wrote them (a poll, a code programmed: no query); an offline lock's are
    rewritten every pass, as arrivals come within reach of its alert."""
    if lock.online and not lock.has_error(DEVICE_REMOVED):
        if issues_changed:
            # Just read: the device is there, whatever discovery last said of it.
            _rewrite(lock, _code_spans(lock, now, codes))
        return
    urgent_spans_refresh(lock=lock, now=now)


def urgent_spans_refresh(*, lock: Lock, now: datetime) -> None:
    """Rewrite the lock's urgent spans from its state now (after a pass, or a stay's change)."""
    if lock.has_error(DEVICE_REMOVED) or not lock.online or _device_gone(lock):
        spans = [(stay.check_in - SOON, stay.check_in) for stay in _arrivals(lock, now)]
    else:
        spans = _code_spans(lock, now, None)
    _rewrite(lock, spans)


def _rewrite(lock: Lock, spans: list[tuple[datetime, datetime]]) -> None:
    UrgentSpan.objects.filter(lock=lock).delete()
    UrgentSpan.objects.bulk_create(
        UrgentSpan(owner_id=lock.owner_id, lock=lock, starts_at=start, ends_at=end)
        for start, end in _merged(spans)
    )


def _code_spans(lock: Lock, now: datetime, codes) -> list[tuple[datetime, datetime]]:
    """An online lock's: from a day before each stay whose code it refuses, to its end."""
    return [
        (code.reservation.check_in - SOON, code.reservation.ends_at)
        for code in _refused_guest_codes(lock, codes)
        if code.has_error(FAILED_TO_SET_ON_DEVICE) and code.reservation.ends_at > now
    ]


def _device_gone(lock: Lock) -> bool:
    return DiscoveredDevice.objects.filter(
        account__owner_id=lock.owner_id,
        account__driver=lock.driver,
        device_id=lock.device_id,
        status=DiscoveredDevice.Status.GONE,
    ).exists()


def _arrivals(lock: Lock, now: datetime) -> list[Reservation]:
    """Stays arriving soon whose guests need this door: its unit's, or the property's."""
    door = Q(unit_id=lock.unit_id) if lock.unit_id else Q(unit__property_id=lock.property_id)
    return list(
        Reservation.objects.filter(
            door,
            owner_id=lock.owner_id,
            status=Reservation.Status.CONFIRMED,
            checked_out_at__isnull=True,
            check_in__gte=now,
            check_in__lt=now + AHEAD,
        ).only("check_in")
    )


def _refused_guest_codes(lock: Lock, codes) -> list[AccessCode]:
    """The lock's stays' codes with an error, with their stays; from `codes` when given (only
    those with an error are read again, with their stay)."""
    found = AccessCode.objects.filter(
        lock=lock,
        is_managed=True,
        removed_at__isnull=True,
        deleted_at__isnull=True,
        reservation__status=Reservation.Status.CONFIRMED,
    ).exclude(errors=[])
    if codes is not None:
        with_errors = [c.pk for c in codes if c.errors and c.reservation_id and c.is_managed]
        if not with_errors:
            return []
        found = found.filter(pk__in=with_errors)
    return list(found.select_related("reservation"))


def _merged(spans: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping or touching spans as one, so a lock counts once at any moment."""
    merged: list[tuple[datetime, datetime]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged
