"""What each alert says: its title, what is known, and what to do, in plain words.

`reservations.alerts.ranking` decides which problems are open and in what order (and so each
one's severity, the stay it threatens and since when); the functions here write the alert of one
problem from its lock and stay, for the alerts a person is about to read.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from locks.issue_codes import DEVICE_REMOVED, FAILED_TO_REMOVE_FROM_DEVICE, FAILED_TO_SET_ON_DEVICE
from locks.models import DiscoveredDevice, Lock, Owner, WebhookEndpoint
from locks.words import local_time
from reservations.models import EntryAlert, Reservation

FAILING = (FAILED_TO_SET_ON_DEVICE, FAILED_TO_REMOVE_FROM_DEVICE)
RED, AMBER = "red", "amber"


@dataclass(frozen=True)
class Alert:
    """One open problem, in plain words, with what to do about it.

    severity: "red" (act now: an arrival depends on it, or a guest is locked out) or "amber".
    kind: offline_before_arrival, offline, device_removed, low_battery, code_failing,
    code_kept_after_end, replacement_waiting, webhook_switched_off. reservation: the arrival
    it threatens, if any. at: since when.
    device: the new device waiting in the inbox (replacement_waiting only).
    webhook: the webhook endpoint switched off (webhook_switched_off only; no lock).
    The lock is loaded with what the alert's words and the Alerts page read of it (its name,
    battery, backup pool and property's time zone: `ranking._WRITTEN_FROM`); another field is
    read from the database when asked for.
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
    # Trouble a lock reported at a stay's door (a lockout, a late entry): it stays until its
    # guest gets in or a person marks it handled.
    entry_alert: EntryAlert | None = None
    webhook: WebhookEndpoint | None = None

    @property
    def key(self) -> str:
        """The same problem keeps the same key while it lasts (emails are sent once per key)."""
        parts = (self.kind, self.lock, self.reservation, self.device)
        key = ":".join(str(getattr(p, "pk", "")) if p is not None else "" for p in parts)
        if self.webhook is not None:
            # Each time an endpoint is switched off is a problem of its own.
            key += f":{self.webhook.pk}:{self.webhook.disabled_at:%Y%m%d%H%M%S}"
        return key


def code_kept_after_end(lock: Lock, count: int, newest: str | None, at: datetime) -> Alert:
    """`count` codes found on the lock after their end; `newest`: the last one's name; `at`:
    when the first was found."""
    name = newest or "A code"
    return Alert(
        AMBER,
        "code_kept_after_end",
        lock,
        f"{_count(count, 'code')} stayed on {lock.name} after its end",
        f"{name} was still on the lock after its end, though the lock's cloud removes codes "
        "then; Innkeeper removed it.",
        "Check that the lock's cloud account (Seam) is connected and working.",
        None,
        at,
    )


def locked_out(entry: EntryAlert, lock: Lock, stay: Reservation) -> Alert:
    """Wrong PINs at a stay's door around its check-in, and no entry since."""
    tz = lock.property.tz
    detail = (
        f"{entry.attempts} wrong PINs were typed at {lock.name}, the last at "
        f"{local_time(entry.last_attempt_at, tz)}, and {stay.guest_name} (check-in "
        f"{local_time(stay.check_in, tz)}) has not got in there since."
    )
    if not entry.attempts:  # raised by the guest, from their page
        detail = (
            f"{stay.guest_name} (check-in {local_time(stay.check_in, tz)}) said on their page "
            f"at {local_time(entry.last_attempt_at, tz)} that their code does not open "
            f"{lock.name}, and has not got in there since."
        )
    if entry.help_given:
        detail += " " + entry.help_given
    reach = f" on {stay.phone}" if stay.phone else ""
    return Alert(
        RED,
        EntryAlert.Kind.LOCKOUT,
        lock,
        f"Guest may be locked out at {lock.name}",
        detail,
        f"Call {stay.guest_name}{reach}. Give a backup code from the stay's page, or unlock the "
        "door remotely from there if the lock can.",
        stay,
        entry.raised_at,
        entry_alert=entry,
    )


def late_entry(entry: EntryAlert, lock: Lock, stay: Reservation, owner: Owner) -> Alert:
    """A door opened to a stay's code after the stay ended: a code that should be gone."""
    tz = lock.property.tz
    _, ended = stay.code_window(owner)
    code = (
        "a backup given to the stay"
        if (entry.event and entry.event.data.get("is_backup"))
        else "the stay's PIN"
    )
    return Alert(
        RED,
        EntryAlert.Kind.LATE_ENTRY,
        lock,
        f"{lock.name} opened to {stay.guest_name}'s code after the stay",
        f"At {local_time(entry.last_attempt_at, tz)} {lock.name} opened to {code}, though the "
        f"stay's access ended at {local_time(ended, tz)}.",
        "Check who is there. Innkeeper removes the code at the lock's next pass; if the lock "
        "keeps refusing, remove it at the keypad. Mark this handled once you have.",
        stay,
        entry.raised_at,
        entry_alert=entry,
    )


def _arrives(stay: Reservation, lock: Lock) -> str:
    return f"{stay.guest_name} arrives {local_time(stay.check_in, lock.property.tz)}"


def _backup_advice(lock: Lock) -> str:
    if lock.backup_pool_enabled:
        return (
            "If it is not back in time, give the guest a backup code from the stay's page: "
            "backups already on the lock work while it is offline."
        )
    return "If it is not back in time, plan another way in for the guest (a key, or someone there)."


def offline(
    lock: Lock,
    owner: Owner,
    arrival: Reservation | None,
    code_on_lock: bool,
    waiting: int,
    since: datetime,
) -> Alert:
    """`code_on_lock`: the lock confirmed `arrival`'s guest code; `waiting`: its failing codes."""
    tz = lock.property.tz
    detail = f"It has not answered since {local_time(since, tz)}."
    if lock.battery_below(owner.low_battery_percent):
        detail += f" Its battery was at {lock.battery_percent}% when last heard: it may be flat."
    check = "Check the lock's batteries and its hub or Wi-Fi connection."
    if arrival is None:
        if waiting:
            detail += f" {_count(waiting, 'code')} cannot reach it until it is back."
        else:
            detail += " Codes cannot be added to it or taken off it until it is back."
        return Alert(AMBER, "offline", lock, f"{lock.name} is offline", detail, check, None, since)
    if code_on_lock:
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
        f"{lock.name} is offline: {_arrives(arrival, lock)}; "
        + ("their code is on the lock" if code_on_lock else "their code cannot be set"),
        detail,
        f"{check} {_backup_advice(lock)}",
        arrival,
        since,
    )


def device_removed(lock: Lock, arrival: Reservation | None, since: datetime) -> Alert:
    detail = (
        f"Its hub has not listed the device since {local_time(since, lock.property.tz)}: it was "
        "removed or factory reset, and no code can reach this door."
    )
    title = f"{lock.name}'s device is gone"
    if arrival is not None:
        detail += f" {_arrives(arrival, lock)}."
        title += f": {_arrives(arrival, lock)}; their code cannot be set"
    action = (
        "If the lock was reset or swapped, open New devices and choose the new device as its "
        f"replacement: {lock.name} keeps its codes and stays. If the lock was taken away, "
        "delete it."
    )
    return Alert(
        RED if arrival else AMBER,
        DEVICE_REMOVED,
        lock,
        title,
        detail,
        action,
        arrival,
        since,
    )


def low_battery(lock: Lock, owner: Owner, arrival: Reservation | None, at: datetime) -> Alert:
    detail = (
        f"It is at {lock.battery_percent}%, below the {owner.low_battery_percent}% alert level. "
        "A lock with flat batteries stops answering, and then stops opening."
    )
    action = "Replace the batteries soon"
    action += f", before {_arrives(arrival, lock)}." if arrival else "."
    title = f"{lock.name}'s battery is low ({lock.battery_percent}%)"
    if arrival is not None:
        title += f": {_arrives(arrival, lock)}"
    return Alert(
        AMBER,
        "low_battery",
        lock,
        title,
        detail,
        action,
        arrival,
        at,
    )


def codes_failing(
    lock: Lock, codes: Sequence, stay: Reservation | None, at: datetime, now: datetime
) -> Alert:
    """`codes`: the lock's failing codes, oldest first (anything with a code's `name`, `errors`
    and `has_error`); `stay`: the first whose guest is at the door (a stay starting within a
    day or under way) without their code, if any; `at`: since when the first failed."""
    not_set = [c for c in codes if c.has_error(FAILED_TO_SET_ON_DEVICE)]
    not_removed = [c for c in codes if c.has_error(FAILED_TO_REMOVE_FROM_DEVICE)]
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
        title += f": {stay.guest_name} {verb} {when}"
        action = (
            f"Give {stay.guest_name} a backup code from the stay's page, then check the lock's "
            "batteries and connection; it keeps trying."
        )
    elif not_removed:
        action += " If the code stays on, delete it at the keypad."
    return Alert(RED if stay else AMBER, "code_failing", lock, title, detail, action, stay, at)


def replacement_waiting(device: DiscoveredDevice, replaced: Lock | None) -> Alert:
    """`replaced`: the silent lock it most likely replaces, if any."""
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


def webhook_switched_off(endpoint: WebhookEndpoint) -> Alert:
    """An endpoint switched off after five days of failed deliveries: the owner's software no
    longer hears of its events."""
    reason = endpoint.disabled_reason or "Every delivery to it failed for five days."
    detail = (
        f"{reason} No new event is sent to it, so the software receiving them misses what "
        "happens; what was waiting goes out, in order, once it is switched back on."
    )
    action = (
        "Fix the receiver at that address (it must answer with a 2xx status), then switch the "
        "endpoint back on in Settings → Webhooks and send it a test event."
    )
    return Alert(
        RED,
        "webhook_switched_off",
        None,
        f"Webhook endpoint switched off: {endpoint.url}",
        detail,
        action,
        None,
        endpoint.disabled_at,
        webhook=endpoint,
    )


def _count(n: int, noun: str) -> str:
    return f"1 {noun}" if n == 1 else f"{n} {noun}s"
