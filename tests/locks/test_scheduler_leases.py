"""Queueing takes nothing; a pass holds its lock on a short lease it renews while it works.

So `manage.py tick` (cron, no worker) programs a lock right after a change even with a task for
it queued, a crashed worker's lock comes back within LEASE, a long pass keeps its lock, and a
worker whose lease was taken over stops before its next write.
"""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from locks import scheduler, tasks
from locks.access_codes import access_code_create
from locks.drivers.simulated import SimulatedDriver
from locks.models import AccessCode, Lock, SimulatedCode, SimulatedDevice

Status = AccessCode.Status
SECOND = timedelta(seconds=1)


@pytest.fixture(autouse=True)
def orm_broker(monkeypatch):
    monkeypatch.setattr(Conf, "ORM", "default")


def writes(lock) -> int:
    return SimulatedDevice.objects.get(device_id=lock.device_id).writes


def test_tick_right_after_an_api_change_programs_the_lock_though_its_task_is_queued(
    seam, lock, django_capture_on_commit_callbacks
):
    device_id = str(lock.public_id)
    with django_capture_on_commit_callbacks(execute=True):
        created = seam.access_codes.create(device_id=device_id, name="Ana", code="4827")
    assert OrmQ.objects.count() == 1  # queued for a worker that cron-only sites do not run

    out = io.StringIO()
    call_command("tick", stdout=out)

    assert "Checked 1 lock." in out.getvalue()
    assert seam.access_codes.get(access_code_id=created.access_code_id).status == "set"
    # The queued task, when a worker does pick it up, finds nothing left to do.
    tasks.reconcile_lock(*SignedPackage.loads(OrmQ.objects.get().payload)["args"])
    assert writes(lock) == 1


def test_a_change_does_not_queue_its_lock_twice_while_its_task_waits(lock, t0):
    assert scheduler.enqueue_lock(lock_id=lock.pk, now=t0)
    assert not scheduler.enqueue_lock(lock_id=lock.pk, now=t0 + timedelta(minutes=1))
    # A task that never started (its worker died with the queue) is queued again.
    assert scheduler.enqueue_lock(lock_id=lock.pk, now=t0 + scheduler.QUEUED_FOR + SECOND)
    assert OrmQ.objects.count() == 2


def test_a_crashed_workers_lock_is_taken_over_once_its_short_lease_runs_out(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0)
    assert scheduler.lock_claim(lock_id=lock.pk, now=t0) is not None  # then the worker dies

    # Never two workers on one lock: a drainer passes it by while the lease lasts.
    assert scheduler.drain(clock=lambda: t0 + scheduler.LEASE - SECOND) == 0
    assert scheduler.drain(clock=lambda: t0 + scheduler.LEASE + SECOND) == 1

    code.refresh_from_db()
    assert code.status == Status.SET


class SlowLock:
    """Each write to the lock takes `seconds` on a hand-moved clock; between writes, another
    worker tries to claim the lock at that moment."""

    def __init__(self, monkeypatch, lock, t0, seconds):
        self.clock, self.lock, self.t0, self.seconds = 1000.0, lock, t0, seconds
        self.rivals = []
        monkeypatch.setattr(scheduler, "monotonic", lambda: self.clock)
        original = SimulatedDriver.set_code

        def slow_set_code(driver, device_id, spec):
            self.clock += self.seconds
            at = t0 + timedelta(seconds=self.clock - 1000)
            self.rivals.append(scheduler.lock_claim(lock_id=lock.pk, now=at))
            return original(driver, device_id, spec)

        monkeypatch.setattr(SimulatedDriver, "set_code", slow_set_code)


def test_a_pass_longer_than_its_lease_keeps_the_lock(lock, t0, monkeypatch):
    codes = [access_code_create(lock=lock, now=t0, name=f"Guest {n}")[0] for n in range(4)]
    slow = SlowLock(monkeypatch, lock, t0, seconds=15)  # 60 s of writes, on a 20 s lease

    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)
    scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0)

    assert slow.rivals == [None] * 4
    assert {c.status for c in AccessCode.objects.filter(pk__in=[c.pk for c in codes])} == {
        Status.SET
    }
    assert writes(lock) == 4


def test_a_worker_whose_lease_was_taken_over_stops_before_its_next_write(lock, t0, monkeypatch):
    codes = [access_code_create(lock=lock, now=t0, name=f"Guest {n}")[0] for n in range(4)]
    slow = SlowLock(monkeypatch, lock, t0, seconds=25)  # the first write outlasts the lease

    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)
    assert scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0) is None

    rival = slow.rivals[0]
    assert rival is not None and writes(lock) == 1  # the late worker stopped after one write
    assert Lock.objects.get(pk=lock.pk).claim_token == rival
    slow.seconds = 0
    scheduler.lock_run_claimed(lock_id=lock.pk, token=rival, now=t0 + timedelta(seconds=25))

    assert {c.status for c in AccessCode.objects.filter(pk__in=[c.pk for c in codes])} == {
        Status.SET
    }
    assert writes(lock) == 4  # the code written just before the takeover is not written again
    assert SimulatedCode.objects.filter(device__device_id=lock.device_id).count() == 4
