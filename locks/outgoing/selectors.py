"""Reads of an owner's webhooks, shared by the API and the dashboard (scoped to the owner)."""

from django.core.exceptions import ValidationError

from locks.errors import NotFound
from locks.models import Owner, WebhookDelivery, WebhookEndpoint

WEBHOOK_NOT_FOUND = "webhook_not_found"


def webhooks_for(owner: Owner):
    return WebhookEndpoint.objects.filter(owner=owner).order_by("created_at", "pk")


def webhook_get(owner: Owner, webhook_id) -> WebhookEndpoint:
    try:
        return WebhookEndpoint.objects.select_related("owner").get(owner=owner, pk=webhook_id)
    except (WebhookEndpoint.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound("No webhook with that id.", type=WEBHOOK_NOT_FOUND) from None


def webhook_deliveries(endpoint: WebhookEndpoint, *, limit: int = 20) -> list[WebhookDelivery]:
    """The endpoint's last deliveries, newest event first."""
    return list(endpoint.deliveries.order_by("-occurred_at", "-created_at")[:limit])


def delivery_get(owner: Owner, delivery_id) -> WebhookDelivery:
    try:
        return WebhookDelivery.objects.select_related("endpoint").get(owner=owner, pk=delivery_id)
    except (WebhookDelivery.DoesNotExist, ValidationError, ValueError, TypeError):
        raise NotFound(
            "No webhook delivery with that id.", type="webhook_delivery_not_found"
        ) from None
