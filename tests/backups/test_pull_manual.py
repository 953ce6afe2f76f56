"""Manual backup codes: one click programs one, and it can be given to a guest."""

from datetime import timedelta

from backups.services import backup_generate, backup_pool_enable, reservation_backups_give
from locks.models import AccessCode
from tests.backups.lockside import opens, pins_on_lock, pool, run, run_through
from tests.reservations.front_desk import book


def test_a_generated_backup_is_programmed_right_away_as_an_ongoing_code(lock, t0):
    backup = backup_generate(lock=lock, now=t0)
    run(t0)

    backup.refresh_from_db()
    assert backup.status == AccessCode.Status.SET
    assert backup.type == AccessCode.Type.ONGOING
    assert backup.is_hidden_backup and not backup.is_pool_backup
    assert opens(lock, backup.code, t0 + timedelta(days=60))
    assert pool(lock).count() == 0, "a manual backup does not turn the pool on"


def test_a_manual_backup_is_given_to_a_guest_and_ends_with_the_stay(owner, room, lock, t0):
    manual = backup_generate(lock=lock, now=t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=2), nights=1)
    run_through(t0, stay.check_in, step=timedelta(minutes=30))

    (door,) = reservation_backups_give(reservation=stay, now=stay.check_in)

    assert door.backup.pk == manual.pk
    assert opens(lock, manual.code, stay.check_in + timedelta(hours=1))
    run_through(stay.check_out, stay.check_out + timedelta(minutes=2))
    assert manual.code not in pins_on_lock(lock)
    # With the pool off, nothing replaces it: the manager generates the next one.
    assert not AccessCode.objects.filter(lock=lock, kind="backup", removed_at__isnull=True)


def test_turning_the_pool_off_leaves_manual_backups_on_the_lock(lock, t0):
    manual = backup_generate(lock=lock, now=t0)
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    assert pool(lock).count() == 5

    backup_pool_enable(lock=lock, now=t0 + timedelta(hours=1), enabled=False)
    run(t0 + timedelta(hours=1))

    assert pins_on_lock(lock) == {manual.code}
    manual.refresh_from_db()
    assert manual.status == AccessCode.Status.SET and manual.deleted_at is None
