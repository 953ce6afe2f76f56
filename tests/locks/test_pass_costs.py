"""What one pass costs, in queries and in calls to the lock, whatever the lock holds.

Queries are Innkeeper's own: the simulated lock keeps its state in the same database, and its
queries stand for the lock's side of a device call, so they are counted as device calls.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backups.services import backup_pool_enable, unpulled_backups
from locks import scheduler
from locks.access_codes import access_code_create
from locks.drivers.simulated import SimulatedDriver
from tests.benchmarks.common import innkeepers_own

DEVICE_CALLS = ("read", "read_device", "list_codes", "set_code", "remove_code", "update_code")


@pytest.fixture
def device_calls(monkeypatch):
    calls = []
    for name in DEVICE_CALLS:
        original = getattr(SimulatedDriver, name, None)
        if original is None:
            continue

        def counted(self, *args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(SimulatedDriver, name, counted)
    return calls


def one_pass(lock, now) -> list[str]:
    """Claim and run the lock once; Innkeeper's queries (the simulated lock's aside)."""
    with CaptureQueriesContext(connection) as captured:
        token = scheduler.lock_claim(lock_id=lock.pk, now=now)
        assert token is not None
        scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=now)
    return innkeepers_own([q["sql"] for q in captured.captured_queries])


def settled(lock, t0, codes: int):
    """The lock with `codes` codes on it and nothing to do; the time of its next poll."""
    for n in range(codes):
        access_code_create(lock=lock, now=t0, name=f"Guest {n}")
    for minute in range(3):  # ten writes a pass at most
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))
    return t0 + timedelta(minutes=2 + lock.owner.lock_poll_minutes)


@pytest.mark.parametrize("codes", [0, 3, 12])
def test_a_poll_with_nothing_to_do_costs_at_most_four_queries_and_one_read(
    lock, t0, device_calls, codes
):
    poll = settled(lock, t0, codes)
    device_calls.clear()

    queries = one_pass(lock, poll)

    assert len(queries) <= 4, "\n".join(q[:120] for q in queries)
    assert device_calls == ["read"]


@pytest.mark.parametrize("codes", [0, 12])
def test_a_pass_that_writes_one_code_costs_six_queries_and_three_calls_to_the_lock(
    lock, t0, device_calls, codes
):
    poll = settled(lock, t0, codes)
    access_code_create(lock=lock, now=poll, name="New guest")  # with its action attempt
    device_calls.clear()

    queries = one_pass(lock, poll)

    assert len(queries) <= 6, "\n".join(q[:120] for q in queries)
    assert device_calls == ["read", "set_code", "list_codes"]  # read once, write, confirm


@pytest.mark.parametrize("codes", [0, 12])
def test_a_poll_of_a_lock_keeping_a_full_pool_reads_its_codes_once(lock, t0, device_calls, codes):
    """The pool's upkeep before the pass and its report after ride on the pass's own load."""
    backup_pool_enable(lock=lock, now=t0)
    poll = settled(lock, t0, codes)
    assert unpulled_backups(lock).filter(status="set").count() == lock.backup_pool_target(
        lock.owner
    )
    device_calls.clear()

    queries = one_pass(lock, poll)

    reads = [q for q in queries if q.startswith("SELECT") and 'FROM "locks_accesscode"' in q]
    assert len(reads) == 1, "\n".join(q[:120] for q in queries)
    assert len(queries) <= 4, "\n".join(q[:120] for q in queries)
    assert device_calls == ["read"]
