"""What a pull costs: the same queries whatever the pool's size and however many doors there are,
and the lock's row written only when the lock is not due already (clerks pulling from one door
at once would otherwise queue on that row; `bench_backups` measures them).

Real transactions: the lock is checked once the pull has committed, as in production.
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_q.conf import Conf

from backups.services import backup_pool_enable, backup_pull
from locks.models import Lock
from tests import factories
from tests.backups.lockside import ready, run, stay_codes

pytestmark = pytest.mark.django_db(transaction=True)
# In the pull's transaction: the code (for update, with its lock and owner), a healthy backup
# (SKIP LOCKED), the claim, the code's link, the event; after it, the lock made due and marked
# queued (conditional UPDATEs), and the task queued (the ORM broker's row; none with Redis).
PULL_QUERIES = 8


@pytest.fixture(autouse=True)
def orm_broker(monkeypatch):
    monkeypatch.setattr(Conf, "ORM", "default")


def pooled(lock, t0, size):
    backup_pool_enable(lock=lock, now=t0, size=size)
    return lock


def pull_queries(code, at) -> int:
    """Statements, leaving out the transaction's own BEGIN and COMMIT."""
    with CaptureQueriesContext(connection) as captured:
        backup_pull(access_code=code, now=at)
    return sum(
        q["sql"] not in ("BEGIN", "BEGIN IMMEDIATE", "COMMIT") for q in captured.captured_queries
    )


def version(lock):
    return Lock.objects.values_list("desired_version", flat=True).get(pk=lock.pk)


def test_a_pull_costs_the_same_whatever_the_pool_and_the_doors(owner, hotel, lock, t0):
    small = pooled(lock, t0, 2)
    doors = [
        pooled(
            factories.simulated_lock(owner=owner, property=hotel, name=f"Gate {n}", now=t0), t0, 10
        )
        for n in range(4)
    ]
    big = doors[0]
    (on_small,) = stay_codes(small, t0, 1)
    (on_big,) = stay_codes(big, t0, 1)
    run(t0)
    assert len(ready(small)) == 2 and len(ready(big)) == 10
    at = t0 + timedelta(minutes=5)  # neither lock is due: both pulls make theirs due

    assert pull_queries(on_small, at) == pull_queries(on_big, at) == PULL_QUERIES


def test_only_the_first_of_several_pulls_writes_the_locks_row_and_one_pass_refills(lock, t0):
    pooled(lock, t0, 5)
    codes = stay_codes(lock, t0, 3)
    run(t0)
    at = t0 + timedelta(minutes=5)
    before = version(lock)

    first = backup_pull(access_code=codes[0], now=at)
    assert version(lock) == before + 1  # made due now
    assert scheduler_due(lock, at)
    backup_pull(access_code=codes[1], now=at)
    backup_pull(access_code=codes[2], now=at)
    assert version(lock) == before + 1  # already due: nobody waits on the lock's row

    first.refresh_from_db()
    assert first.ends_at == codes[0].ends_at and first.reservation_id == codes[0].reservation_id
    run(at)
    assert len(ready(lock)) == 5


def scheduler_due(lock, at) -> bool:
    return Lock.objects.filter(pk=lock.pk, next_check_at__lte=at).exists()
