"""The deliveries of events just recorded: one per event and endpoint that wants it, written in
the event's own transaction (so an event is never recorded without them), and a sender queued
for each endpoint once that transaction commits."""

from collections.abc import Callable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from locks.event_objects import event_object
from locks.models import Event, Owner, WebhookDelivery, WebhookEndpoint
from locks.outgoing.delivery import endpoint_enqueue

TEST_EVENT = "webhook.test"


def events_insert(*, owner: Owner, insert: Callable[[], list[Event]]) -> list[Event]:
    """Run `insert` (it stores events of `owner`) and write their deliveries in one transaction;
    for an owner without endpoints, just `insert`, at no extra cost."""
    if not owner.sends_webhooks:
        return insert()
    with transaction.atomic(savepoint=False):  # the events and their deliveries, or neither
        events = insert()
        deliveries_create(events=events)
    return events


def deliveries_create(*, events: list[Event]) -> list[WebhookDelivery]:
    """Costs nothing for owners without an endpoint (`Owner.sends_webhooks`, loaded with the
    owner), one query for the endpoints and one insert otherwise."""
    owner_ids = {e.owner_id for e in events if e.owner.sends_webhooks}
    if not owner_ids:
        return []
    endpoints = list(
        WebhookEndpoint.objects.filter(owner_id__in=owner_ids, disabled_at__isnull=True)
    )
    rows = [
        WebhookDelivery(
            owner_id=event.owner_id,
            endpoint=endpoint,
            event=event,
            event_type=event.event_type,
            occurred_at=event.occurred_at,
            next_attempt_at=event.occurred_at,
        )
        for event in events
        for endpoint in endpoints
        if endpoint.owner_id == event.owner_id and endpoint.wants(event.event_type)
    ]
    if not rows:
        return []
    WebhookDelivery.objects.bulk_create(rows)
    _enqueue_on_commit({row.endpoint_id for row in rows})
    return rows


def _enqueue_on_commit(endpoint_ids: set) -> None:
    def enqueue():
        now = timezone.now()
        for endpoint_id in endpoint_ids:
            endpoint_enqueue(endpoint_id=endpoint_id, now=now)

    transaction.on_commit(enqueue)


def webhook_test_send(*, endpoint: WebhookEndpoint, now: datetime) -> WebhookDelivery:
    """A made-up event for one endpoint (Settings → Webhooks → Send a test event), in the shape
    of every other; no event is recorded for it."""
    owner: Owner = endpoint.owner
    delivery = WebhookDelivery(
        owner=owner,
        endpoint=endpoint,
        event_type=TEST_EVENT,
        occurred_at=now,
        next_attempt_at=now,
    )
    # An event never saved, shaped by the one function every event's payload comes from.
    made_up = Event(
        id=delivery.id,
        owner=owner,
        event_type=TEST_EVENT,
        occurred_at=now,
        message=f"A test event from Innkeeper, sent to {endpoint.url} by {owner.name}.",
    )
    delivery.payload = event_object(made_up)
    delivery.save(force_insert=True)
    _enqueue_on_commit({endpoint.pk})
    return delivery
