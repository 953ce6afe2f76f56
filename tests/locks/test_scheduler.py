"""The scheduler: due locks, claims and leases, the tick, and the every-minute schedule."""

import io
from datetime import timedelta
from time import monotonic

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule
from django_q.signing import SignedPackage

from locks import reconcile, scheduler
from locks.access_codes import access_code_create
from locks.models import AccessCode, Lock, SimulatedDevice
from tests import factories

Status = AccessCode.Status


@pytest.fixture(autouse=True)
def orm_broker(monkeypatch):
    """Queue through the database here, also where REDIS_URL is set (test_scheduler_redis.py
    covers Redis), so the queued tasks can be read back as rows."""
    monkeypatch.setattr(Conf, "ORM", "default")


def test_a_lock_is_due_once_its_next_check_has_come(lock, t0):
    Lock.objects.filter(pk=lock.pk).update(next_check_at=t0 + timedelta(minutes=5))

    assert scheduler.due_lock_ids(now=t0) == []
    assert scheduler.due_lock_ids(now=t0 + timedelta(minutes=5)) == [lock.pk]


def test_the_tick_takes_the_most_overdue_locks_first(owner, hotel, lock, t0):
    other = factories.simulated_lock(owner=owner, property=hotel, name="Side gate", now=t0)
    Lock.objects.filter(pk=lock.pk).update(next_check_at=t0 - timedelta(minutes=1))
    Lock.objects.filter(pk=other.pk).update(next_check_at=t0 - timedelta(minutes=9))

    assert scheduler.due_lock_ids(now=t0) == [other.pk, lock.pk]
    assert scheduler.due_lock_ids(now=t0, limit=1) == [other.pk]


def test_a_due_lock_is_claimed_once(lock, t0):
    first = scheduler.lock_claim(lock_id=lock.pk, now=t0)
    second = scheduler.lock_claim(lock_id=lock.pk, now=t0)

    assert first is not None
    assert second is None
    assert scheduler.due_lock_ids(now=t0) == []


def test_a_lock_that_is_not_due_cannot_be_claimed(lock, t0):
    Lock.objects.filter(pk=lock.pk).update(next_check_at=t0 + timedelta(hours=1))

    assert scheduler.lock_claim(lock_id=lock.pk, now=t0) is None


def test_a_crashed_workers_lease_runs_out_and_the_lock_is_claimed_again(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0)
    crashed = scheduler.lock_claim(lock_id=lock.pk, now=t0)

    assert scheduler.lock_claim(lock_id=lock.pk, now=t0 + timedelta(seconds=19)) is None
    after_lease = t0 + scheduler.LEASE + timedelta(seconds=1)
    assert scheduler.due_lock_ids(now=after_lease) == [lock.pk]
    assert scheduler.run_due_locks(now=after_lease) == 1
    code.refresh_from_db()
    assert code.status == Status.SET
    # The crashed worker, waking late, finds its claim gone and does nothing.
    assert scheduler.lock_run_claimed(lock_id=lock.pk, token=crashed, now=after_lease) is None
    assert SimulatedDevice.objects.get(device_id=lock.device_id).writes == 1


def test_a_pass_releases_the_lock_with_its_next_due_time(lock, t0):
    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)

    scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0)

    lock.refresh_from_db()
    assert (lock.claimed_until, lock.claim_token) == (None, None)
    assert lock.next_check_at == t0 + timedelta(minutes=lock.owner.lock_poll_minutes)


def test_a_change_during_a_pass_makes_the_lock_due_again(lock, t0, monkeypatch):
    added = []
    original = reconcile.lock_reconcile

    def reconcile_while_someone_adds_a_code(*, lock, now, **kwargs):
        result = original(lock=lock, now=now, **kwargs)
        if not added:
            added.append(access_code_create(lock=lock, now=now, name="Late arrival")[0])
        return result

    monkeypatch.setattr(reconcile, "lock_reconcile", reconcile_while_someone_adds_a_code)
    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)
    scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0)

    assert scheduler.due_lock_ids(now=t0) == [lock.pk]
    scheduler.run_due_locks(now=t0)
    added[0].refresh_from_db()
    assert added[0].status == Status.SET


def test_a_full_pass_reaches_every_due_lock_beyond_one_batch(owner, hotel, t0, monkeypatch):
    monkeypatch.setattr(scheduler, "TICK_BATCH", 2)
    locks = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Room {n}", now=t0)
        for n in range(5)
    ]
    codes = [access_code_create(lock=lock, now=t0)[0] for lock in locks]

    assert scheduler.run_due_locks(now=t0) == 5

    assert {c.status for c in AccessCode.objects.filter(pk__in=[c.pk for c in codes])} == {
        Status.SET
    }


def test_the_tick_queues_a_drainer_per_worker_and_never_more_than_the_due_locks(
    owner, hotel, lock, t0, settings
):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 3}
    assert scheduler.tick(now=t0) == 1  # one due lock: one drainer
    factories.simulated_lock(owner=owner, property=hotel, name="Side gate", now=t0)
    factories.simulated_lock(owner=owner, property=hotel, name="Back gate", now=t0)
    factories.simulated_lock(owner=owner, property=hotel, name="Garage", now=t0)

    assert scheduler.tick(now=t0) == 3  # four due locks, three workers

    queued = [SignedPackage.loads(q.payload) for q in OrmQ.objects.all()]
    assert [task["func"] for task in queued] == ["locks.tasks.drain"] * 4


def test_the_tick_costs_the_same_whatever_is_due(owner, hotel, t0, django_assert_num_queries):
    for n in range(30):
        factories.simulated_lock(owner=owner, property=hotel, name=f"Room {n}", now=t0)
    workers = settings.Q_CLUSTER["workers"]

    # The due query, then one push per worker (a row each in the database's queue).
    with django_assert_num_queries(1 + workers):
        scheduler.tick(now=t0)


def test_a_queued_drainer_programs_every_due_lock(owner, hotel, lock, t0):
    other = factories.simulated_lock(owner=owner, property=hotel, name="Side gate", now=t0)
    codes = [access_code_create(lock=door, now=t0)[0] for door in (lock, other)]
    scheduler.tick(now=t0)
    task = SignedPackage.loads(OrmQ.objects.first().payload)

    assert import_string(task["func"])(*task["args"], **task["kwargs"]) == 2

    assert {c.status for c in AccessCode.objects.filter(pk__in=[c.pk for c in codes])} == {
        Status.SET
    }
    assert not Lock.objects.filter(claimed_until__isnull=False).exists()


def test_a_drainer_runs_every_due_lock_beyond_one_batch(owner, hotel, t0, monkeypatch):
    monkeypatch.setattr(scheduler, "DRAIN_BATCH", 2)
    for n in range(5):
        factories.simulated_lock(owner=owner, property=hotel, name=f"Room {n}", now=t0)

    assert scheduler.drain(clock=lambda: t0) == 5
    assert scheduler.due_lock_ids(now=t0) == []


def test_a_drainer_whose_time_is_up_leaves_the_rest_to_the_next_tick(owner, hotel, lock, t0):
    assert scheduler.drain(until=monotonic(), clock=lambda: t0) == 0
    assert scheduler.due_lock_ids(now=t0) == [lock.pk]


def test_the_tick_command_runs_a_full_pass(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0)

    out = io.StringIO()
    call_command("tick", stdout=out)

    code.refresh_from_db()
    assert code.status == Status.SET
    assert "Checked 1 lock." in out.getvalue()


def test_the_tick_is_scheduled_every_minute_after_migrate(db):
    tick = Schedule.objects.get(name="innkeeper-tick")

    assert tick.func == "locks.tasks.tick"
    assert (tick.schedule_type, tick.minutes) == (Schedule.MINUTES, 1)
    assert tick.repeats == -1


def test_a_pass_records_how_long_it_took(lock, t0, monkeypatch):
    clock = iter([100.0, 112.5])  # the lease's start, then the release
    monkeypatch.setattr(scheduler, "monotonic", lambda: next(clock, 112.5))
    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)

    scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0)

    assert Lock.objects.get(pk=lock.pk).last_pass_seconds == 12.5


def test_slow_locks_are_kept_to_half_of_the_workers(owner, hotel, t0, settings):
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "workers": 4}
    slow = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Slow {n}", now=t0)
        for n in range(3)
    ]
    fast = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Fast {n}", now=t0)
        for n in range(2)
    ]
    Lock.objects.filter(pk__in=[lock.pk for lock in slow]).update(last_pass_seconds=30)
    # Two other workers are on slow locks already: half of the four.
    held = [scheduler.lock_claim(lock_id=lock.pk, now=t0) for lock in slow[:2]]

    assert scheduler.drain(clock=lambda: t0) == 2  # the fast ones
    assert scheduler.due_lock_ids(now=t0) == [slow[2].pk]  # still due, for later

    scheduler.lock_run_claimed(lock_id=slow[0].pk, token=held[0], now=t0)
    assert scheduler.drain(clock=lambda: t0) == 1
    assert {lock.pk for lock in fast} | {slow[2].pk} <= set(
        Lock.objects.filter(next_check_at__gt=t0).values_list("pk", flat=True)
    )
