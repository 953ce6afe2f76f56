"""A code's life on the lock, against simulated time: programmed ahead, set, moved, removed."""

from datetime import timedelta

from locks import scheduler
from locks.access_codes import access_code_create, access_code_delete, access_code_update
from locks.drivers.simulated import keypad_entry
from locks.models import AccessCode, Event, SimulatedDevice
from locks.simulator import simulated_refuse_writes, simulated_set_online
from tests import factories

Status = AccessCode.Status
DAY = timedelta(days=1)


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def pins_on(lock):
    return sorted(device_of(lock).codes.values_list("code", flat=True))


def opens(lock, pin, now):
    return keypad_entry(device_of(lock), pin, now) is not None


def event_types(code):
    return list(Event.objects.filter(access_code=code).values_list("event_type", flat=True))


def reconcile(code, now):
    scheduler.run_due_locks(now=now)
    code.refresh_from_db()
    return code


def test_it_programs_a_time_bound_code_no_earlier_than_the_lead_time(lock, t0):
    starts = t0 + timedelta(hours=2)
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + 2 * DAY)

    for minutes in (0, 15, 30, 60, 89):
        reconcile(code, t0 + timedelta(minutes=minutes))
        assert code.status == Status.UNSET
        assert pins_on(lock) == []

    reconcile(code, starts - timedelta(minutes=30))
    assert code.status == Status.SET
    assert pins_on(lock) == [code.code]
    assert "access_code.set_on_device" in event_types(code)


def test_it_makes_the_lock_due_exactly_when_the_lead_time_begins(owner, lock, t0):
    owner.lock_poll_minutes = 24 * 60  # so the next poll does not hide the code's own due time
    owner.save()
    starts = t0 + timedelta(hours=5)
    access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + DAY)
    scheduler.run_due_locks(now=t0)

    assert scheduler.due_lock_ids(now=starts - timedelta(minutes=31)) == []
    assert scheduler.due_lock_ids(now=starts - timedelta(minutes=30)) == [lock.pk]


def test_it_sets_an_ongoing_code_right_away(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, name="Housekeeping")

    reconcile(code, t0)

    assert code.status == Status.SET
    assert opens(lock, code.code, t0 + 365 * DAY)


def test_it_never_says_set_while_the_lock_refuses_the_write(lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=1), now=t0)
    code, _ = access_code_create(lock=lock, now=t0)

    for minutes in range(0, 60, 5):
        reconcile(code, t0 + timedelta(minutes=minutes))
        assert code.status != Status.SET
        assert pins_on(lock) == []
    assert "access_code.set_on_device" not in event_types(code)


def test_it_removes_the_code_at_checkout(lock, t0):
    starts, ends = t0 + timedelta(minutes=10), t0 + DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=ends)
    reconcile(code, t0)
    assert opens(lock, code.code, ends - timedelta(minutes=1))

    reconcile(code, ends - timedelta(minutes=1))
    assert code.status == Status.SET

    reconcile(code, ends)
    assert code.status == Status.REMOVED
    assert code.removed_at == ends
    assert pins_on(lock) == []
    assert not opens(lock, code.code, ends)
    assert "access_code.removed_from_device" in event_types(code)


def test_it_removes_a_deleted_code_from_the_lock(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0)
    reconcile(code, t0)

    later = t0 + timedelta(hours=3)
    access_code_delete(access_code=code, now=later)
    reconcile(code, later)

    assert code.status == Status.REMOVED
    assert pins_on(lock) == []
    assert not opens(lock, code.code, later)
    assert event_types(code).count("access_code.removed_from_device") == 1


def test_it_ends_a_deleted_code_that_never_reached_the_lock_without_writing(lock, t0):
    starts = t0 + 3 * DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + DAY)
    reconcile(code, t0)

    access_code_delete(access_code=code, now=t0 + timedelta(hours=1))
    reconcile(code, t0 + timedelta(hours=1))

    assert code.status == Status.REMOVED
    assert device_of(lock).writes == 0


def test_it_takes_a_code_off_the_lock_when_its_stay_is_moved_later(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, starts_at=t0, ends_at=t0 + DAY)
    reconcile(code, t0)
    assert code.status == Status.SET

    moved = t0 + 3 * DAY
    now = t0 + timedelta(hours=1)
    access_code_update(access_code=code, now=now, starts_at=moved, ends_at=moved + DAY)
    reconcile(code, now)

    assert code.status == Status.UNSET
    assert pins_on(lock) == []

    reconcile(code, moved - timedelta(minutes=30))
    assert code.status == Status.SET
    assert opens(lock, code.code, moved)


def test_it_follows_an_extended_stay_instead_of_removing_at_the_old_checkout(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, starts_at=t0, ends_at=t0 + DAY)
    reconcile(code, t0)

    access_code_update(
        access_code=code, now=t0 + timedelta(hours=2), starts_at=t0, ends_at=t0 + 2 * DAY
    )
    reconcile(code, t0 + DAY)

    assert code.status == Status.SET
    assert opens(lock, code.code, t0 + DAY + timedelta(hours=1))
    reconcile(code, t0 + 2 * DAY)
    assert code.status == Status.REMOVED
    assert pins_on(lock) == []


def test_a_new_pin_replaces_the_old_one_on_the_lock(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, code="4831")
    reconcile(code, t0)

    later = t0 + timedelta(hours=1)
    access_code_update(access_code=code, now=later, code="5927")
    reconcile(code, later)

    assert code.status == Status.SET
    assert pins_on(lock) == ["5927"]
    assert opens(lock, "5927", later)
    assert not opens(lock, "4831", later)


# --- locks that hold the schedule themselves ------------------------------------------------------


def scheduling_lock(owner, hotel, t0):
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Villa gate", now=t0, model="scheduling"
    )


def test_a_native_lock_gets_the_code_72_hours_ahead_with_its_window(owner, hotel, t0):
    lock = scheduling_lock(owner, hotel, t0)
    starts = t0 + 4 * DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + 2 * DAY)

    reconcile(code, starts - timedelta(hours=72, minutes=1))
    assert code.status == Status.UNSET

    reconcile(code, starts - timedelta(hours=72))
    # Seam's words: `unset` until its window begins, though the lock already holds it.
    assert (code.status, code.is_scheduled_on_device) == (Status.UNSET, True)
    on_device = device_of(lock).codes.get()
    assert (on_device.starts_at, on_device.ends_at) == (starts, starts + 2 * DAY)
    assert "access_code.scheduled_on_device" in event_types(code)
    assert "access_code.set_on_device" not in event_types(code)


def test_a_scheduled_code_turns_set_when_its_window_opens_on_time(owner, hotel, t0):
    owner.lock_poll_minutes = 24 * 60  # so the next poll does not hide the code's own due time
    owner.save()
    lock = scheduling_lock(owner, hotel, t0)
    starts = t0 + DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + DAY)
    reconcile(code, t0)
    assert (code.status, code.is_scheduled_on_device) == (Status.UNSET, True)

    # Not late: nothing warns about a code the lock holds with its own schedule.
    reconcile(code, starts - timedelta(minutes=1))
    assert (code.errors, code.warnings) == ([], [])
    assert scheduler.due_lock_ids(now=starts - timedelta(seconds=1)) == []
    assert scheduler.due_lock_ids(now=starts) == [lock.pk]

    reconcile(code, starts)
    assert (code.status, code.is_scheduled_on_device) == (Status.SET, False)
    times = dict(Event.objects.filter(access_code=code).values_list("event_type", "occurred_at"))
    assert times["access_code.scheduled_on_device"] == t0
    assert times["access_code.set_on_device"] == starts


def test_a_native_lock_opens_only_inside_the_window_even_while_offline(owner, hotel, t0):
    lock = scheduling_lock(owner, hotel, t0)
    starts, ends = t0 + DAY, t0 + 3 * DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=ends)
    reconcile(code, t0)
    simulated_set_online(lock=lock, online=False, now=t0 + timedelta(hours=1))
    scheduler.run_due_locks(now=t0 + timedelta(hours=1))

    assert not opens(lock, code.code, starts - timedelta(minutes=1))
    assert opens(lock, code.code, starts)
    assert opens(lock, code.code, ends - timedelta(minutes=1))
    assert not opens(lock, code.code, ends)


def test_a_scheduled_code_that_is_revoked_comes_off_the_lock(owner, hotel, t0):
    lock = scheduling_lock(owner, hotel, t0)
    starts = t0 + DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + DAY)
    reconcile(code, t0)
    assert (code.status, code.is_scheduled_on_device) == (Status.UNSET, True)

    now = t0 + timedelta(hours=1)
    access_code_delete(access_code=code, now=now)
    reconcile(code, now)

    assert pins_on(lock) == []
    assert code.status == Status.REMOVED
    assert "access_code.removed_from_device" in event_types(code)


def test_a_native_code_stops_being_scheduled_once_its_window_opens(owner, hotel, t0):
    lock = scheduling_lock(owner, hotel, t0)
    starts = t0 + DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + DAY)
    reconcile(code, t0)
    assert code.is_scheduled_on_device

    reconcile(code, starts + timedelta(hours=1))

    assert code.status == Status.SET
    assert not code.is_scheduled_on_device
    assert code.errors == [] and code.warnings == []


def test_a_native_lock_is_reprogrammed_when_the_window_changes(owner, hotel, t0):
    lock = scheduling_lock(owner, hotel, t0)
    starts = t0 + DAY
    code, _ = access_code_create(lock=lock, now=t0, starts_at=starts, ends_at=starts + DAY)
    reconcile(code, t0)

    early, late = starts - timedelta(hours=3), starts + 2 * DAY
    now = t0 + timedelta(hours=1)
    access_code_update(access_code=code, now=now, starts_at=early, ends_at=late)
    reconcile(code, now)

    assert (code.status, code.is_scheduled_on_device) == (Status.UNSET, True)
    on_device = device_of(lock).codes.get()
    assert (on_device.starts_at, on_device.ends_at) == (early, late)
    assert opens(lock, code.code, early)
    assert opens(lock, code.code, starts + DAY + timedelta(hours=1))
