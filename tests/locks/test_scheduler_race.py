"""Two workers racing on the same due lock program its code exactly once (PostgreSQL).

SQLite serialises writers, so the race cannot happen there; CI runs this file again on
PostgreSQL (`make test-postgres`), where it must pass, never skip.
"""

from datetime import timedelta

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
