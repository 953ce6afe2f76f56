"""An audit entry in plain words: "Ana (dashboard) changed stay Maria Silva: check-out
Sat 5 Dec 11:00 -> Sun 6 Dec 11:00"."""

import datetime
import json
from dataclasses import dataclass

from locks.audit.capture import KINDS, SECRET, SECRET_SET
from locks.models import AuditEntry

VERBS = {
    "created": "added",
    "changed": "changed",
    "deleted": "removed",
    "cancelled": "cancelled",
    "checked_out": "checked out",
    "new_pin": "gave a new PIN to",
    "new_guest_link": "made a new guest page link for",
    "pin_revealed": "saw the PIN of",
    "backup_given": "gave a backup code for",
    "revoked": "revoked",
}

# The actions the page's filter offers, in its order.
ACTIONS = [(action, verb[0].upper() + verb[1:]) for action, verb in VERBS.items()]

EMPTY = "(none)"


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str
    secret: bool = False

    def __str__(self) -> str:
        if self.secret:
            return f"{self.field} changed" if self.before else f"{self.field} set"
        return f"{self.field} {self.before} -> {self.after}"


def value_words(value) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(value_words(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return f"{moment:%a} {moment.day} {moment:%b} {moment:%H:%M}"
    return str(value)


def noun(entry: AuditEntry) -> str:
    tracked = KINDS.get(entry.object_type)
    return tracked.noun if tracked else entry.object_type.replace("_", " ")


def changes_of(entry: AuditEntry) -> list[Change]:
    """In the order the model's fields are registered (PostgreSQL's jsonb keeps no order)."""
    tracked = KINDS.get(entry.object_type)
    order = {name: n for n, name in enumerate(tracked.fields)} if tracked else {}
    changes = entry.changes or {}
    found = []
    for name in sorted(changes, key=lambda name: (order.get(name, len(order)), name)):
        pair = changes[name]
        before, after = (list(pair) + [None, None])[:2]
        field = tracked.field_name(name) if tracked else name.replace("_", " ")
        if SECRET in (before, after) or after == SECRET_SET:
            found.append(Change(field, before or "", after or "", secret=True))
        else:
            found.append(Change(field, value_words(before), value_words(after)))
    return found


def who(entry: AuditEntry) -> str:
    if entry.source == AuditEntry.Source.API:
        return entry.actor_label
    return f"{entry.actor_label} ({entry.get_source_display().lower()})"


def entry_sentence(entry: AuditEntry) -> str:
    verb = VERBS.get(entry.action, entry.action.replace("_", " "))
    head = f"{who(entry)} {verb} {noun(entry)} {entry.object_label}".rstrip()
    changes = changes_of(entry)
    if not changes or entry.action == "created":
        return head
    return f"{head}: " + "; ".join(str(change) for change in changes)
