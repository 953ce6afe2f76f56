"""Clerks pulling backups at the same instant never share one, and one code never gets two.

SQLite serialises writers, so pulls cannot race there; CI runs this file again on PostgreSQL
(`make test-postgres`), where it must pass, never skip.
"""

from datetime import timedelta

import pytest

from backups.services import backup_pool_enable, backup_pull
from locks.errors import ServiceError
from locks.models import AccessCode, Event, Lock
from tests.backups.lockside import ready, run, stay_codes
from tests.race import at_once, on_postgresql

pytestmark = on_postgresql("two pulls cannot race")


def race(workers, work):
    """Run `work(n)` in `workers` threads released at the same instant: results or errors."""
    outcomes, finished = at_once(workers, work)
    assert finished
    return outcomes


@pytest.fixture
def pooled(lock, t0):
    backup_pool_enable(lock=lock, now=t0)
    # Turning the pool on queued the lock's pass for a worker, which tests do not run: run it
    # here instead.
    Lock.objects.filter(pk=lock.pk).update(claimed_until=None, claim_token=None)
    run(t0)
    assert len(ready(lock)) == 5
    return lock


def test_twenty_clerks_pulling_for_twenty_stays_share_five_backups(pooled, t0):
    codes = stay_codes(pooled, t0, 20)
    at = t0 + timedelta(minutes=40)

    outcomes = race(20, lambda n: backup_pull(access_code=codes[n], now=at))

    given = [o for o in outcomes if isinstance(o, AccessCode)]
    refused = [o for o in outcomes if isinstance(o, ServiceError)]
    assert len(given) == 5 and len(refused) == 15, outcomes
    assert len({b.pk for b in given}) == 5
    assert {e.type for e in refused} == {"no_backup_access_code_available"}
    pulled = AccessCode.objects.filter(lock=pooled, pulled_at__isnull=False)
    assert pulled.count() == 5
    assert {p.pulled_at for p in pulled} == {at}
    links = AccessCode.objects.filter(pulled_backup__isnull=False)
    assert links.count() == 5
    assert set(links.values_list("pulled_backup_id", flat=True)) == {b.pk for b in given}
    events = Event.objects.filter(event_type="access_code.backup_access_code_pulled")
    assert events.count() == 5


def test_ten_clerks_pulling_for_the_same_stay_get_the_same_single_backup(pooled, t0):
    (code,) = stay_codes(pooled, t0, 1)
    at = t0 + timedelta(minutes=40)

    outcomes = race(10, lambda n: backup_pull(access_code=code, now=at))

    assert all(isinstance(o, AccessCode) for o in outcomes), outcomes
    assert len({b.pk for b in outcomes}) == 1
    assert AccessCode.objects.filter(lock=pooled, pulled_at__isnull=False).count() == 1
    assert len(ready(pooled)) == 4
    events = Event.objects.filter(event_type="access_code.backup_access_code_pulled")
    assert events.count() == 1
