"""Deliveries sent by several senders at once: each goes out once, and a slow endpoint holds up
no other."""

from collections import Counter

from django.utils import timezone

from locks.models import Lock, WebhookDelivery
from locks.outgoing import delivery as sender
from locks.outgoing.endpoints import webhook_create
from locks.records import lock_event_record
from tests.locks.webhook_receiver import Receiver
from tests.race import at_once, on_postgresql


def _on_postgresql(cannot: str):
    def marked(test):
        for mark in on_postgresql(cannot):
            test = mark(test)
        return test

    return marked


def _events(lock, count: int) -> None:
    door = Lock.objects.select_related("owner").get(pk=lock.pk)
    for n in range(count):
        lock_event_record(lock=door, event_type="device.low_battery", now=timezone.now(), n=n)


@_on_postgresql("threads on its in-memory test database lock whole tables")
def test_in_the_cron_path_a_slow_endpoint_does_not_hold_up_another(
    owner, lock, loopback_allowed, monkeypatch
):
    """The slow receiver answers only once the quick one has been sent its event: were the
    endpoints sent to one after the other, slow first, it would time out."""
    monkeypatch.setattr(sender, "TIMEOUT_SECONDS", 8.0)
    with Receiver() as slow, Receiver() as quick:
        slow.before_answer = lambda: quick.answered.wait(timeout=6)
        slow_end = webhook_create(owner=owner, url=slow.url)
        webhook_create(owner=owner, url=quick.url)
        _events(lock, 1)
        assert sender.webhooks_send_due() == 2
        assert len(quick.received) == 1 and len(slow.received) == 1
    delivered = WebhookDelivery.objects.filter(endpoint=slow_end).get()
    assert delivered.status == "delivered"
    assert quick.answered.is_set()


@_on_postgresql("threads on its in-memory test database lock whole tables")
def test_senders_running_at_once_send_each_delivery_once(owner, lock, loopback_allowed):
    with Receiver() as receiver:
        endpoint = webhook_create(owner=owner, url=receiver.url)
        _events(lock, 5)
        outcomes, finished = at_once(3, lambda n: sender.endpoint_send_due(endpoint_id=endpoint.pk))
        assert finished
        sender.endpoint_send_due(endpoint_id=endpoint.pk)  # whatever a loser left
    ids = Counter(r.headers["webhook-id"] for r in receiver.received)
    assert len(ids) == 5 and set(ids.values()) == {1}
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {"delivered"}


@_on_postgresql("two senders cannot race for a delivery")
def test_two_senders_claiming_one_delivery_at_once_one_wins(owner, lock, loopback_allowed):
    webhook_create(owner=owner, url="http://127.0.0.1:9/hooks")
    _events(lock, 1)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    outcomes, finished = at_once(8, lambda n: sender._claim(delivery, now))
    assert finished
    assert sorted(outcomes) == [False] * 7 + [True]
