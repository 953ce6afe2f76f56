"""Two workers racing on the same due lock program its code exactly once (PostgreSQL).

SQLite serialises writers, so the race cannot happen there; CI runs this file again on
PostgreSQL (`make test-postgres`), where it must pass, never skip.
"""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from locks import scheduler
from locks.access_codes import access_code_create
from locks.models import AccessCode, Event, SimulatedCode, SimulatedDevice
from tests import factories
from tests.race import at_once, on_postgresql

pytestmark = on_postgresql("two workers cannot race")

WORKERS = 2


def race(work):
    """Run `work(n)` in WORKERS threads released at the same instant; return their results."""
    results, _ = at_once(WORKERS, work)
    failures = [result for result in results if isinstance(result, Exception)]
    assert not failures, failures
    return results


def future_code(lock, t0):
    """A code due 30 minutes from t0: created without queueing a task, raced on when due."""
    starts = t0 + timedelta(hours=1)
    code, _ = access_code_create(
        lock=lock, now=t0, starts_at=starts, ends_at=starts + timedelta(days=1)
    )
    return code, starts - timedelta(minutes=30)


def test_two_workers_running_a_full_pass_program_the_code_once(lock, t0):
    code, due = future_code(lock, t0)

    done = race(lambda n: scheduler.run_due_locks(now=due))

    assert sorted(done) == [0, 1]
    code.refresh_from_db()
    assert code.status == AccessCode.Status.SET
    assert SimulatedDevice.objects.get(device_id=lock.device_id).writes == 1
    assert SimulatedCode.objects.filter(device__device_id=lock.device_id).count() == 1
    assert (
        Event.objects.filter(access_code=code, event_type="access_code.set_on_device").count() == 1
    )


def test_only_one_of_two_simultaneous_claims_wins(lock, t0):
    _, due = future_code(lock, t0)

    tokens = race(lambda n: scheduler.lock_claim(lock_id=lock.pk, now=due))

    assert sum(token is not None for token in tokens) == 1


def test_two_workers_share_many_due_locks_without_doing_any_twice(owner, hotel, t0):
    locks = [
        factories.simulated_lock(owner=owner, property=hotel, name=f"Room {n}", now=t0)
        for n in range(12)
    ]
    codes = [future_code(lock, t0) for lock in locks]
    due = codes[0][1]

    def claim_and_run(n):
        ran = 0
        for lock in locks:
            token = scheduler.lock_claim(lock_id=lock.pk, now=due)
            if token is not None:
                scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=due)
                ran += 1
        return ran

    ran = race(claim_and_run)

    assert sum(ran) == len(locks)
    writes = SimulatedDevice.objects.filter(
        device_id__in=[lock.device_id for lock in locks]
    ).values_list("writes", flat=True)
    assert sorted(writes) == [1] * len(locks)
    assert AccessCode.objects.filter(status=AccessCode.Status.SET).count() == len(locks)
    assert Event.objects.filter(event_type="access_code.set_on_device").count() == len(locks)


def _tick_in_another_process() -> subprocess.Popen:
    """`manage.py tick` on this test's database: a worker this test can kill -9."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.Popen(
        [sys.executable, "manage.py", "tick"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_a_worker_killed_mid_pass_is_taken_over_and_no_code_is_written_twice(lock, t0):
    now = timezone.now()
    codes = [access_code_create(lock=lock, now=now, name=f"Guest {n}")[0] for n in range(5)]
    device = SimulatedDevice.objects.filter(device_id=lock.device_id)
    device.update(latency_ms=700)  # a slow lock: the pass takes seconds, one write at a time

    worker = _tick_in_another_process()
    deadline = time.monotonic() + 60
    while device.get().writes < 2 and time.monotonic() < deadline and worker.poll() is None:
        time.sleep(0.05)
    worker.send_signal(signal.SIGKILL)  # kill -9, mid-pass
    worker.wait()
    killed_at, written = timezone.now(), device.get().writes
    assert 2 <= written < len(codes), "the worker was not killed mid-pass"

    # Still leased: nobody else works on the lock meanwhile.
    assert scheduler.lock_claim(lock_id=lock.pk, now=killed_at) is None
    # Within a minute of the kill (the lease's end), a full pass takes the lock over.
    device.update(latency_ms=0)
    assert scheduler.run_due_locks(now=killed_at + timedelta(minutes=1)) == 1

    statuses = AccessCode.objects.filter(pk__in=[c.pk for c in codes]).values_list(
        "status", flat=True
    )
    assert set(statuses) == {AccessCode.Status.SET}
    # What the killed worker wrote was found on the lock, not written again: each code is on
    # the lock once, and the only write sent again is one the kill may have cut off before it
    # reached the lock (the lock counts a write as it arrives).
    on_lock = SimulatedCode.objects.filter(device__device_id=lock.device_id)
    assert sorted(on_lock.values_list("code", flat=True)) == sorted(c.code for c in codes)
    assert device.get().writes in (len(codes), len(codes) + 1)
