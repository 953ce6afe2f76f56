"""A lock's pool fills when it is turned on, empties when it is turned off, and stays healthy."""

from datetime import timedelta

from backups.services import backup_generate, backup_pool_enable, backup_pull
from locks.access_codes import access_code_create
from locks.models import AccessCode
from locks.simulator import simulated_refuse_writes, simulated_remove_code
from tests import factories
from tests.backups.lockside import (
    lock_errors,
    lock_warnings,
    opens,
    pins_on_lock,
    pool,
    ready,
    run,
    run_through,
    warning_message,
    writes,
)


def test_turning_the_pool_on_puts_five_ongoing_backups_on_the_lock(lock, t0):
    backup_pool_enable(lock=lock, now=t0)
    run(t0)

    backups = ready(lock)
    assert len(backups) == 5
    assert {b.type for b in backups} == {AccessCode.Type.ONGOING}
    assert {b.code for b in backups} <= pins_on_lock(lock)
    assert all(opens(lock, b.code, t0 + timedelta(days=30)) for b in backups)
    assert not {"empty_backup_access_code_pool"} & lock_errors(lock)
    assert not {"partial_backup_access_code_pool"} & lock_warnings(lock)


def test_a_lock_keeps_its_own_pool_size_and_others_the_owners(owner, hotel, lock, t0):
    owner.backup_pool_size = 2
    owner.save()
    other = factories.simulated_lock(owner=owner, property=hotel, name="Side door", now=t0)
    backup_pool_enable(lock=lock, now=t0, size=3)
    backup_pool_enable(lock=other, now=t0)
    run(t0)

    assert len(ready(lock)) == 3
    assert len(pins_on_lock(lock)) == 3
    assert len(ready(other)) == 2


def test_an_owner_can_have_the_pool_on_for_every_new_lock(owner, hotel, t0):
    owner.backup_pool_on_new_locks = True
    owner.save()
    new_lock = factories.simulated_lock(owner=owner, property=hotel, name="New door", now=t0)
    run(t0)

    assert new_lock.backup_pool_enabled
    assert len(ready(new_lock)) == 5


def test_turning_the_pool_off_takes_its_backups_off_but_not_a_pulled_or_manual_one(lock, t0):
    backup_pool_enable(lock=lock, now=t0)
    manual = backup_generate(lock=lock, now=t0)
    guest, _ = access_code_create(
        lock=lock, now=t0, name="Guest", starts_at=t0, ends_at=t0 + timedelta(days=2)
    )
    run(t0)
    pulled = backup_pull(access_code=guest, now=t0 + timedelta(minutes=5))
    run(t0 + timedelta(minutes=5))
    in_pool = [b.code for b in ready(lock)]

    backup_pool_enable(lock=lock, now=t0 + timedelta(hours=1), enabled=False)
    run(t0 + timedelta(hours=1))

    assert pool(lock).count() == 0
    assert not set(in_pool) & pins_on_lock(lock)
    assert not any(opens(lock, pin, t0 + timedelta(hours=2)) for pin in in_pool)
    assert opens(lock, pulled.code, t0 + timedelta(hours=2))
    assert opens(lock, manual.code, t0 + timedelta(hours=2))
    pulled.refresh_from_db()
    assert pulled.status == AccessCode.Status.SET

    run(t0 + timedelta(hours=3))
    assert pool(lock).count() == 0, "a pool that is off is not refilled"


def test_a_lost_backup_that_cannot_be_put_back_leaves_the_pool_and_is_replaced(lock, t0):
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    lost = ready(lock)[0]
    before = writes(lock)
    # Someone deletes it at the keypad while the lock refuses every write for two hours.
    simulated_remove_code(lock=lock, code=lost.code, now=t0)
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=2), now=t0)

    def never_hands_out_the_lost_one(at):
        assert lost.pk not in {b.pk for b in ready(lock)}

    run_through(
        t0 + timedelta(minutes=15), t0 + timedelta(hours=1), each=never_hands_out_the_lost_one
    )

    lost.refresh_from_db()
    assert lost.deleted_at is not None and lost.status == AccessCode.Status.REMOVED
    assert len(ready(lock)) == 4
    assert pool(lock).count() == 5, "a replacement waits for the lock to take writes"
    assert "partial_backup_access_code_pool" in lock_warnings(lock)
    assert "4 of 5" in warning_message(lock, "partial_backup_access_code_pool")

    run_through(t0 + timedelta(hours=1), t0 + timedelta(hours=4), step=timedelta(minutes=5))

    assert len(ready(lock)) == 5
    assert pins_on_lock(lock) == {b.code for b in ready(lock)}
    assert "partial_backup_access_code_pool" not in lock_warnings(lock)
    # One replacement, retried on the reconciler's back-off while refused: no storm of writes.
    assert writes(lock) - before <= 12


def test_backups_the_lock_will_not_take_are_retried_not_churned(lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=6), now=t0)
    backup_pool_enable(lock=lock, now=t0)

    run_through(t0, t0 + timedelta(hours=5), step=timedelta(minutes=5))

    assert ready(lock) == []
    assert "empty_backup_access_code_pool" in lock_errors(lock)
    # Replacing a backup cannot help a lock that takes no writes: the same five keep trying.
    assert AccessCode.objects.filter(lock=lock, kind=AccessCode.Kind.BACKUP).count() == 5

    run_through(t0 + timedelta(hours=6), t0 + timedelta(hours=7), step=timedelta(minutes=5))

    assert len(ready(lock)) == 5
    assert "empty_backup_access_code_pool" not in lock_errors(lock)
