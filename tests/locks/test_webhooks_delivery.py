"""Every event recorded for an owner reaches its webhook endpoints, signed as Seam signs, at
least once, retried on Seam's schedule, and never sent to the inside of our network."""

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from seam import SeamWebhook, SeamWebhookVerificationError

from locks import simulator, tasks
from locks.models import Lock, Owner, WebhookDelivery
from locks.outgoing import delivery as sender
from locks.outgoing.endpoints import webhook_create
from locks.outgoing.fanout import webhook_test_send
from locks.records import lock_event_record
from reservations.stays import reservation_create
from tests.locks.seam_api import api_key_for, seam_client

pytestmark = pytest.mark.django_db


def _door(lock) -> Lock:
    return Lock.objects.select_related("owner").get(pk=lock.pk)


def _battery_low(lock, at):
    return lock_event_record(
        lock=_door(lock), event_type="device.low_battery", now=at, battery_level=12
    )


def _send(endpoint, sender_clock) -> int:
    return sender.endpoint_send_due(endpoint_id=endpoint.pk, clock=sender_clock)


def test_an_event_arrives_as_events_list_shows_it_and_seams_verifier_accepts_it(
    owner, lock, receiver, sender_clock
):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    event = _battery_low(lock, sender_clock.now)

    assert _send(endpoint, sender_clock) == 1

    [got] = receiver.received
    verified = SeamWebhook(endpoint.secret).verify(got.body, got.headers)
    assert verified.event_id == str(event.id)
    assert verified.event_type == "device.low_battery"
    with seam_client(api_key_for(owner)) as seam:
        events = seam.client.get("/events/list", params={"since": "2026-01-01T00:00:00Z"})
    [listed] = [e for e in events["events"] if e["event_id"] == str(event.id)]
    assert json.loads(got.body) == listed  # the event object of events/list, field for field
    assert json.loads(got.body)["occurred_at"]
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "delivered" and delivery.last_status_code == 200
    assert got.headers["webhook-id"] == delivery.message_id == got.headers["svix-id"]


def test_a_forged_or_altered_webhook_is_rejected_by_seams_verifier(
    owner, lock, receiver, sender_clock
):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    [got] = receiver.received
    altered = got.body.replace("device.low_battery", "device.connected")
    with pytest.raises(SeamWebhookVerificationError):
        SeamWebhook(endpoint.secret).verify(altered, got.headers)
    other = webhook_create(owner=owner, url=receiver.url + "/other")
    with pytest.raises(SeamWebhookVerificationError):
        SeamWebhook(other.secret).verify(got.body, got.headers)


def test_each_endpoint_gets_only_the_event_types_it_asked_for(owner, lock, receiver, sender_clock):
    codes_only = webhook_create(owner=owner, url=receiver.url, event_types=["access_code.*"])
    devices = webhook_create(owner=owner, url=receiver.url, event_types=["device.low_battery"])
    _battery_low(lock, sender_clock.now)
    assert _send(codes_only, sender_clock) == 0
    assert _send(devices, sender_clock) == 1
    assert [json.loads(r.body)["event_type"] for r in receiver.received] == ["device.low_battery"]


def test_an_endpoint_gets_its_events_in_the_order_they_happened(
    owner, lock, receiver, sender_clock
):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    door = _door(lock)
    for minutes, kind in ((3, "device.disconnected"), (1, "device.low_battery"), (2, "x.y")):
        lock_event_record(
            lock=door, event_type=f"{kind}", now=sender_clock.now - timedelta(minutes=10 - minutes)
        )
    _send(endpoint, sender_clock)
    kinds = [json.loads(r.body)["event_type"] for r in receiver.received]
    assert kinds == ["device.low_battery", "x.y", "device.disconnected"]


def test_a_500_is_retried_5_seconds_later_under_the_same_id(owner, lock, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [500]
    _battery_low(lock, sender_clock.now)

    assert _send(endpoint, sender_clock) == 2  # failed, waited 5 s, sent again

    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None


def test_a_timeout_is_retried(owner, lock, receiver, sender_clock, monkeypatch):
    monkeypatch.setattr(sender, "TIMEOUT_SECONDS", 0.3)
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.delay = 1.5
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.attempts >= 1
    assert "No answer within 0.3 seconds" in delivery.last_error

    receiver.delay = 0
    sender_clock.wait(6 * 60)
    _send(endpoint, sender_clock)
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_retries_follow_seams_schedule_then_the_delivery_fails_and_says_why(
    owner, lock, receiver, sender_clock
):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [503] * 20
    _battery_low(lock, sender_clock.now)
    waits = []
    for _ in range(10):
        _send(endpoint, sender_clock)
        delivery = WebhookDelivery.objects.get()
        if delivery.status != "pending":
            break
        waits.append(delivery.next_attempt_at - sender_clock.now)
        sender_clock.now = delivery.next_attempt_at
    assert delivery.status == "failed"
    assert delivery.attempts == 8 and len(receiver.received) == 8
    assert delivery.last_status_code == 503
    # After the first 5 s (waited inside the run), the waits are Seam's.
    minutes = [round(w.total_seconds() / 60) for w in waits]
    assert minutes == [5, 30, 120, 300, 600, 600]


def test_an_answer_that_retrying_cannot_help_fails_at_once(owner, lock, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [404]
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (
        "failed",
        1,
        "Refused with 404.",
    )


def test_redirects_are_not_followed(owner, lock, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [302]
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and "redirect" in delivery.last_error
    assert len(receiver.received) == 1


def test_the_address_is_checked_again_when_sending(owner, lock, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    _battery_low(lock, sender_clock.now)
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=[]):
        _send(endpoint, sender_clock)
    assert receiver.received == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed"
    assert "127.0.0.1" in delivery.last_error and "http" in delivery.last_error


def test_an_endpoint_failing_for_five_days_is_switched_off(owner, lock, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    receiver.statuses = [500] * 10
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None and endpoint.enabled

    sender_clock.wait(5 * 24 * 3600)
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    endpoint.refresh_from_db()
    owner.refresh_from_db()
    assert not endpoint.enabled and "five days" in endpoint.disabled_reason
    assert not owner.sends_webhooks
    # What is left waits, unsent, until a manager switches the endpoint back on.
    tried = len(receiver.received)
    _battery_low(lock, sender_clock.now)
    assert _send(endpoint, sender_clock) == 0 and len(receiver.received) == tried


def test_the_tick_queues_a_sender_for_each_endpoint_with_a_delivery_due(
    owner, lock, receiver, monkeypatch
):
    queued = []
    monkeypatch.setattr(sender, "async_task", lambda func, *args, **kw: queued.append((func, args)))
    endpoint = webhook_create(owner=owner, url=receiver.url)
    _battery_low(lock, timezone.now())
    tasks.tick()
    assert queued == [("locks.tasks.send_webhooks", (str(endpoint.pk),))]
    tasks.tick()  # queued already: not again
    assert len(queued) == 1
    tasks.send_webhooks(*queued[0][1])
    assert len(receiver.received) == 1


def test_manage_py_tick_sends_every_delivery_that_is_due_in_its_own_process(owner, lock, receiver):
    webhook_create(owner=owner, url=receiver.url)
    _battery_low(lock, timezone.now())
    out = io.StringIO()
    call_command("tick", stdout=out)
    assert "Sent 1 webhook delivery." in out.getvalue()
    assert len(receiver.received) == 1


def test_a_test_event_reaches_the_endpoint_signed_like_the_rest(owner, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    webhook_test_send(endpoint=endpoint, now=sender_clock.now)
    _send(endpoint, sender_clock)
    [got] = receiver.received
    event = SeamWebhook(endpoint.secret).verify(got.body, got.headers)
    assert event.event_type == "webhook.test"


def test_a_resend_goes_again_under_the_same_message_id(owner, lock, receiver, sender_clock):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    _battery_low(lock, sender_clock.now)
    _send(endpoint, sender_clock)
    delivery = WebhookDelivery.objects.get()
    sender.delivery_resend(delivery=delivery, now=sender_clock.now)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=sender_clock.now)
    endpoint.refresh_from_db()
    _send(endpoint, sender_clock)
    first, again = receiver.received
    assert first.headers["webhook-id"] == again.headers["webhook-id"]
    assert first.body == again.body


def test_an_owner_without_webhooks_records_events_at_no_extra_cost(
    owner, lock, sender_clock, django_assert_num_queries
):
    door = _door(lock)
    with django_assert_num_queries(1):
        lock_event_record(lock=door, event_type="device.low_battery", now=sender_clock.now)


def test_a_wrong_pin_at_the_door_and_a_new_stay_reach_the_pms(
    owner, room, lock, receiver, sender_clock
):
    """Events read from a lock's feed (stored in bulk) and the stays' own events alike."""
    endpoint = webhook_create(
        owner=owner, url=receiver.url, event_types=["lock.*", "reservation.created"]
    )
    simulator.simulated_keypad_entry(lock=_door(lock), code="0000", now=sender_clock.now)
    stay = reservation_create(
        owner=Owner.objects.get(pk=owner.pk),
        unit=room,
        guest_name="Ana Costa",
        check_in=sender_clock.now + timedelta(days=2),
        check_out=sender_clock.now + timedelta(days=4),
        now=sender_clock.now,
    )
    _send(endpoint, sender_clock)
    got = [json.loads(r.body) for r in receiver.received]
    assert [(e["event_type"], e["device_id"]) for e in got] == [
        ("lock.access_denied", str(lock.public_id)),
        ("reservation.created", None),
    ]
    assert got[1]["reservation_id"] == str(stay.pk)
    assert "0000" not in receiver.received[0].body  # a PIN is never in an event
