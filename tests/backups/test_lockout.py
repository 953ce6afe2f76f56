"""A lock that refuses every write for a whole day, from before a guest's code is due.

The guest's own code never reaches the lock; the backup programmed before the trouble does the
job: the front desk gives it in one click, the keypad opens with it for the whole stay, and
never after.
"""

from datetime import timedelta

from backups.services import backup_pool_enable, reservation_backups_give
from locks.models import AccessCode
from locks.simulator import simulated_refuse_writes
from tests.backups.lockside import opens, pins_on_lock, ready, run, run_through
from tests.reservations.front_desk import book

MINUTES_5 = timedelta(minutes=5)


def test_the_guest_gets_in_with_a_backup_while_the_lock_refuses_every_write(owner, room, lock, t0):
    backup_pool_enable(lock=lock, now=t0)
    run(t0)
    assert len(ready(lock)) == 5
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), nights=2)
    code = AccessCode.objects.get(reservation=stay, lock=lock)
    programming_time = code.starts_at - timedelta(minutes=owner.program_lead_minutes)
    trouble = programming_time - timedelta(hours=1)
    simulated_refuse_writes(lock=lock, until=trouble + timedelta(days=1), now=trouble)

    # Until check-in the lock is checked as the scheduler would; the guest's code never lands.
    run_through(trouble, stay.check_in, step=MINUTES_5)
    assert stay.pin not in pins_on_lock(lock)
    assert not opens(lock, stay.pin, stay.check_in)

    (door,) = reservation_backups_give(reservation=stay, now=stay.check_in, every_door=False)
    backup = door.backup
    assert backup is not None, door.problem

    opened, after_the_stay = [], []

    def try_the_keypad(at):
        if at < stay.check_out:
            opened.append(opens(lock, backup.code, at))
            assert stay.pin not in pins_on_lock(lock) or at >= trouble + timedelta(days=1)
        else:
            after_the_stay.append(opens(lock, backup.code, at))

    run_through(
        stay.check_in,
        stay.check_out + timedelta(hours=6),
        step=timedelta(minutes=15),
        each=try_the_keypad,
    )

    assert opened and all(opened), "the backup opens the door for the whole stay"
    assert after_the_stay and not any(after_the_stay), "and never after it"
    code.refresh_from_db()
    events = set(code.events.values_list("event_type", flat=True))
    assert "access_code.failed_to_set_on_device" in events
    backup.refresh_from_db()
    assert backup.status == AccessCode.Status.REMOVED
    assert backup.code not in pins_on_lock(lock)
    assert len(ready(lock)) == 5
