"""Locks that go offline, and locks that fail, never hold up the others."""

from datetime import timedelta

from locks import scheduler
from locks.access_codes import access_code_create
from locks.drivers.simulated import SimulatedDriver
from locks.models import AccessCode, Event, Lock, SimulatedDevice
from locks.simulator import simulated_set_online
from tests import factories

Status = AccessCode.Status


def lock_events(lock):
    return list(
        Event.objects.filter(lock=lock, access_code=None)
        .order_by("occurred_at")
        .values_list("event_type", flat=True)
    )


def second_lock(owner, hotel, t0, **overrides):
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Side gate", now=t0, **overrides
    )


def test_a_lock_going_offline_and_back_is_reported_once_each_way(lock, t0):
    scheduler.run_due_locks(now=t0)

    simulated_set_online(lock=lock, online=False, now=t0 + timedelta(minutes=1))
    for minute in range(1, 40):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))
    offline = Lock.objects.get(pk=lock.pk)
    assert not offline.online
    assert offline.has_error("device_disconnected")
    assert offline.last_error

    simulated_set_online(lock=lock, online=True, now=t0 + timedelta(minutes=40))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=40))
    back = Lock.objects.get(pk=lock.pk)
    assert back.online
    assert back.errors == []
    assert back.consecutive_failures == 0
    assert lock_events(lock) == ["device.added", "device.disconnected", "device.connected"]


def test_a_lock_that_comes_back_by_itself_is_noticed_within_the_back_off(lock, t0):
    simulated_set_online(lock=lock, online=False, now=t0)
    for minute in range(0, 180):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))
    # Back without anyone telling us (no service call brings the lock forward).
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(online=True)

    for minute in range(180, 196):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    assert Lock.objects.get(pk=lock.pk).online


def test_an_offline_lock_does_not_delay_another_locks_code(owner, hotel, lock, t0):
    simulated_set_online(lock=lock, online=False, now=t0)
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(latency_ms=50)
    waiting, _ = access_code_create(lock=lock, now=t0)
    other = second_lock(owner, hotel, t0)
    code, _ = access_code_create(lock=other, now=t0)

    scheduler.run_due_locks(now=t0)

    code.refresh_from_db()
    waiting.refresh_from_db()
    assert code.status == Status.SET
    assert waiting.status == Status.UNSET


def test_a_lock_whose_driver_breaks_does_not_stop_the_pass(owner, hotel, lock, t0, monkeypatch):
    broken_device = lock.device_id
    read = SimulatedDriver.read

    def read_or_break(self, device_id):
        if device_id == broken_device:
            raise RuntimeError("firmware surprise")
        return read(self, device_id)

    monkeypatch.setattr(SimulatedDriver, "read", read_or_break)
    access_code_create(lock=lock, now=t0)
    other = second_lock(owner, hotel, t0)
    code, _ = access_code_create(lock=other, now=t0)

    scheduler.run_due_locks(now=t0)

    code.refresh_from_db()
    assert code.status == Status.SET
    broken = Lock.objects.get(pk=lock.pk)
    assert "internal error" in broken.last_error
    assert broken.claimed_until is None
    assert broken.next_check_at > t0  # retried later, not in a tight loop


def test_a_code_for_an_offline_lock_is_set_once_it_is_back(lock, t0):
    simulated_set_online(lock=lock, online=False, now=t0)
    code, _ = access_code_create(lock=lock, now=t0)
    for minute in range(0, 30):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    simulated_set_online(lock=lock, online=True, now=t0 + timedelta(minutes=30))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=30))

    code.refresh_from_db()
    assert code.status == Status.SET
    assert code.errors == []
    assert code.warnings == []


def test_a_stay_that_ends_while_the_lock_was_offline_before_it_was_programmed_just_ends(lock, t0):
    simulated_set_online(lock=lock, online=False, now=t0)
    starts = t0 + timedelta(hours=1)
    code, _ = access_code_create(
        lock=lock, now=t0, starts_at=starts, ends_at=starts + timedelta(hours=2)
    )
    for minute in range(0, 4 * 60, 5):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    code.refresh_from_db()
    assert code.status == Status.REMOVED
    assert not SimulatedDevice.objects.get(device_id=lock.device_id).codes.exists()
