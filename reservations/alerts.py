"""What needs a person's attention across an owner's locks, most urgent first.

Alerts are not stored: they are read from what is known now (each lock's last reading, the
codes' errors, the new-device inbox, the stays about to arrive), in a constant number of
queries, so the Alerts page costs the same for 2 locks as for 2,000. Urgent (red) alerts are
also emailed to the owner's `alert_email`, once each until they clear (`alerts_email`).
"""

import logging
import smtplib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core.mail import send_mail
from django.db.models import Q

from locks.devices import rank_replacements
from locks.issue_codes import (
    DEVICE_DISCONNECTED,
    DEVICE_REMOVED,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
)
from locks.models import AccessCode, AlertNotice, DiscoveredDevice, Event, Lock, Owner
from locks.reconcile.changes import KEPT_AFTER_END
from locks.words import local_time
from reservations.models import Reservation

log = logging.getLogger(__name__)

# An arrival this close makes a problem on its doors urgent.
SOON = timedelta(hours=24)
FAILING = (FAILED_TO_SET_ON_DEVICE, FAILED_TO_REMOVE_FROM_DEVICE)
RED, AMBER = "red", "amber"
_RANK = {RED: 0, AMBER: 1}
_NO_ARRIVAL = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Alert:
    """One open problem, in plain words, with what to do about it.

    severity: "red" (act now: an arrival depends on it, or a guest is locked out) or "amber".
    kind: offline_before_arrival, offline, device_removed, low_battery, code_failing,
    code_kept_after_end, replacement_waiting. reservation: the arrival it threatens, if any.
    at: since when.
    device: the new device waiting in the inbox (replacement_waiting only).
    """

    severity: str
    kind: str
    lock: Lock | None
    title: str
    detail: str
    action: str
    reservation: Reservation | None
    at: datetime
    device: DiscoveredDevice | None = None

    @property
    def key(self) -> str:
        """The same problem keeps the same key while it lasts (emails are sent once per key)."""
        parts = (self.kind, self.lock, self.reservation, self.device)
        return ":".join(str(getattr(p, "pk", "")) if p is not None else "" for p in parts)


def open_alerts(owner: Owner, now: datetime) -> list[Alert]:
    """Every open problem of the owner's locks: the next arrival it threatens first, then red
    before amber, then the oldest first.

    Only the locks with something wrong are loaded, and only the arrivals at their doors, so
    the cost follows the problems, not the size of the estate."""
    failing = _failing_codes(owner)
    kept = _kept_after_end(owner, now)
    devices = list(
        DiscoveredDevice.objects.filter(
            account__owner=owner,
            status__in=[DiscoveredDevice.Status.NEW, DiscoveredDevice.Status.GONE],
        ).select_related("account")
    )
    gone = {
        (d.account.driver, d.device_id): d
        for d in devices
        if d.status == DiscoveredDevice.Status.GONE
    }
    waiting = [d for d in devices if d.status == DiscoveredDevice.Status.NEW]
    locks = _locks_in_trouble(owner, [*failing, *kept], list(gone))
    arrivals = _arrivals_at(owner, locks, now)
    next_arrival = _next_arrivals(arrivals)
    codes_on = _guest_codes_on_locks(arrivals)

    alerts: list[Alert] = []
    for lock in locks:
        arrival = next_arrival(lock)
        removed = gone.get((lock.driver, lock.device_id))
        if lock.has_error(DEVICE_REMOVED) or removed is not None:
            alerts.append(_device_removed(lock, arrival, removed, now))
        elif not lock.online:
            waiting_codes = failing.get(lock.pk, [])
            alerts.append(_offline(lock, owner, arrival, codes_on, waiting_codes, now))
        else:
            if lock.battery_below(owner.low_battery_percent):
                alerts.append(_low_battery(lock, owner, arrival, now))
            if failing.get(lock.pk):
                alerts.append(_codes_failing(lock, failing[lock.pk], now))
        if kept.get(lock.pk):
            alerts.append(_code_kept_after_end(lock, kept[lock.pk]))
    for device in waiting:
        alerts.append(_replacement_waiting(device, rank_replacements(device, locks)))
    return sorted(alerts, key=_urgency)


def _urgency(alert: Alert) -> tuple:
    arrival = alert.reservation.check_in if alert.reservation else _NO_ARRIVAL
    return (arrival, _RANK[alert.severity], alert.at)


def _locks_in_trouble(owner: Owner, lock_ids: list[int], gone: list[tuple]) -> list[Lock]:
    """The locks that may raise an alert (a superset, confirmed by the caller): silent
    (offline, or with an error such as a removed device), low, holding failing or lingering
    codes, or whose device has gone (`gone`: driver and device id). Each is an index's range,
    asked for at once (SQLite reads an OR of them whole)."""
    mine = Lock.objects.filter(owner=owner).order_by()
    arms = [
        mine.filter(Q(online=False) | ~Q(errors=[])),  # lock_silent_by_owner
        mine.filter(battery_level__lt=(owner.low_battery_percent + 1) / 100),
        mine.filter(pk__in=lock_ids),
        *(mine.filter(driver=driver, device_id=device_id) for driver, device_id in gone),
    ]
    first, *rest = [arm.values_list("pk", flat=True) for arm in arms]
    found = list(first.union(*rest))
    return list(Lock.objects.filter(pk__in=found).select_related("property", "unit").order_by("pk"))


def _arrivals_at(owner: Owner, locks: list[Lock], now: datetime) -> list[Reservation]:
    """The stays arriving in the next day whose guests need one of these doors, first first."""
    units = {lock.unit_id for lock in locks if lock.unit_id is not None}
    shared = {lock.property_id for lock in locks if lock.unit_id is None}
    if not units and not shared:
        return []
    return list(
        Reservation.objects.filter(
            Q(unit_id__in=units) | Q(unit__property_id__in=shared),
            owner=owner,
            status=Reservation.Status.CONFIRMED,
            checked_out_at__isnull=True,
            check_in__gte=now,
            check_in__lt=now + SOON,
        )
        .select_related("unit")
        .order_by("check_in", "pk")
    )


def _next_arrivals(arrivals: list[Reservation]):
    """A function giving a lock the first stay arriving soon whose guest needs the door (its
    unit's, or any stay of the property for a shared door), from one walk over the arrivals."""
    by_unit: dict[int, Reservation] = {}
    by_property: dict[int, Reservation] = {}
    for stay in arrivals:
        by_unit.setdefault(stay.unit_id, stay)
        by_property.setdefault(stay.unit.property_id, stay)

    def next_arrival(lock: Lock) -> Reservation | None:
        if lock.unit_id is not None:
            return by_unit.get(lock.unit_id)
        return by_property.get(lock.property_id)

    return next_arrival


def _guest_codes_on_locks(arrivals: list[Reservation]) -> set[tuple]:
    """(stay, lock) pairs whose guest code the lock has confirmed: it opens even offline."""
    if not arrivals:
        return set()
    return set(
        AccessCode.objects.filter(
            AccessCode.on_lock(),
            reservation__in=arrivals,
            kind=AccessCode.Kind.GUEST,
            removed_at__isnull=True,
            deleted_at__isnull=True,
        ).values_list("reservation_id", "lock_id")
    )


def _failing_codes(owner: Owner) -> dict[int, list[AccessCode]]:
    """Codes the lock keeps refusing to take or to give up, by lock."""
    rows = (
        AccessCode.objects.filter(owner=owner, is_managed=True, removed_at__isnull=True)
        .exclude(errors=[])
        .select_related("reservation")
        .order_by("created_at")
    )
    by_lock: dict[int, list[AccessCode]] = {}
    for code in rows:
        if any(code.has_error(e) for e in FAILING):
            by_lock.setdefault(code.lock_id, []).append(code)
    return by_lock


def _kept_after_end(owner: Owner, now: datetime) -> dict[int, list[Event]]:
    """Codes the lock's cloud should have removed at their end and left on (removed here
    since), in the last day, by lock, newest first."""
    rows = Event.objects.filter(
        owner=owner,
        event_type=f"access_code.{FAILED_TO_REMOVE_FROM_DEVICE}",
        occurred_at__gte=now - SOON,
        **{f"data__{KEPT_AFTER_END}": True},
    ).select_related("access_code")
    by_lock: dict[int, list[Event]] = {}
    for event in rows:
        by_lock.setdefault(event.lock_id, []).append(event)
    return by_lock


def _code_kept_after_end(lock: Lock, events: list[Event]) -> Alert:
    code = events[0].access_code
    name = code.name if code is not None and code.name else "A code"
    return Alert(
        AMBER,
        "code_kept_after_end",
        lock,
        f"{_count(len(events), 'code')} stayed on {lock.name} after its end",
        f"{name} was still on the lock after its end, though the lock's cloud removes codes "
        "then; Innkeeper removed it.",
        "Check that the lock's cloud account (Seam) is connected and working.",
        None,
        events[-1].occurred_at,
    )


def _since(lock: Lock, error_code: str, now: datetime) -> datetime:
    for error in lock.errors:
        if error["error_code"] == error_code:
            return datetime.fromisoformat(error["created_at"])
    return lock.last_read_at or now


def _arrives(stay: Reservation, lock: Lock) -> str:
    return f"{stay.guest_name} arrives {local_time(stay.check_in, lock.property.tz)}"


def _backup_advice(lock: Lock) -> str:
    if lock.backup_pool_enabled:
        return (
            "If it is not back in time, give the guest a backup code from the stay's page: "
            "backups already on the lock work while it is offline."
        )
    return "If it is not back in time, plan another way in for the guest (a key, or someone there)."


def _offline(
    lock: Lock,
    owner: Owner,
    arrival: Reservation | None,
    codes_on: set[tuple],
    waiting: list[AccessCode],
    now: datetime,
) -> Alert:
    since = _since(lock, DEVICE_DISCONNECTED, now)
    tz = lock.property.tz
    detail = f"It has not answered since {local_time(since, tz)}."
    if lock.battery_below(owner.low_battery_percent):
        detail += f" Its battery was at {lock.battery_percent}% when last heard: it may be flat."
    check = "Check the lock's batteries and its hub or Wi-Fi connection."
    if arrival is None:
        if waiting:
            detail += f" {_count(len(waiting), 'code')} cannot reach it until it is back."
        else:
            detail += " Codes cannot be added to it or taken off it until it is back."
        return Alert(AMBER, "offline", lock, f"{lock.name} is offline", detail, check, None, since)
    if (arrival.pk, lock.pk) in codes_on:
        detail += (
            f" {arrival.guest_name}'s code is already stored on the lock, so the keypad should "
            "still open for them, but nothing on the lock can change until it is back."
        )
    else:
        detail += f" {arrival.guest_name}'s code is not on it yet and cannot be until it is back."
    return Alert(
        RED,
        "offline_before_arrival",
        lock,
        f"{lock.name} is offline and {_arrives(arrival, lock)}",
        detail,
        f"{check} {_backup_advice(lock)}",
        arrival,
        since,
    )


def _device_removed(
    lock: Lock, arrival: Reservation | None, removed: DiscoveredDevice | None, now: datetime
) -> Alert:
    since = _since(lock, DEVICE_REMOVED, now) if removed is None else removed.last_seen_at
    detail = (
        f"Its hub has not listed the device since {local_time(since, lock.property.tz)}: it was "
        "removed or factory reset, and no code can reach this door."
    )
    if arrival is not None:
        detail += f" {_arrives(arrival, lock)}."
    action = (
        "If the lock was reset or swapped, open New devices and choose the new device as its "
        f"replacement: {lock.name} keeps its codes and stays. If the lock was taken away, "
        "delete it."
    )
    return Alert(
        RED if arrival else AMBER,
        DEVICE_REMOVED,
        lock,
        f"{lock.name}'s device is gone",
        detail,
        action,
        arrival,
        since,
    )


def _low_battery(lock: Lock, owner: Owner, arrival: Reservation | None, now: datetime) -> Alert:
    detail = (
        f"It is at {lock.battery_percent}%, below the {owner.low_battery_percent}% alert level. "
        "A lock with flat batteries stops answering, and then stops opening."
    )
    action = "Replace the batteries soon"
    action += f", before {_arrives(arrival, lock)}." if arrival else "."
    return Alert(
        AMBER,
        "low_battery",
        lock,
        f"{lock.name}'s battery is low ({lock.battery_percent}%)",
        detail,
        action,
        arrival,
        lock.last_read_at or now,
    )


def _codes_failing(lock: Lock, codes: list[AccessCode], now: datetime) -> Alert:
    not_set = [c for c in codes if c.has_error(FAILED_TO_SET_ON_DEVICE)]
    not_removed = [c for c in codes if c.has_error(FAILED_TO_REMOVE_FROM_DEVICE)]
    locked_out = [c for c in not_set if _guest_needs_soon(c, now)]
    stay = min((c.reservation for c in locked_out), key=lambda r: r.check_in, default=None)
    parts = []
    if not_set:
        parts.append(f"{_count(len(not_set), 'code')} could not be put on {lock.name}")
    if not_removed:
        parts.append(f"{_count(len(not_removed), 'code')} could not be taken off it")
    title = " and ".join(parts)
    first = codes[0]
    reason = next(e["message"] for e in first.errors if e["error_code"] in FAILING)
    detail = f"{first.name or 'A code'}: {reason}"
    if not_removed:
        detail += " Until a code is off the lock, its PIN still opens the door."
    action = "Check the lock's batteries and connection; it keeps trying."
    if stay is not None:
        when = local_time(stay.check_in, lock.property.tz)
        verb = "arrives" if stay.check_in > now else "is staying since"
        detail += f" {stay.guest_name} {verb} {when} and needs this door."
        action = (
            f"Give {stay.guest_name} a backup code from the stay's page, then check the lock's "
            "batteries and connection; it keeps trying."
        )
    elif not_removed:
        action += " If the code stays on, delete it at the keypad."
    at = min(_error_since(c) for c in codes)
    return Alert(RED if stay else AMBER, "code_failing", lock, title, detail, action, stay, at)


def _guest_needs_soon(code: AccessCode, now: datetime) -> bool:
    """A guest code of a stay that starts within a day or is under way: someone is at the door."""
    stay = code.reservation
    return (
        stay is not None
        and stay.is_confirmed
        and code.deleted_at is None
        and stay.check_in < now + SOON
        and stay.ends_at > now
    )


def _error_since(code: AccessCode) -> datetime:
    return min(
        datetime.fromisoformat(e["created_at"]) for e in code.errors if e["error_code"] in FAILING
    )


def _replacement_waiting(device: DiscoveredDevice, suggestions: list[Lock]) -> Alert:
    replaced = suggestions[0] if suggestions else None
    model = f" ({device.model_name})" if device.model_name else ""
    detail = f"“{device.name}”{model} appeared on {device.account.name}."
    if not device.takes_codes:
        return Alert(
            AMBER,
            "replacement_waiting",
            None,
            "A new device appeared; it cannot hold access codes",
            detail + " It has no keypad, so it cannot be a door here.",
            "Ignore it in New devices, unless you expected it.",
            None,
            device.first_seen_at,
            device,
        )
    if replaced is not None:
        detail += (
            f" {replaced.name} stopped answering around then: it may be that lock after a "
            "factory reset."
        )
    action = "Open New devices and say what it is: a new lock, a replacement for "
    action += (
        f"{replaced.name}, or nothing to manage (ignore it)."
        if replaced
        else ("a lock that was reset, or nothing to manage (ignore it).")
    )
    return Alert(
        AMBER,
        "replacement_waiting",
        replaced,
        "A new device appeared: was a lock reset?",
        detail,
        action,
        None,
        device.first_seen_at,
        device,
    )


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"


# --- emailing the urgent ones -------------------------------------------------------------


def alerts_email(*, owner: Owner, now: datetime) -> int:
    """Email the owner's red alerts that are new, once each; returns how many were sent.

    An alert that has cleared is forgotten, so it is emailed again if it comes back.
    """
    if not owner.alert_email:
        return 0
    urgent = {a.key: a for a in open_alerts(owner, now) if a.severity == RED}
    notices = AlertNotice.objects.filter(owner=owner)
    notices.exclude(key__in=list(urgent)).delete()
    already = set(notices.values_list("key", flat=True))
    new = [a for key, a in urgent.items() if key not in already]
    if not new:
        return 0
    try:
        send_mail(_subject(owner, new), _body(owner, new), None, [owner.alert_email])
    except (smtplib.SMTPException, OSError) as exc:
        # Not recorded as sent, so the next run tries again.
        log.warning("Could not email alerts to %s's alert address: %s", owner.slug, exc)
        return 0
    AlertNotice.objects.bulk_create(
        [AlertNotice(owner=owner, key=a.key, title=a.title[:300], sent_at=now) for a in new]
    )
    return len(new)


def alerts_email_due(*, now: datetime) -> int:
    """Every owner with an alert address (run with device discovery, every few minutes)."""
    return sum(
        alerts_email(owner=owner, now=now) for owner in Owner.objects.exclude(alert_email="")
    )


def _subject(owner: Owner, alerts: list[Alert]) -> str:
    if len(alerts) == 1:
        return f"Innkeeper: {alerts[0].title}"
    return f"Innkeeper: {len(alerts)} urgent problems at {owner.name}"


def _body(owner: Owner, alerts: list[Alert]) -> str:
    blocks = [f"{a.title}\n{a.detail}\nWhat to do: {a.action}" for a in alerts]
    return (
        f"Urgent at {owner.name}:\n\n"
        + "\n\n".join(blocks)
        + "\n\nThe Alerts page in Innkeeper lists every open problem. You get each urgent alert "
        "once; if it clears and comes back, you get it again.\n"
    )
