"""A lock checked after a change committed (`lock_check_committed`, a backup pull's): due at once
and queued, its row written only when it is not due already or a pass holds it, so clerks
pulling from one door at once do not queue on that row.

Real transactions: the function acts differently inside one (there the change is not committed
yet, so it is `lock_check_now`).
"""

from datetime import timedelta

import pytest
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ

from locks import reconcile, scheduler
from locks.models import Lock

pytestmark = pytest.mark.django_db(transaction=True)
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def orm_broker(monkeypatch):
    """Queue through the database, so the queued tasks can be counted as rows."""
    monkeypatch.setattr(Conf, "ORM", "default")


def at(lock, next_check_at, *, queued_until=None):
    Lock.objects.filter(pk=lock.pk).update(
        next_check_at=next_check_at, claimed_until=None, claim_token=None, queued_until=queued_until
    )
    OrmQ.objects.all().delete()
    lock.refresh_from_db()
    return lock.desired_version


def test_a_lock_not_due_yet_is_made_due_now_and_queued(lock, t0):
    version = at(lock, t0 + 15 * MINUTE)

    scheduler.lock_check_committed(lock=lock, now=t0)

    lock.refresh_from_db()
    assert lock.next_check_at == t0
    assert lock.desired_version == version + 1
    assert lock.queued_until == t0 + scheduler.QUEUED_FOR
    assert OrmQ.objects.count() == 1


def test_a_lock_already_due_and_queued_is_not_written_again(lock, t0, django_assert_num_queries):
    version = at(lock, t0 - MINUTE, queued_until=t0 + MINUTE)

    with django_assert_num_queries(2):  # two conditional UPDATEs that match nothing
        scheduler.lock_check_committed(lock=lock, now=t0)

    lock.refresh_from_db()
    assert lock.next_check_at == t0 - MINUTE
    assert lock.desired_version == version
    assert OrmQ.objects.count() == 0


def test_a_lock_already_due_but_not_queued_is_queued(lock, t0):
    version = at(lock, t0 - MINUTE)

    scheduler.lock_check_committed(lock=lock, now=t0)

    lock.refresh_from_db()
    assert lock.desired_version == version
    assert OrmQ.objects.count() == 1


def test_a_check_while_a_pass_holds_the_lock_makes_it_due_again_when_the_pass_ends(
    lock, t0, monkeypatch
):
    at(lock, t0)
    original = reconcile.lock_reconcile

    def reconcile_while_a_clerk_pulls(*, lock, now, **kwargs):
        result = original(lock=lock, now=now, **kwargs)
        scheduler.lock_check_committed(lock=lock, now=now)  # the pass read the codes before it
        return result

    monkeypatch.setattr(reconcile, "lock_reconcile", reconcile_while_a_clerk_pulls)
    token = scheduler.lock_claim(lock_id=lock.pk, now=t0)
    scheduler.lock_run_claimed(lock_id=lock.pk, token=token, now=t0)

    assert scheduler.due_lock_ids(now=t0) == [lock.pk]


def test_inside_a_transaction_it_is_lock_check_now(lock, t0):
    version = at(lock, t0 - MINUTE, queued_until=t0 + MINUTE)

    with transaction.atomic():
        scheduler.lock_check_committed(lock=lock, now=t0)

    lock.refresh_from_db()
    assert lock.desired_version == version + 1
