"""Which stays need a key as well as a PIN: a room with no smart lock of its own.

A guest needs every door `guest_codes.doors_of` names: the room's own and the property's shared
ones. When the room has none of its own, the PIN opens only the shared doors (the street
entrance) and the room needs a key; with no lock at all, the stay is keys only. The desk reads
this on the stay's page and on its row of Today and Reservations.
"""

from collections.abc import Iterable

from locks.models import Lock, Unit
from reservations.guest_codes import doors_of_units
from reservations.models import Reservation


def _names(doors: list[Lock]) -> str:
    names = [door.name for door in doors]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def key_note(unit: Unit, doors: list[Lock]) -> str:
    """What a guest of `unit` needs a key for, given its doors; '' when its own door has a
    smart lock."""
    if not doors:
        return f"No smart lock for this stay: {unit.name} needs a key."
    if any(door.unit_id == unit.pk for door in doors):
        return ""
    locks = "has a smart lock" if len(doors) == 1 else "have smart locks"
    return f"Only {_names(doors)} {locks}; {unit.name} needs a key."


def key_notes_attach(stays: Iterable[Reservation]) -> None:
    """Give each stay its `key_note` (`key_note` of its unit): one query for them all."""
    stays = list(stays)
    doors = doors_of_units({stay.unit_id: stay.unit for stay in stays}.values())
    for stay in stays:
        stay.key_note = key_note(stay.unit, doors[stay.unit_id])
