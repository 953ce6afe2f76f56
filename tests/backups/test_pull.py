"""Pulling a backup for a stay: once per code, never twice, and it ends with the stay."""

from datetime import timedelta

import pytest

from backups.services import backup_pool_enable, backup_pull, reservation_backups_give
from locks.access_codes import access_code_create
from locks.errors import ServiceError
from locks.models import AccessCode, Event
from locks.simulator import simulated_set_online
from reservations.stays import reservation_cancel, reservation_check_out_early, reservation_update
from tests import factories
from tests.backups.lockside import (
    lock_errors,
    lock_warnings,
    opens,
    pins_on_lock,
    ready,
    run,
    run_through,
)
from tests.reservations.front_desk import book

HOUR = timedelta(hours=1)


@pytest.fixture
def pooled(lock, t0):
    """Room 101's door with its pool on and full."""
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    return lock


@pytest.fixture
def stay(owner, room, pooled, t0):
    """A guest in Room 101 from an hour from now, for two nights; their code is on the door."""
    reservation = book(owner, room, t0, check_in=t0 + HOUR, nights=2)
    run(t0 + timedelta(minutes=30))
    return reservation


def give(stay, at):
    """The front desk's one click: the stay's backup on its door."""
    (door,) = reservation_backups_give(reservation=stay, now=at)
    assert door.backup is not None, door.problem
    return door.backup


def guest_code(stay):
    return AccessCode.objects.get(reservation=stay, kind=AccessCode.Kind.GUEST)


def test_a_pull_is_idempotent_and_marks_the_guests_code(pooled, stay, t0):
    at = stay.check_in
    backup = give(stay, at)
    again = backup_pull(access_code=guest_code(stay), now=at + timedelta(minutes=5))

    assert again.pk == backup.pk
    assert AccessCode.objects.filter(lock=pooled, pulled_at__isnull=False).count() == 1
    code = guest_code(stay)
    assert code.pulled_backup_id == backup.pk
    assert code.has_warning("using_backup_access_code")
    assert backup.type == AccessCode.Type.TIME_BOUND and backup.ends_at == code.ends_at
    events = Event.objects.filter(event_type="access_code.backup_access_code_pulled")
    assert events.count() == 1
    event = events.get()
    assert event.data["backup_access_code_id"] == str(backup.pk)
    for recorded in Event.objects.filter(lock=pooled):
        assert backup.code not in recorded.message
        assert backup.code not in {str(v) for v in recorded.data.values()}


def test_the_pool_refills_and_the_pulled_backup_goes_to_nobody_else(owner, hotel, pooled, stay, t0):
    backup = give(stay, stay.check_in)
    run(stay.check_in)

    assert len(ready(pooled)) == 5
    assert backup.pk not in {b.pk for b in ready(pooled)}
    # The door is shared with a cleaner's code, whose own backup must be another one.
    cleaner, _ = access_code_create(
        lock=pooled,
        now=stay.check_in,
        name="Cleaner",
        starts_at=stay.check_in,
        ends_at=stay.check_in + 3 * HOUR,
    )
    other = backup_pull(access_code=cleaner, now=stay.check_in)
    assert other.pk != backup.pk


def test_the_pulled_backup_opens_the_door_until_the_stay_ends_and_never_after(pooled, stay, t0):
    backup = give(stay, stay.check_in)
    end = guest_code(stay).ends_at

    seen = []

    run_through(
        stay.check_in,
        end + timedelta(minutes=30),
        step=timedelta(minutes=15),
        each=lambda at: seen.append((at, opens(pooled, backup.code, at))),
    )

    assert all(opened for at, opened in seen if at < end)
    assert not any(opened for at, opened in seen if at >= end)
    backup.refresh_from_db()
    assert backup.status == AccessCode.Status.REMOVED
    assert backup.code not in pins_on_lock(pooled)
    assert len(ready(pooled)) == 5


def test_the_backup_follows_an_extended_stay(pooled, stay, t0):
    backup = give(stay, stay.check_in)
    old_end = stay.check_out
    reservation_update(reservation=stay, now=stay.check_in, check_out=old_end + timedelta(days=1))

    run_through(old_end - HOUR, old_end + HOUR, step=timedelta(minutes=15))
    assert opens(pooled, backup.code, old_end + HOUR)

    run_through(old_end + timedelta(days=1), old_end + timedelta(days=1, minutes=5))
    assert not opens(pooled, backup.code, old_end + timedelta(days=1, minutes=6))
    backup.refresh_from_db()
    assert backup.ends_at == old_end + timedelta(days=1)
    assert backup.status == AccessCode.Status.REMOVED


def test_the_backup_follows_a_shortened_stay(pooled, stay, t0):
    backup = give(stay, stay.check_in)
    new_end = stay.check_out - timedelta(days=1)
    reservation_update(reservation=stay, now=stay.check_in, check_out=new_end)

    run_through(new_end - timedelta(minutes=5), new_end + timedelta(minutes=5))

    assert not opens(pooled, backup.code, new_end + timedelta(minutes=6))
    backup.refresh_from_db()
    assert backup.status == AccessCode.Status.REMOVED


@pytest.mark.parametrize("ending", ["early check-out", "cancel"])
def test_the_backup_leaves_the_door_when_the_stay_ends_early(pooled, stay, t0, ending):
    backup = give(stay, stay.check_in)
    at = stay.check_in + 3 * HOUR
    assert opens(pooled, backup.code, at)
    if ending == "cancel":
        reservation_cancel(reservation=stay, now=at)
    else:
        reservation_check_out_early(reservation=stay, now=at)

    run(at)

    assert not opens(pooled, backup.code, at + timedelta(minutes=1))
    backup.refresh_from_db()
    assert backup.status == AccessCode.Status.REMOVED


def test_the_backup_leaves_the_old_door_when_the_stay_moves_rooms(owner, hotel, pooled, stay, t0):
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    other_door = factories.simulated_lock(
        owner=owner, property=hotel, unit=other_room, name="Room 102 door", now=t0
    )
    backup = give(stay, stay.check_in)
    at = stay.check_in + HOUR

    reservation_update(reservation=stay, now=at, unit=other_room)
    run(at)

    assert not opens(pooled, backup.code, at + timedelta(minutes=1))
    assert opens(other_door, stay.pin, at + timedelta(minutes=1))
    backup.refresh_from_db()
    assert backup.status == AccessCode.Status.REMOVED


def test_an_empty_pool_says_so_clearly(owner, hotel, pooled, t0):
    codes = [
        access_code_create(
            lock=pooled, now=t0, name=f"Guest {n}", starts_at=t0, ends_at=t0 + 5 * HOUR
        )[0]
        for n in range(6)
    ]
    run(t0)
    pulled = [backup_pull(access_code=code, now=t0 + timedelta(minutes=1)) for code in codes[:5]]
    assert len({b.pk for b in pulled}) == 5

    with pytest.raises(ServiceError) as refused:
        backup_pull(access_code=codes[5], now=t0 + timedelta(minutes=1))

    assert refused.value.type == "no_backup_access_code_available"
    assert refused.value.status == 409
    assert "No backup code is ready" in refused.value.message
    assert "empty_backup_access_code_pool" in lock_errors(pooled)
    codes[5].refresh_from_db()
    assert codes[5].pulled_backup_id is None

    run(t0 + timedelta(minutes=2))
    assert len(ready(pooled)) == 5
    assert "empty_backup_access_code_pool" not in lock_errors(pooled)
    assert "many_active_backup_codes" in lock_warnings(pooled)


def test_many_pulls_warn_that_guests_codes_may_not_be_reaching_the_lock(pooled, t0):
    codes = [
        access_code_create(
            lock=pooled, now=t0, name=f"Guest {n}", starts_at=t0, ends_at=t0 + 5 * HOUR
        )[0]
        for n in range(3)
    ]
    backup_pull(access_code=codes[0], now=t0)
    backup_pull(access_code=codes[1], now=t0)
    run(t0)
    assert "many_active_backup_codes" not in lock_warnings(pooled)

    backup_pull(access_code=codes[2], now=t0)
    run(t0)
    assert "many_active_backup_codes" in lock_warnings(pooled)

    run_through(t0 + 5 * HOUR, t0 + 5 * HOUR + timedelta(minutes=2))
    assert "many_active_backup_codes" not in lock_warnings(pooled)


def test_only_the_doors_whose_code_is_not_healthy_get_a_backup_unless_asked(
    owner, hotel, room, pooled, t0
):
    entrance = factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=t0)
    backup_pool_enable(lock=entrance, now=t0)
    run(t0)
    stay = book(owner, room, t0, check_in=t0 + 2 * HOUR, nights=1)
    # The room's door loses its network before the guest's code is due: its backups are on it.
    simulated_set_online(lock=pooled, online=False, now=t0)
    run_through(t0 + HOUR, stay.check_in, step=timedelta(minutes=15))

    at = stay.check_in
    doors = reservation_backups_give(reservation=stay, now=at, every_door=False)

    assert [(d.lock.pk, d.backup is not None) for d in doors] == [(pooled.pk, True)]
    assert opens(pooled, doors[0].backup.code, stay.check_in + HOUR)
    assert not opens(pooled, stay.pin, stay.check_in + HOUR)
    every = {d.lock.pk: d.backup for d in reservation_backups_give(reservation=stay, now=at)}
    assert every[pooled.pk].pk == doors[0].backup.pk
    assert every[entrance.pk] is not None
    assert opens(entrance, every[entrance.pk].code, at)
