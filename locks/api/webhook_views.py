"""Webhooks as Seam's API answers them: `webhooks/create|list|get|update|delete`.

A webhook is a URL that receives the owner's events (all of them, or the `event_types` asked
for), signed with its `secret` as Seam signs (verify with `seam.SeamWebhook(secret)`).
"""

from datetime import datetime

from rest_framework import serializers

from locks.api.answers import Answer
from locks.api.base import endpoint
from locks.api.serializers import Input, ManyOf, Text
from locks.models import Owner, WebhookEndpoint
from locks.outgoing import endpoints
from locks.outgoing.selectors import webhook_get, webhooks_for


class WebhookSerializer(serializers.Serializer):
    webhook_id = serializers.UUIDField(source="id")
    url = serializers.CharField()
    event_types = serializers.ListField(child=serializers.CharField())
    secret = serializers.CharField()
    # Ours, beside Seam's fields: whether it is switched off after five days of failures.
    is_disabled = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_is_disabled(self, webhook: WebhookEndpoint) -> bool:
        return not webhook.enabled


class WebhookAnswer(Answer):
    webhook = WebhookSerializer()


class WebhooksAnswer(Answer):
    webhooks = WebhookSerializer(many=True)


class WebhookCreateInput(Input):
    url = Text(max_length=2000)
    event_types = ManyOf(child=Text(max_length=80), required=False, max_length=100)


class WebhookIdInput(Input):
    webhook_id = Text()


class WebhookUpdateInput(WebhookIdInput):
    url = Text(max_length=2000, required=False)
    event_types = ManyOf(child=Text(max_length=80), required=False, max_length=100)


def _webhook(webhook: WebhookEndpoint) -> dict:
    return WebhookSerializer(webhook).data


@endpoint(input=WebhookCreateInput, summary="Create a webhook", answer=WebhookAnswer, errors=())
def webhook_create(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Events go to `url` (https; plain http and inside addresses only within the networks the
    server allows); `event_types` picks them (all when none; `lock.*` takes a family)."""
    webhook = endpoints.webhook_create(
        owner=owner, url=params["url"], event_types=params.get("event_types")
    )
    return {"webhook": _webhook(webhook)}


@endpoint("GET", input=WebhookIdInput, summary="Get a webhook", answer=WebhookAnswer)
def webhook_get_view(*, owner: Owner, params: dict, now: datetime) -> dict:
    """With its secret."""
    return {"webhook": _webhook(webhook_get(owner, params["webhook_id"]))}


@endpoint("GET", input=Input, summary="List webhooks", answer=WebhooksAnswer, errors=())
def webhook_list(*, owner: Owner, params: dict, now: datetime) -> dict:
    return {"webhooks": WebhookSerializer(webhooks_for(owner), many=True).data}


@endpoint("PUT", "PATCH", input=WebhookUpdateInput, summary="Update a webhook", answer=Answer)
def webhook_update(*, owner: Owner, params: dict, now: datetime) -> dict:
    """The event types wanted (an empty list: all of them), and the URL."""
    endpoints.webhook_update(
        endpoint=webhook_get(owner, params["webhook_id"]),
        url=params.get("url"),
        event_types=params.get("event_types"),
    )
    return {}


@endpoint("DELETE", input=WebhookIdInput, summary="Delete a webhook", answer=Answer)
def webhook_delete(*, owner: Owner, params: dict, now: datetime) -> dict:
    """Its deliveries not sent yet are dropped with it."""
    endpoints.webhook_delete(endpoint=webhook_get(owner, params["webhook_id"]))
    return {}
