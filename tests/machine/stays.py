"""A stateful model of stays and doors under faults, for Hypothesis to drive.

One owner, one property (Europe/Amsterdam), three apartments with a door each and a shared
building door that holds its own schedules. Rules book, extend, shorten, move, cancel and check
out stays, give backups and new PINs, and hit the doors with what happens in the field: offline
and back, refused writes, a PIN deleted at the keypad, a factory reset followed by the
dashboard's "It replaces this lock", a door moved to another apartment. The clock moves forward
and every pass due runs after every step, as the scheduler's tick would run them.

The invariants are the engine's promises to guests (docs/ARCHITECTURE.md, "A stay's PIN"):
- a stay's PIN changes only through "New PIN", or when a move brings a door where it truly
  cannot go (another code, or a quarantined one, holds it there);
- no door holds two wanted guest codes for one stay, nor one PIN for two stays at once, and
  no lock's memory holds one PIN twice;
- every door of a stay in its window, when the door is reachable, opens to the stay's PIN;
- after a stay ends (its end plus the buffer, a cancellation, an early check-out) neither its
  PIN nor a backup given to it opens a reachable door.

A door is reachable once it is online, accepts writes and has had time to come back from a
fault (`SETTLE`: the longest retry back-off, as a person waiting for it would see).
"""

from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from backups.services import backup_pool_enable, reservation_backups_give
from locks import devices, simulator
from locks.drivers.simulated import keypad_entry
from locks.errors import ServiceError
from locks.models import AccessCode, Lock, Owner, RetiredPin, SimulatedDevice
from locks.reconcile import RETRY_MAX
from locks.services import lock_update
from reservations.guest_codes import doors_of, reservation_new_pin
from reservations.models import Reservation
from reservations.stays import (
    reservation_cancel,
    reservation_check_out_early,
    reservation_create,
    reservation_update,
    reservation_upsert,
)
from tests import factories
from tests.backups.lockside import run

T0 = datetime(2027, 3, 20, 9, 0, tzinfo=UTC)
# After a fault ends, the engine may wait this long before its next try (codes back off up to
# RETRY_MAX; a PIN deleted at the keypad is noticed on the next read, every 15 minutes).
SETTLE = RETRY_MAX + timedelta(minutes=1)
PHONES = ["+31612345678", "+31687655678", "+31611112222", "+31699990000"]
STEPS = [1, 10, 45, 180, 600, 1440]

Guest = AccessCode.Kind.GUEST
Wanted = Q(removed_at__isnull=True, deleted_at__isnull=True)


class StaysAndDoors(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        # Each example runs in a savepoint of the test's transaction, rolled back at teardown.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.now = T0
        self.stays: list[int] = []
        self.pins: dict[int, str] = {}  # what each stay's guest was told
        self.calm_from: dict[int, datetime] = {}  # per door: reachable again from then
        self.log: list[str] = []

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the estate -------------------------------------------------------------------------

    @initialize(
        phone_pins=st.booleans(),
        buffer_after=st.sampled_from([0, 30, 120]),
        quarantine=st.sampled_from([0, 30]),
    )
    def estate(self, phone_pins, buffer_after, quarantine):
        self.owner = factories.OwnerFactory(
            slug="canal",
            name="Canal Apartments",
            guest_pin_source=Owner.PinSource.PHONE if phone_pins else Owner.PinSource.RANDOM,
            buffer_after_minutes=buffer_after,
            pin_quarantine_days=quarantine,
            backup_pool_size=2,
        )
        self.property = factories.PropertyFactory(
            owner=self.owner, name="Canal Apartments", time_zone="Europe/Amsterdam"
        )
        self.units = [
            factories.UnitFactory(property=self.property, name=f"Apartment {n}") for n in (1, 2, 3)
        ]
        self.doors = [
            factories.simulated_lock(
                owner=self.owner,
                property=self.property,
                unit=unit,
                name=f"{unit.name} door",
                now=self.now,
            )
            for unit in self.units
        ]
        entrance = factories.simulated_lock(
            owner=self.owner,
            property=self.property,
            name="Canal building door",
            model="scheduling",
            now=self.now,
        )
        self.doors.append(entrance)
        for door in self.doors:
            backup_pool_enable(lock=door, now=self.now)
        self.hub = simulator.simulated_hub(self.owner)
        devices.account_discover(account=self.hub, now=self.now)
        self.settle()

    def settle(self):
        run(self.now)

    def door(self, n: int) -> Lock:
        return Lock.objects.select_related("owner").get(pk=self.doors[n % len(self.doors)].pk)

    def stay(self, n: int) -> Reservation:
        return Reservation.objects.select_related("owner", "unit__property").get(
            pk=self.stays[n % len(self.stays)]
        )

    def fault(self, door: Lock, until: datetime | None = None) -> None:
        self.calm_from[door.pk] = max(
            self.calm_from.get(door.pk, self.now), (until or self.now) + SETTLE
        )

    def told(self, stay: Reservation) -> None:
        """The stay's guest now knows its PIN (a booking, or "New PIN"; none for a stay booked
        after its end, until new dates give it one)."""
        self.pins[stay.pk] = stay.pin

    def changed_only_if_it_must(self, stay: Reservation, before: str, what: str) -> None:
        """After a move: the PIN may change only where the old one truly cannot go."""
        stay.refresh_from_db()
        if stay.pin == before or not before:  # unchanged, or its first PIN (new dates)
            self.told(stay)
            return
        held = [d.name for d in doors_of(stay.unit) if _held_elsewhere(d, before, stay, self.now)]
        assert held, (
            f"{what}: the PIN of {stay.guest_name} changed ({stay.pin_note!r}) though no other "
            "code holds it on any of its doors"
        )
        self.told(stay)

    # --- stays ------------------------------------------------------------------------------

    @rule(
        unit=st.integers(0, 2),
        starts_in_hours=st.integers(-20, 72),
        hours=st.sampled_from([3, 14, 20, 44, 68]),
        phone=st.sampled_from(PHONES),
        pushed=st.booleans(),
    )
    def book(self, unit, starts_in_hours, hours, phone, pushed):
        check_in = self.now + timedelta(hours=starts_in_hours)
        try:
            stay = reservation_create(
                owner=self.owner,
                unit=self.units[unit],
                guest_name=f"Guest {len(self.stays) + 1}",
                check_in=check_in,
                check_out=check_in + timedelta(hours=hours),
                phone=phone,
                now=self.now,
                source=Reservation.Source.API if pushed else Reservation.Source.MANUAL,
                external_id=f"b{len(self.stays) + 1}" if pushed else "",
            )
        except ServiceError:
            return  # refused (an overlap entered by hand): nothing was booked
        self.stays.append(stay.pk)
        self.told(stay)
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50), hours=st.integers(-30, 48).filter(bool))
    def move_check_out(self, n, hours):
        stay = self.stay(n)
        try:
            reservation_update(
                reservation=stay,
                now=self.now,
                refuse_overlap=stay.source == Reservation.Source.MANUAL,
                check_out=stay.check_out + timedelta(hours=hours),
            )
        except ServiceError:
            return
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50), unit=st.integers(0, 2))
    def move_to_unit(self, n, unit):
        stay = self.stay(n)
        before = stay.pin
        try:
            reservation_update(
                reservation=stay,
                now=self.now,
                refuse_overlap=stay.source == Reservation.Source.MANUAL,
                unit=self.units[unit],
            )
        except ServiceError:
            return
        self.changed_only_if_it_must(stay, before, f"moved to {self.units[unit].name}")
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50), hours=st.integers(-30, 48))
    def push_again(self, n, hours):
        """The booking system sends the stay again: new check-out, and back on if cancelled."""
        stay = self.stay(n)
        if stay.source != Reservation.Source.API:
            return
        before = stay.pin
        try:
            reservation_upsert(
                owner=self.owner,
                source=stay.source,
                external_id=stay.external_id,
                unit=stay.unit,
                now=self.now,
                guest_name=stay.guest_name,
                check_in=stay.check_in,
                check_out=stay.check_out + timedelta(hours=hours),
                phone=stay.phone,
            )
        except ServiceError:
            return
        # Back on after a cancellation, its PIN may since have gone to another stay.
        self.changed_only_if_it_must(stay, before, "pushed again")
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50))
    def cancel(self, n):
        reservation_cancel(reservation=self.stay(n), now=self.now)
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50))
    def check_out_early(self, n):
        try:
            reservation_check_out_early(reservation=self.stay(n), now=self.now)
        except ServiceError:
            return
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50))
    def new_pin(self, n):
        try:
            stay = reservation_new_pin(reservation=self.stay(n), now=self.now)
        except ServiceError:
            return
        self.told(stay)
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(n=st.integers(0, 50))
    def give_backups(self, n):
        try:
            reservation_backups_give(reservation=self.stay(n), now=self.now)
        except ServiceError:
            return
        self.settle()

    # --- time -------------------------------------------------------------------------------

    @rule(minutes=st.sampled_from(STEPS))
    def wait(self, minutes):
        self.now += timedelta(minutes=minutes)
        self.settle()

    # --- the doors --------------------------------------------------------------------------

    @rule(n=st.integers(0, 3), online=st.booleans())
    def set_online(self, n, online):
        door = self.door(n)
        simulator.simulated_set_online(lock=door, online=online, now=self.now)
        self.fault(door)
        self.settle()

    @rule(n=st.integers(0, 3), minutes=st.sampled_from([5, 60, 600]))
    def refuse_writes(self, n, minutes):
        door = self.door(n)
        until = self.now + timedelta(minutes=minutes)
        simulator.simulated_refuse_writes(lock=door, until=until, now=self.now)
        self.fault(door, until)
        self.settle()

    @precondition(lambda self: self.stays)
    @rule(door=st.integers(0, 3), n=st.integers(0, 50))
    def delete_at_keypad(self, door, n):
        door, stay = self.door(door), self.stay(n)
        if simulator.simulated_remove_code(lock=door, code=stay.pin, now=self.now):
            self.fault(door)
        self.settle()

    @rule(n=st.integers(0, 3))
    def reset_and_replace(self, n):
        door = self.door(n)
        waiting = self._reset(door)
        devices.lock_replace_device(owner=self.owner, lock=door, device=waiting, now=self.now)
        self.fault(door)
        self.settle()

    @precondition(lambda self: len(self.doors) < 6)
    @rule()
    def reset_and_register_anew(self):
        """The building door is reset and its new device registered as a door of its own (the
        old one stays, unreachable, until someone deletes it)."""
        waiting = self._reset(self.door(3))
        door = devices.device_register(
            owner=self.owner,
            device=waiting,
            property=self.property,
            name=f"Canal building door {len(self.doors)}",
            now=self.now,
        )
        self.doors.append(door)
        self.fault(door)
        self.settle()

    def _reset(self, door: Lock):
        """Factory reset `door`; five minutes on, its new device waits in the inbox."""
        new = simulator.simulated_factory_reset(lock=door, now=self.now)
        self.settle()
        self.now += timedelta(minutes=5)
        devices.account_discover(account=self.hub, now=self.now)
        return next(d for d in devices.inbox(self.owner) if d.device_id == new.device_id)

    @rule(n=st.integers(0, 3), unit=st.integers(0, 3))
    def move_door(self, n, unit):
        """A door moved to another apartment, or made a shared door of the building (3)."""
        door = self.door(n)
        to = self.units[unit] if unit < 3 else None
        before = dict(
            Reservation.objects.filter(owner=self.owner, status="confirmed").values_list(
                "pk", "pin"
            )
        )
        lock_update(lock=door, name=door.name, location=door.location, unit=to, now=self.now)
        self.fault(door)
        where = to.name if to else "the whole building"
        for stay in self._stays(Q(pk__in=before)):
            self.changed_only_if_it_must(stay, before[stay.pk], f"{door.name} moved to {where}")
        self.settle()

    # --- the promises -----------------------------------------------------------------------

    @invariant()
    def pins_are_what_guests_were_told(self):
        for pk, pin in Reservation.objects.filter(pk__in=self.stays).values_list("pk", "pin"):
            # A stay booked after its end has no PIN until new dates give it one.
            told = self.pins[pk] = self.pins.get(pk) or pin
            assert pin == told, f"stay {pk}'s PIN changed from {told} to {pin}"

    @invariant()
    def one_wanted_code_per_stay_and_door(self):
        doubled = (
            AccessCode.objects.filter(Wanted, kind=Guest, reservation__isnull=False)
            .values("lock__name", "reservation__guest_name")
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not doubled, f"a door holds two guest codes for one stay: {list(doubled)}"

    @invariant()
    def no_pin_twice_on_a_door(self):
        for door in self.doors:
            codes = list(
                AccessCode.objects.filter(lock=door, removed_at__isnull=True).exclude(
                    deleted_at__isnull=False, status=AccessCode.Status.UNSET
                )
            )
            for a in codes:
                for b in codes:
                    if a.pk < b.pk and a.code == b.code and _overlap(a, b):
                        raise AssertionError(
                            f"{door.name} holds PIN {a.code} for {a.name!r} and {b.name!r}"
                        )
            memory = list(_device(door).codes.values_list("code", flat=True))
            assert len(memory) == len(set(memory)), f"{door.name}'s memory holds a PIN twice"

    @invariant()
    def stays_in_their_window_get_in(self):
        for stay in self._stays(Q(status="confirmed", checked_out_at__isnull=True)):
            starts_at, ends_at = stay.code_window(self.owner)
            if not starts_at <= self.now < ends_at:
                continue
            for door in doors_of(stay.unit):
                if self.reachable(door):
                    assert keypad_entry(_device(door), stay.pin, self.now), (
                        f"{stay.guest_name} ({stay.unit.name}) is in their window and "
                        f"{door.name} is reachable, but their PIN does not open it"
                    )

    @invariant()
    def nothing_opens_after_a_stay(self):
        for stay in self._stays():
            _, ends_at = stay.code_window(self.owner)
            if stay.is_confirmed and stay.checked_out_at is None and self.now < ends_at:
                continue
            given = AccessCode.objects.filter(reservation=stay).values_list("code", flat=True)
            for door in self.doors:
                door = Lock.objects.get(pk=door.pk)
                if not self.reachable(door):
                    continue
                for pin in {stay.pin, *given}:
                    stored = keypad_entry(_device(door), pin, self.now)
                    assert not stored or _wanted_elsewhere(door, pin, stay, self.now), (
                        f"{door.name} still opens to {stay.guest_name}'s code after the stay"
                    )

    def _stays(self, *filters):
        return Reservation.objects.filter(*filters, pk__in=self.stays).select_related(
            "owner", "unit__property"
        )

    def reachable(self, door: Lock) -> bool:
        device = _device(door)
        calm = self.calm_from.get(door.pk, self.now) <= self.now
        refusing = device.refuse_writes_until and device.refuse_writes_until > self.now
        return calm and device.online and not device.wiped and not refusing


def _device(lock: Lock) -> SimulatedDevice:
    return SimulatedDevice.objects.get(device_id=Lock.objects.get(pk=lock.pk).device_id)


def _overlap(a: AccessCode, b: AccessCode) -> bool:
    if a.starts_at is None or b.starts_at is None:
        return True
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def _held_elsewhere(door: Lock, pin: str, stay: Reservation, now: datetime) -> bool:
    """Whether something other than `stay` keeps `pin` from `door`: a live code, a removed one
    still in quarantine, or a retired PIN (what `access_code_check_pin` refuses)."""
    quarantine_start = now - timedelta(days=door.owner.pin_quarantine_days)
    others = AccessCode.objects.filter(lock=door, code=pin).exclude(reservation=stay)
    return (
        others.filter(Q(removed_at__isnull=True) | Q(removed_at__gte=quarantine_start)).exists()
        or RetiredPin.objects.filter(lock=door, code=pin, retired_at__gte=quarantine_start).exists()
    )


def _wanted_elsewhere(door: Lock, pin: str, stay: Reservation, now: datetime) -> bool:
    """Whether a code other than `stay`'s is meant to open `door` with `pin` now."""
    lead = door.program_lead(door.owner)
    others = AccessCode.objects.filter(lock=door, code=pin).exclude(reservation=stay)
    return others.filter(AccessCode.wanted_on_lock_at(now, lead)).exists()
