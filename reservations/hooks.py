"""Where the layers above reservations let themselves in (as `locks.hooks`, one level up).

- `lockout_raised`: a guest seems locked out at a door (`reservations.entries`); messaging
  texts them a backup for it, when the owner turned that on.
"""

from datetime import datetime
from typing import Protocol

from locks.hooks import register


class LockoutRaised(Protocol):
    def __call__(self, *, alert, now: datetime) -> None:
        """`alert`: the new `EntryAlert` (a lockout, raised once per stay and door)."""
        ...


lockout_raised: list[LockoutRaised] = []


def lockout_raised_run(*, alert, now: datetime) -> None:
    for hook in lockout_raised:
        hook(alert=alert, now=now)


__all__ = ["lockout_raised", "lockout_raised_run", "register"]
