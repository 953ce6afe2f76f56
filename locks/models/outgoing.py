"""Webhooks: where an owner's events are pushed (endpoints), and each push (deliveries)."""

import uuid
from urllib.parse import urlsplit

from django.db import models

from locks.crypto import EncryptedCharField
from locks.models.events import Event
from locks.models.tenancy import Owner


class WebhookEndpoint(models.Model):
    """A URL that receives the owner's events, as Seam's webhooks do, signed with `secret`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=2000)
    # Event types wanted; empty for all of them. A type ending in ".*" takes a whole family.
    event_types = models.JSONField(default=list, blank=True)
    secret = EncryptedCharField(max_length=80, editable=False)  # encrypted at rest
    created_at = models.DateTimeField(auto_now_add=True)

    # Deliveries failing without a success since (None while it answers); after five days of
    # that the endpoint is switched off (`disabled_at`) and the owner's managers are told.
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)

    # A sender working through this endpoint's deliveries holds it (a conditional UPDATE, a
    # lease) so one endpoint's deliveries go out one at a time, in order, and a slow endpoint
    # holds one worker at most.
    claimed_until = models.DateTimeField(null=True, blank=True)
    # Marked when a sending task is queued, so a burst of events queues one.
    queued_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        # The host only: the URL's path or query may carry the receiver's own token.
        return f"Webhook to {urlsplit(self.url).hostname or 'nowhere'}"

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def wants(self, event_type: str) -> bool:
        if not self.event_types:
            return True
        return any(
            event_type == wanted or (wanted.endswith(".*") and event_type.startswith(wanted[:-1]))
            for wanted in self.event_types
        )


class WebhookDelivery(models.Model):
    """One event for one endpoint, written before it is sent, sent at least once.

    Its id is the message id the receiver sees (`webhook-id`): the same on every attempt and
    re-send, for the receiver's de-duplication.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="webhook_deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    # The event sent; a test event from the dashboard has none, only its `payload`.
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    event_type = models.CharField(max_length=80)
    payload = models.JSONField(null=True, blank=True)
    occurred_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    last_response = models.CharField(max_length=500, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-created_at"]
        indexes = [
            # What an endpoint has to send next, oldest event first.
            models.Index(
                fields=["endpoint", "status", "next_attempt_at"], name="delivery_endpoint_due"
            ),
            # The tick's question: which endpoints have something due?
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
            # An endpoint's last deliveries (Settings → Webhooks).
            models.Index(fields=["endpoint", "occurred_at"], name="delivery_endpoint_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"],
                condition=models.Q(event__isnull=False),
                name="delivery_once_per_event",
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id}"

    @property
    def message_id(self) -> str:
        return f"msg_{self.id.hex}"
