"""An owner's webhook endpoints: where its events go, and which ones."""

import re
from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef

from locks.errors import ServiceError
from locks.models import Owner, WebhookDelivery, WebhookEndpoint
from locks.outbound import OutboundRefused, url_check
from locks.outgoing.signing import secret_generate

# The families of event types recorded here: Seam's, and ours (stays, guest messages).
EVENT_FAMILIES = (
    "access_code",
    "device",
    "lock",
    "action_attempt",
    "connected_account",
    "reservation",
    "message",
)
MAX_ENDPOINTS = 20
_EVENT_TYPE = re.compile(r"^[a-z_]+(\.[a-z_]+)*(\.\*)?$")


def event_types_clean(event_types) -> list[str]:
    if event_types is None:
        return []
    if isinstance(event_types, str):
        event_types = [t for t in re.split(r"[\s,]+", event_types) if t]
    cleaned = []
    for event_type in event_types:
        if not isinstance(event_type, str) or not _EVENT_TYPE.match(event_type):
            raise ServiceError(
                f"{event_type!r} is not an event type: write them like access_code.set_on_device"
                ", or lock.* for a whole family.",
                field="event_types",
            )
        if event_type.split(".")[0] not in EVENT_FAMILIES:
            raise ServiceError(
                f"There are no {event_type} events: event types start with one of "
                f"{', '.join(EVENT_FAMILIES)}.",
                field="event_types",
            )
        if event_type not in cleaned:
            cleaned.append(event_type)
    return cleaned


def _url_clean(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 2000:
        raise ServiceError("The URL is longer than 2,000 characters.", field="url")
    try:
        url_check(url)
    except OutboundRefused as exc:
        raise ServiceError(exc.message, field="url") from None
    return url


def _flag_keep(owner_id: int) -> None:
    """`Owner.sends_webhooks`: whether any endpoint of the owner is on."""
    Owner.objects.filter(pk=owner_id).update(
        sends_webhooks=Exists(
            WebhookEndpoint.objects.filter(owner=OuterRef("pk"), disabled_at__isnull=True)
        )
    )


@transaction.atomic
def webhook_create(*, owner: Owner, url: str, event_types=None) -> WebhookEndpoint:
    if WebhookEndpoint.objects.filter(owner=owner).count() >= MAX_ENDPOINTS:
        raise ServiceError(
            f"An account has at most {MAX_ENDPOINTS} webhook endpoints; delete one first."
        )
    endpoint = WebhookEndpoint.objects.create(
        owner=owner,
        url=_url_clean(url),
        event_types=event_types_clean(event_types),
        secret=secret_generate(),
    )
    _flag_keep(owner.pk)
    owner.sends_webhooks = True
    return endpoint


@transaction.atomic
def webhook_update(
    *, endpoint: WebhookEndpoint, url: str | None = None, event_types=None
) -> WebhookEndpoint:
    """Change the URL or the event types wanted (None leaves each as it is)."""
    if url is not None:
        endpoint.url = _url_clean(url)
    if event_types is not None:
        endpoint.event_types = event_types_clean(event_types)
    endpoint.save(update_fields=["url", "event_types"])
    return endpoint


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint) -> None:
    owner_id = endpoint.owner_id
    endpoint.delete()
    _flag_keep(owner_id)


@transaction.atomic
def webhook_disable(*, endpoint: WebhookEndpoint, now: datetime, reason: str) -> None:
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(disabled_at=now, disabled_reason=reason)
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    _flag_keep(endpoint.owner_id)


@transaction.atomic
def webhook_enable(*, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Switch an endpoint back on: what waited for it goes out now, in order."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        disabled_at=None, disabled_reason="", failing_since=None
    )
    endpoint.disabled_at, endpoint.disabled_reason, endpoint.failing_since = None, "", None
    WebhookDelivery.objects.filter(endpoint=endpoint, status=WebhookDelivery.Status.PENDING).update(
        next_attempt_at=now
    )
    _flag_keep(endpoint.owner_id)
