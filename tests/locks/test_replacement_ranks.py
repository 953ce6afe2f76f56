"""A new device's likely replacement, for many devices at once, is the first lock each one's
full ranking gives (`rank_replacements`): the Alerts page asks it of every waiting device."""

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from locks.devices import likely_replacements, rank_replacements
from locks.issue_codes import DEVICE_DISCONNECTED, DEVICE_REMOVED

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class Door:
    pk: int
    owner_id: int
    driver: str
    model_name: str
    online: bool
    last_read_at: datetime | None
    errors: list = field(default_factory=list)

    def has_error(self, error_code: str) -> bool:
        return any(e["error_code"] == error_code for e in self.errors)


@dataclass
class Account:
    owner_id: int
    driver: str


@dataclass
class Device:
    pk: int
    account: Account
    model_name: str
    first_seen_at: datetime


def test_every_devices_likely_replacement_is_its_ranking_first():
    rng = random.Random(12)
    moments = [T0 - timedelta(minutes=m) for m in (0, 5, 5, 30, 90)] + [None]
    for _ in range(200):
        doors = [
            Door(
                pk=n,
                owner_id=rng.choice((1, 2)),
                driver=rng.choice(("simulated", "seam")),
                model_name=rng.choice(("", "Keypad", "Deadbolt")),
                online=rng.random() < 0.3,
                last_read_at=rng.choice(moments),
                errors=rng.choice(
                    ([], [{"error_code": DEVICE_REMOVED}], [{"error_code": DEVICE_DISCONNECTED}])
                ),
            )
            for n in range(rng.randint(0, 12))
        ]
        waiting = [
            Device(
                pk=n,
                account=Account(rng.choice((1, 2)), rng.choice(("simulated", "seam"))),
                model_name=rng.choice(("", "Keypad", "Hub")),
                first_seen_at=rng.choice(moments[:-1]),
            )
            for n in range(rng.randint(1, 4))
        ]
        found = likely_replacements(waiting, doors)
        for device in waiting:
            ranked = rank_replacements(device, doors)
            assert found.get(device.pk) is (ranked[0] if ranked else None)
