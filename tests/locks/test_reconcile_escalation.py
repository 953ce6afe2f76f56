"""The warning → error clock, and retries that back off but never stop."""

from datetime import timedelta

import pytest

from locks import scheduler
from locks.access_codes import access_code_create, access_code_update
from locks.models import AccessCode, Event, Lock, SimulatedDevice
from locks.simulator import simulated_refuse_writes, simulated_set_online
from tests import factories

Status = AccessCode.Status
MINUTE = timedelta(minutes=1)


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def event_types(code):
    return list(Event.objects.filter(access_code=code).values_list("event_type", flat=True))


def run_every_minute(start, minutes):
    """What the every-minute tick does over `minutes`, in simulated time."""
    for minute in range(minutes):
        scheduler.run_due_locks(now=start + minute * MINUTE)


def test_a_refused_code_gets_a_warning_then_an_error_on_the_owners_clock(lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=5), now=t0)
    code, _ = access_code_create(lock=lock, now=t0)

    run_every_minute(t0, 9)
    code.refresh_from_db()
    assert not code.warnings
    assert not code.has_error("failed_to_set_on_device")

    run_every_minute(t0 + 9 * MINUTE, 50)
    code.refresh_from_db()
    assert code.has_warning("delay_in_setting_on_device")
    assert not code.has_error("failed_to_set_on_device")

    run_every_minute(t0 + 59 * MINUTE, 30)
    code.refresh_from_db()
    assert code.has_error("failed_to_set_on_device")
    assert code.status != Status.SET
    types = event_types(code)
    assert types.count("access_code.delay_in_setting_on_device") == 1
    assert types.count("access_code.failed_to_set_on_device") == 1


def test_the_thresholds_are_the_owners_settings(owner, lock, t0):
    owner.delay_warning_minutes, owner.failure_error_minutes = 2, 5
    owner.save()
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=5), now=t0)
    code, _ = access_code_create(lock=lock, now=t0)

    run_every_minute(t0, 10)

    code.refresh_from_db()
    assert code.has_warning("delay_in_setting_on_device")
    assert code.has_error("failed_to_set_on_device")


def test_retries_back_off_but_never_stop_while_the_lock_refuses(lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=6), now=t0)
    access_code_create(lock=lock, now=t0)

    run_every_minute(t0, 60)
    first_hour = device_of(lock).writes
    run_every_minute(t0 + timedelta(hours=1), 120)
    three_hours = device_of(lock).writes

    # One write a minute would be 180; the back-off keeps it to a handful an hour.
    assert first_hour <= 10
    assert three_hours - first_hour >= 3
    assert three_hours <= 16


def test_a_code_becomes_set_and_clean_once_the_lock_accepts_again(lock, t0):
    back = t0 + timedelta(hours=3)
    simulated_refuse_writes(lock=lock, until=back, now=t0)
    code, _ = access_code_create(lock=lock, now=t0)
    run_every_minute(t0, 180)
    code.refresh_from_db()
    assert code.has_error("failed_to_set_on_device")

    run_every_minute(back, 31)

    code.refresh_from_db()
    assert code.status == Status.SET
    assert code.errors == []
    assert code.warnings == []
    assert [c.code for c in device_of(lock).codes.all()] == [code.code]


def test_an_offline_lock_runs_the_same_clock(lock, t0):
    simulated_set_online(lock=lock, online=False, now=t0)
    code, _ = access_code_create(lock=lock, now=t0)

    run_every_minute(t0, 75)

    code.refresh_from_db()
    assert code.status == Status.UNSET
    assert code.has_warning("delay_in_setting_on_device")
    assert code.has_error("failed_to_set_on_device")
    assert event_types(code).count("access_code.failed_to_set_on_device") == 1


def test_an_offline_lock_is_not_hammered_while_codes_wait(lock, t0):
    simulated_set_online(lock=lock, online=False, now=t0)
    access_code_create(lock=lock, now=t0)

    run_every_minute(t0, 180)

    # Every pass that finds the lock unreachable counts; a pass a minute would be 180.
    lock.refresh_from_db()
    assert 8 <= lock.consecutive_failures <= 20


def test_removal_at_checkout_escalates_while_the_lock_is_offline(lock, t0):
    ends = t0 + timedelta(hours=4)
    code, _ = access_code_create(lock=lock, now=t0, starts_at=t0, ends_at=ends)
    scheduler.run_due_locks(now=t0)
    simulated_set_online(lock=lock, online=False, now=ends - timedelta(hours=1))

    run_every_minute(ends - timedelta(hours=1), 2 * 60 + 5)

    code.refresh_from_db()
    assert code.status == Status.SET  # honest: the PIN is still on the lock
    assert code.has_error("failed_to_remove_from_device")
    assert not code.has_warning("delay_in_setting_on_device")
    assert event_types(code).count("access_code.failed_to_remove_from_device") == 1

    back = ends + timedelta(hours=1, minutes=5)
    simulated_set_online(lock=lock, online=True, now=back)
    scheduler.run_due_locks(now=back)

    code.refresh_from_db()
    assert code.status == Status.REMOVED
    assert code.errors == []
    assert not device_of(lock).codes.exists()
    assert "access_code.removed_from_device" in event_types(code)


def test_a_lock_refusing_writes_still_counts_as_online(lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=1), now=t0)
    access_code_create(lock=lock, now=t0)

    run_every_minute(t0, 5)

    lock = Lock.objects.get(pk=lock.pk)
    assert lock.online
    assert not lock.has_error("device_disconnected")


def minutes_to_escalate(code, start, horizon):
    """Run the every-minute tick from `start`; the minutes at which the code first had its
    delay warning and its failure error (None if never)."""
    warned = failed = None
    for minute in range(horizon):
        scheduler.run_due_locks(now=start + minute * MINUTE)
        code.refresh_from_db()
        if warned is None and code.has_warning("delay_in_setting_on_device"):
            warned = minute
        if failed is None and (
            code.has_error("failed_to_set_on_device")
            or code.has_error("failed_to_remove_from_device")
        ):
            failed = minute
    return warned, failed


@pytest.mark.parametrize("trouble", ["offline", "refusing writes"])
def test_the_warning_and_the_error_come_on_the_minute_they_are_due(owner, lock, t0, trouble):
    owner.delay_warning_minutes, owner.failure_error_minutes = 10, 60
    owner.save()
    if trouble == "offline":
        simulated_set_online(lock=lock, online=False, now=t0)
    else:
        simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=5), now=t0)
    code, _ = access_code_create(lock=lock, now=t0)

    warned, failed = minutes_to_escalate(code, t0, 70)

    assert warned in (10, 11)
    assert failed in (60, 61)
    assert code.has_error("failed_to_set_on_device")


def test_a_removal_that_cannot_happen_is_an_error_on_the_minute_it_is_due(owner, lock, t0):
    owner.failure_error_minutes = 45
    owner.save()
    ends = t0 + timedelta(hours=2)
    code, _ = access_code_create(lock=lock, now=t0, starts_at=t0, ends_at=ends)
    scheduler.run_due_locks(now=t0)
    simulated_set_online(lock=lock, online=False, now=ends - timedelta(minutes=40))
    run_every_minute(ends - timedelta(minutes=40), 40)

    _, failed = minutes_to_escalate(code, ends, 50)

    assert failed in (45, 46)
    assert code.has_error("failed_to_remove_from_device")


def test_a_lock_refusing_writes_is_not_flooded_and_gets_every_code_once_it_accepts(
    owner, hotel, room, t0
):
    lock = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Busy door", now=t0, max_active_codes=40
    )
    back = t0 + timedelta(minutes=90)
    simulated_refuse_writes(lock=lock, until=back, now=t0)
    codes = [access_code_create(lock=lock, now=t0, name=f"Guest {n}")[0] for n in range(30)]

    run_every_minute(t0, 90)
    refused = device_of(lock).writes
    run_every_minute(back, timedelta(minutes=owner.lock_poll_minutes) // MINUTE + 1)

    # One refused write a pass, on a back-off: not 10 a pass, not one a minute.
    assert refused <= 15
    assert device_of(lock).writes - refused == 30  # then each code once, within one poll
    assert set(
        AccessCode.objects.filter(pk__in=[c.pk for c in codes]).values_list("status", flat=True)
    ) == {Status.SET}


def test_a_delay_warning_that_no_longer_holds_disappears(lock, t0):
    simulated_refuse_writes(lock=lock, until=t0 + timedelta(hours=5), now=t0)
    code, _ = access_code_create(lock=lock, now=t0)
    run_every_minute(t0, 12)
    code.refresh_from_db()
    assert code.has_warning("delay_in_setting_on_device")

    # The stay moved to next week: nothing is late any more.
    later = t0 + 12 * MINUTE
    next_week = t0 + timedelta(days=7)
    access_code_update(
        access_code=code,
        now=later,
        type="time_bound",
        starts_at=next_week,
        ends_at=next_week + timedelta(days=2),
    )
    run_every_minute(later, 16)  # within a poll

    code.refresh_from_db()
    assert code.status == Status.UNSET
    assert code.warnings == [] and code.errors == []
