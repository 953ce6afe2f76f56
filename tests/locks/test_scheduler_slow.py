"""Slow locks: known from their calls, taken after the quick ones, kept to half of the workers."""

from datetime import timedelta

import pytest

from locks import scheduler
from locks.access_codes import access_code_create
from locks.drivers import simulated as simulated_driver
from locks.models import AccessCode, Lock, SimulatedDevice
from tests import factories

Status = AccessCode.Status


class Clock:
    """The scheduler's monotonic clock, moved by the simulated lock's latency, not waited for."""

    def __init__(self, monkeypatch):
        self.seconds = 1000.0
        monkeypatch.setattr(scheduler, "monotonic", lambda: self.seconds)
        monkeypatch.setattr(simulated_driver.time, "sleep", self.sleep)

    def sleep(self, seconds):
        self.seconds += seconds


def answers_in(lock, seconds: float) -> None:
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(latency_ms=seconds * 1000)


def run(lock, t0):
    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)
    return scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0)


def passes_in_order(monkeypatch) -> list[int]:
    order = []
    original = scheduler.lock_run_claimed

    def recorded(*, lock_id, token, now):
        order.append(lock_id)
        return original(lock_id=lock_id, token=token, now=now)

    monkeypatch.setattr(scheduler, "lock_run_claimed", recorded)
    return order


def test_a_lock_slow_to_answer_is_known_slow_from_a_poll_of_one_call(lock, t0, monkeypatch):
    Clock(monkeypatch)
    answers_in(lock, 5)  # the poll takes 5 s; a pass that writes would take 15

    run(lock, t0)

    assert Lock.objects.get(pk=lock.pk).last_pass_seconds >= scheduler.SLOW_PASS_SECONDS


def test_a_lock_quick_to_answer_is_not_slow(lock, t0, monkeypatch):
    Clock(monkeypatch)
    answers_in(lock, 0.2)
    access_code_create(lock=lock, now=t0)

    run(lock, t0)  # read, write, confirm: 0.6 s

    assert Lock.objects.get(pk=lock.pk).last_pass_seconds < 1


def test_quick_locks_go_before_the_slow_locks_due_with_them(owner, hotel, t0, monkeypatch):
    slow = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Slow {n}", now=t0)
        for n in range(2)
    ]
    quick = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Quick {n}", now=t0)
        for n in range(2)
    ]
    # Due before the quick ones, each at its own minute (tied, two locks' order is the
    # database's to choose).
    for minutes, lock in zip((3, 2), slow, strict=True):
        Lock.objects.filter(pk=lock.pk).update(
            last_pass_seconds=30, next_check_at=t0 - timedelta(minutes=minutes)
        )
    order = passes_in_order(monkeypatch)

    assert scheduler.drain(clock=lambda: t0) == 4

    assert order == [lock.pk for lock in quick + slow]


def test_a_slow_lock_waits_for_quick_ones_only_so_long(owner, hotel, lock, t0, monkeypatch):
    late = factories.simulated_lock(owner=owner, property=hotel, name="Slow", now=t0)
    Lock.objects.filter(pk=late.pk).update(
        last_pass_seconds=30, next_check_at=t0 - scheduler.SLOW_WAITS_FOR
    )
    order = passes_in_order(monkeypatch)

    scheduler.drain(clock=lambda: t0)

    assert order == [late.pk, lock.pk]  # the most overdue first again


def slow_lock_held_elsewhere(owner, hotel, t0):
    other = factories.simulated_lock(owner=owner, property=hotel, name="Slow elsewhere", now=t0)
    Lock.objects.filter(pk=other.pk).update(last_pass_seconds=30)
    assert scheduler.lock_claim(lock_id=other.pk, now=t0) is not None


def test_a_pass_that_turns_slow_says_so_before_its_next_call(lock, t0, monkeypatch, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 4}
    Clock(monkeypatch)
    answers_in(lock, 8)
    code, _ = access_code_create(lock=lock, now=t0)
    seen = []
    original = simulated_driver.SimulatedDriver.set_code

    def set_code(driver, device_id, spec):
        seen.append(Lock.objects.get(pk=lock.pk).last_pass_seconds)
        return original(driver, device_id, spec)

    monkeypatch.setattr(simulated_driver.SimulatedDriver, "set_code", set_code)

    run(lock, t0)  # 8 s a call, room for a slow lock: on with its write

    assert seen[0] >= scheduler.SLOW_PASS_SECONDS  # other drainers count it already
    code.refresh_from_db()
    assert code.status == Status.SET


def test_a_pass_that_turns_slow_with_half_the_workers_on_slow_locks_stops_and_waits(
    owner, hotel, lock, t0, monkeypatch, settings
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    slow_lock_held_elsewhere(owner, hotel, t0)  # one of the two workers
    Clock(monkeypatch)
    answers_in(lock, 8)
    code, _ = access_code_create(lock=lock, now=t0)

    assert run(lock, t0) is None  # stopped after its read, before the write

    assert SimulatedDevice.objects.get(device_id=lock.device_id).writes == 0
    lock.refresh_from_db()
    assert lock.claim_token is None and lock.last_pass_seconds >= scheduler.SLOW_PASS_SECONDS
    assert lock.pk in scheduler.due_lock_ids(now=t0)  # due still, for a worker with room
    code.refresh_from_db()
    assert code.status == Status.UNSET


@pytest.mark.parametrize("free", [True, False])
def test_a_batch_of_slow_locks_without_room_leaves_the_quick_ones_after_it(
    owner, hotel, lock, t0, monkeypatch, free, settings
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 2}
    monkeypatch.setattr(scheduler, "DRAIN_BATCH", 2)
    slow = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Slow {n}", now=t0)
        for n in range(2)
    ]
    Lock.objects.filter(pk__in=[s.pk for s in slow]).update(
        last_pass_seconds=30, next_check_at=t0 - timedelta(minutes=1)
    )
    if not free:
        slow_lock_held_elsewhere(owner, hotel, t0)
    order = passes_in_order(monkeypatch)

    scheduler.drain(clock=lambda: t0)

    # With room the batch of slow locks is run (one at a time: half of two workers).
    assert order == ([slow[0].pk, slow[1].pk, lock.pk] if free else [lock.pk])
