"""Where the layers above reservations let themselves in (as `locks.hooks`, one level up).

- `lockout_raised`: a guest seems locked out at a door (`reservations.entries`); messaging
  texts them a backup for it, when the owner turned that on.
- `stay_changed`: a stay's dates, unit or PIN changed (`reservations.stays`, `guest_codes`);
  messaging tells a guest who already had their arrival message.
"""

from datetime import datetime
from typing import Protocol

from locks.hooks import register


class LockoutRaised(Protocol):
    def __call__(self, *, alert, now: datetime) -> None:
        """`alert`: the new `EntryAlert` (a lockout, raised once per stay and door)."""
        ...


class StayChanged(Protocol):
    def __call__(self, *, reservation, changed: set[str], now: datetime) -> None:
        """`changed`: what the guest would notice, among "dates", "unit" and "pin"."""
        ...


lockout_raised: list[LockoutRaised] = []
stay_changed: list[StayChanged] = []


def lockout_raised_run(*, alert, now: datetime) -> None:
    for hook in lockout_raised:
        hook(alert=alert, now=now)


def stay_facts(reservation) -> tuple:
    """What a guest was told about their stay: its dates, unit and PIN."""
    return (reservation.check_in, reservation.check_out, reservation.unit_id, reservation.pin)


def stay_changed_run(*, reservation, before: tuple, now: datetime) -> None:
    """Run the hooks when the stay's facts differ from `before` (`stay_facts` taken earlier)."""
    after = stay_facts(reservation)
    changed = set()
    if before[:2] != after[:2]:
        changed.add("dates")
    if before[2] != after[2]:
        changed.add("unit")
    if before[3] and before[3] != after[3]:
        changed.add("pin")
    if not changed:
        return
    for hook in stay_changed:
        hook(reservation=reservation, changed=changed, now=now)


__all__ = [
    "lockout_raised",
    "lockout_raised_run",
    "register",
    "stay_changed",
    "stay_changed_run",
    "stay_facts",
]
