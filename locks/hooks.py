"""Where the layers above let themselves in: small typed lists of hooks, filled at start-up.

Lower code calls them; the upper app appends its functions in its `AppConfig.ready()`, so
`locks` never imports the apps built on it. Plain lists, not signals: grep shows who is in.
- `doors_changed`: a lock was added or moved to another unit (reservations re-sync their
  guests' codes onto the doors of their unit).
- `before_pass` / `after_pass`: around each reconcile pass of a lock (backups keep the lock's
  pool full before it, and report its health after it; reservations keep the lock's urgent
  spans for the nav's badge after it).
- `door_events`: events a lock reported at its door were stored (reservations record arrivals
  and catch lockouts).
"""

from datetime import datetime
from typing import Protocol

from locks.models import Lock


class DoorsChanged(Protocol):
    def __call__(self, *, lock: Lock, now: datetime, old_unit_id: int | None = None) -> None: ...


class BeforePass(Protocol):
    def __call__(self, *, lock: Lock, now: datetime, codes: list | None = None) -> bool:
        """Work before the pass, given the lock's live codes as the pass loaded them (None: not
        loaded); True when it changed the lock's desired state (the pass then reads them
        again)."""
        ...


class AfterPass(Protocol):
    def __call__(self, *, lock: Lock, now: datetime, codes: list, issues_changed: bool) -> None:
        """Work after the pass, given the lock's live codes as the pass left them and whether
        the pass changed the lock's state or any code's errors or warnings; what it changes on
        `lock` itself (its errors and warnings) is saved with the pass."""
        ...


class DoorEvents(Protocol):
    def __call__(self, *, owner, events: list, now: datetime) -> None:
        """`events`: the owner's lock events just stored, oldest first (each stored once)."""
        ...


doors_changed: list[DoorsChanged] = []
before_pass: list[BeforePass] = []
after_pass: list[AfterPass] = []
door_events: list[DoorEvents] = []


def register(hooks: list, function) -> None:
    """Add `function` once (an app's `ready()` may run more than once in tests)."""
    if function not in hooks:
        hooks.append(function)


def doors_changed_run(*, lock: Lock, now: datetime, old_unit_id: int | None = None) -> None:
    for hook in doors_changed:
        hook(lock=lock, now=now, old_unit_id=old_unit_id)


def before_pass_run(*, lock: Lock, now: datetime, codes: list | None = None) -> bool:
    """Runs every hook; True when any of them changed the desired state."""
    changed = False
    for hook in before_pass:
        changed = hook(lock=lock, now=now, codes=codes) or changed
    return changed


def after_pass_run(*, lock: Lock, now: datetime, codes: list, issues_changed: bool) -> None:
    for hook in after_pass:
        hook(lock=lock, now=now, codes=codes, issues_changed=issues_changed)


def door_events_run(*, owner, events: list, now: datetime) -> None:
    for hook in door_events:
        hook(owner=owner, events=events, now=now)
