"""Sending deliveries: claimed, signed, sent at least once, retried on a schedule, then failed.

A sender first claims the **endpoint** (a conditional UPDATE on a lease), so one endpoint's
deliveries go out one at a time, oldest event first, and a slow endpoint holds one worker at
most; then each **delivery** (another conditional UPDATE), so two workers never send one. An
attempt that fails for a reason retrying can help (a timeout, no connection, 429, 5xx) is
retried after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then the delivery is failed; any
other answer fails it at once. A failing endpoint stops its sender's run (the rest of its
deliveries wait, in order, for the next run); one failing for five days with no success is
switched off, and that is an alert. Every request has a timeout.
"""

import json
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from time import monotonic

import httpx
from django.db import connections
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from locks.event_objects import event_object
from locks.models import WebhookDelivery, WebhookEndpoint
from locks.outbound import OutboundRefused, client
from locks.outgoing.endpoints import webhook_disable
from locks.outgoing.signing import signed_headers

log = logging.getLogger(__name__)

# Waits before each retry: 8 attempts in all over about 27 hours (Seam's own schedule).
RETRY_AFTER = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
ATTEMPTS = len(RETRY_AFTER) + 1
TIMEOUT_SECONDS = 10.0
DELIVERY_LEASE = timedelta(seconds=60)  # longer than one request can take
ENDPOINT_LEASE = timedelta(minutes=2)  # longer than one run (SEND_FOR and a request)
SEND_FOR = 60.0  # seconds a run keeps sending before it leaves the rest to the next
QUEUED_FOR = timedelta(minutes=2)
BATCH = 20
DISABLE_AFTER = timedelta(days=5)
RESPONSE_EXCERPT = 500
Pending = WebhookDelivery.Status.PENDING
sleep = time.sleep  # waiting for a retry due within 5 s (tests move their clock instead)


def deliveries_due(*, now: datetime):
    return WebhookDelivery.objects.filter(
        status=Pending, next_attempt_at__lte=now, endpoint__disabled_at__isnull=True
    )


def endpoints_due(*, now: datetime) -> list:
    return list(deliveries_due(now=now).values_list("endpoint_id", flat=True).distinct())


def endpoint_enqueue(*, endpoint_id, now: datetime) -> bool:
    """Queue a sender for the endpoint, once for a burst of events (not while one is queued)."""
    marked = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True)
        .filter(Q(queued_until__isnull=True) | Q(queued_until__lt=now))
        .update(queued_until=now + QUEUED_FOR)
    )
    if marked:
        async_task(
            "locks.tasks.send_webhooks",
            str(endpoint_id),
            task_name=f"webhooks-{endpoint_id}",
            group="webhooks",
        )
    return bool(marked)


def webhooks_queue_due(*, now: datetime) -> int:
    """The tick's part: a sender queued for every endpoint with a delivery due."""
    return sum(endpoint_enqueue(endpoint_id=pk, now=now) for pk in endpoints_due(now=now))


def webhooks_send_due(*, clock: Callable[[], datetime] = timezone.now) -> int:
    """Send every delivery that is due, in this process (`manage.py tick`, the cron path): one
    thread per endpoint (at most 8 at a time), so a slow endpoint delays no other. Returns
    how many attempts were made."""
    endpoint_ids = endpoints_due(now=clock())
    if len(endpoint_ids) <= 1:
        return sum(endpoint_send_due(endpoint_id=pk, clock=clock) for pk in endpoint_ids)
    with ThreadPoolExecutor(max_workers=min(8, len(endpoint_ids))) as pool:
        return sum(pool.map(lambda pk: _in_thread(pk, clock), endpoint_ids))


def _in_thread(endpoint_id, clock) -> int:
    try:
        return endpoint_send_due(endpoint_id=endpoint_id, clock=clock)
    finally:
        connections.close_all()


def endpoint_send_due(
    *,
    endpoint_id,
    clock: Callable[[], datetime] = timezone.now,
    until: float | None = None,
) -> int:
    """Claim the endpoint, then send its due deliveries, oldest event first, until none is
    due, one fails for a reason retrying can help (waiting here for a retry due within 5 s),
    or `until` (a `monotonic()` time, SEND_FOR from now by default). Returns the attempts."""
    until = until if until is not None else monotonic() + SEND_FOR
    now = clock()
    claimed = (
        WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + ENDPOINT_LEASE, queued_until=None)
    )
    if not claimed:
        return 0
    endpoint = WebhookEndpoint.objects.select_related("owner").get(pk=endpoint_id)
    attempts = 0
    try:
        with client(endpoint.url, timeout=TIMEOUT_SECONDS) as session:
            while monotonic() < until and endpoint.enabled:
                sent, retry_at = _send_batch(session, endpoint, clock, until)
                attempts += sent
                if retry_at is None:
                    if not sent:
                        break
                    continue
                wait = (retry_at - clock()).total_seconds()
                if wait > RETRY_AFTER[0].total_seconds() or monotonic() + wait >= until:
                    break
                sleep(max(0.0, wait))
    except OutboundRefused as exc:  # the URL's scheme, or the setting itself
        log.warning("Webhook endpoint %s cannot be called: %s", endpoint_id, exc.message)
    finally:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(claimed_until=None)
    return attempts


def _send_batch(session, endpoint, clock, until) -> tuple[int, datetime | None]:
    """Send one batch of due deliveries; returns how many were tried, and the time of the
    retry of the one that failed (None when none did)."""
    batch = list(
        deliveries_due(now=clock())
        .filter(endpoint=endpoint)
        .select_related("event__lock", "event__access_code")
        .order_by("occurred_at", "created_at")[:BATCH]
    )
    sent = 0
    for delivery in batch:
        if monotonic() >= until:
            break
        now = clock()
        if not _claim(delivery, now):
            continue
        sent += 1
        outcome = _attempt(session, endpoint, delivery)
        _record(endpoint, delivery, outcome, now)
        if outcome.retryable:
            return sent, delivery.next_attempt_at
    return sent, None


def _claim(delivery: WebhookDelivery, now: datetime) -> bool:
    return bool(
        WebhookDelivery.objects.filter(pk=delivery.pk, status=Pending, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + DELIVERY_LEASE)
    )


def payload_of(delivery: WebhookDelivery) -> dict:
    if delivery.event_id is None:
        return delivery.payload
    return event_object(delivery.event)


class _Outcome:
    def __init__(self, *, ok=False, retryable=False, status=None, error="", response=""):
        self.ok, self.retryable, self.status = ok, retryable, status
        self.error, self.response = error, response


def _attempt(session: httpx.Client, endpoint: WebhookEndpoint, delivery) -> _Outcome:
    body = json.dumps(payload_of(delivery), separators=(",", ":"))
    headers = signed_headers(
        secret=endpoint.secret,
        message_id=delivery.message_id,
        timestamp=int(time.time()),  # the receiver's clock judges it: the real time
        body=body,
    )
    try:
        with session.stream("POST", endpoint.url, content=body.encode(), headers=headers) as r:
            excerpt = _excerpt(r)
    except OutboundRefused as exc:
        return _Outcome(error=f"Not sent: {exc.message}.")
    except httpx.TimeoutException:
        return _Outcome(retryable=True, error=f"No answer within {TIMEOUT_SECONDS:g} seconds.")
    except httpx.TransportError as exc:
        return _Outcome(retryable=True, error=f"Could not connect: {exc or type(exc).__name__}.")
    status = r.status_code
    if 200 <= status < 300:
        return _Outcome(ok=True, status=status, response=excerpt)
    if status == 429 or status >= 500:
        return _Outcome(retryable=True, status=status, response=excerpt)
    if 300 <= status < 400:
        error = "Answered with a redirect, which is not followed: give the final URL."
        return _Outcome(status=status, error=error, response=excerpt)
    return _Outcome(status=status, error=f"Refused with {status}.", response=excerpt)


def _excerpt(response: httpx.Response) -> str:
    """The first characters of the answer, without reading a huge one whole."""
    read = b""
    for chunk in response.iter_bytes():
        read += chunk
        if len(read) >= RESPONSE_EXCERPT * 4:
            break
    return read.decode("utf-8", errors="replace")[:RESPONSE_EXCERPT]


def _record(endpoint: WebhookEndpoint, delivery: WebhookDelivery, outcome, now: datetime):
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status
    delivery.last_error = outcome.error[:300]
    delivery.last_response = outcome.response
    delivery.claimed_until = None
    if outcome.ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = "delivered", now, None
    elif outcome.retryable and delivery.attempts < ATTEMPTS:
        delivery.next_attempt_at = now + RETRY_AFTER[delivery.attempts - 1]
    else:
        delivery.status, delivery.next_attempt_at = WebhookDelivery.Status.FAILED, None
    delivery.save(
        update_fields=[
            "attempts",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "last_response",
            "claimed_until",
            "status",
            "delivered_at",
            "next_attempt_at",
        ]
    )
    if outcome.ok:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
            endpoint.failing_since = None
        return
    log.warning(
        "Webhook delivery %s to endpoint %s failed (attempt %s): %s %s",
        delivery.pk,
        endpoint.pk,
        delivery.attempts,
        outcome.status or "",
        outcome.error,
    )
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=now
        )
        endpoint.failing_since = now
    elif now - endpoint.failing_since >= DISABLE_AFTER:
        webhook_disable(
            endpoint=endpoint,
            now=now,
            reason=(
                f"Switched off on {now:%d %b %Y}: every delivery failed for five days "
                f"(the last: {outcome.error or outcome.status})."
            ),
        )


def delivery_resend(*, delivery: WebhookDelivery, now: datetime) -> None:
    """Send a delivery again, now, under the same message id (the receiver can de-duplicate)."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Pending, attempts=0, next_attempt_at=now, claimed_until=None
    )
    delivery.refresh_from_db()
    endpoint_enqueue(endpoint_id=delivery.endpoint_id, now=timezone.now())
