"""Delivery receipts: the provider's word on where a sent message got to."""

from datetime import datetime

from messaging.models import FINAL_STATUSES, STATUS_RANK, Message
from messaging.transports.twilio import PERMANENT_ERRORS

Status = Message.Status


def message_status_update(
    *, message: Message, status: str, now: datetime, error_code: str = ""
) -> bool:
    """A delivery receipt: applied once, and never moving a message backwards."""
    if status not in STATUS_RANK or message.is_final:
        return False
    if STATUS_RANK[status] <= STATUS_RANK.get(message.status, 0):
        return False
    fields = {"status": status}
    if status == Status.DELIVERED:
        fields["delivered_at"] = now
    if status in (Status.UNDELIVERED, Status.FAILED):
        fields["error_code"] = error_code
        fields["error_message"] = PERMANENT_ERRORS.get(
            error_code, f"The carrier could not deliver the message (error {error_code or '?'})."
        )
    updated = (
        Message.objects.filter(pk=message.pk, status=message.status)
        .exclude(status__in=FINAL_STATUSES)
        .update(**fields)
    )
    return updated == 1
