"""django-q2 on Redis: `REDIS_URL` switches the broker, and a reconcile task round-trips.

Redis runs locally wherever the suite runs (`.ci/services.sh` starts it); when it is down these
tests fail, they never skip.
"""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from locks import scheduler
from locks.access_codes import access_code_create
from locks.models import AccessCode

pytestmark = pytest.mark.redis

REDIS_URL = "redis://127.0.0.1:6379/15"


def broker_in_a_fresh_process(**env_changes):
    """The broker class django-q2 picks, and whether it answers, with these settings."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}
    env.pop("REDIS_URL", None)
    env.update(env_changes)
    probe = (
        "import django; django.setup();"
        "from django_q.brokers import get_broker;"
        "broker = get_broker(); print(type(broker).__name__, broker.ping())"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.split()


def test_redis_url_makes_redis_the_task_broker():
    assert broker_in_a_fresh_process(REDIS_URL=REDIS_URL) == ["Redis", "True"]


def test_without_redis_url_the_broker_is_the_database():
    assert broker_in_a_fresh_process()[0] == "ORM"


@pytest.fixture
def redis_broker(monkeypatch):
    """django-q2 configured for Redis as `REDIS_URL` does, on a queue of this test's own."""
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", REDIS_URL)
    monkeypatch.setattr(Conf, "CLUSTER_NAME", f"innkeeper-test-{uuid.uuid4().hex}")
    broker = get_broker()
    assert broker.ping()
    yield broker
    broker.delete_queue()


def test_a_queued_reconcile_round_trips_through_redis_and_runs(lock, redis_broker):
    now = timezone.now()
    code, _ = access_code_create(lock=lock, now=now)

    assert scheduler.tick(now=now) == 1
    assert redis_broker.queue_size() == 1

    ((_, payload),) = redis_broker.dequeue()
    task = SignedPackage.loads(payload)
    assert task["func"] == "locks.tasks.drain"
    assert import_string(task["func"])(*task["args"], **task["kwargs"]) == 1

    code.refresh_from_db()
    lock.refresh_from_db()
    assert code.status == AccessCode.Status.SET
    assert lock.claimed_until is None
    assert redis_broker.queue_size() == 0
