"""The task queue's entry points for messages."""

from django.utils import timezone

from messaging import services


def send_message(message_id: str) -> None:
    services.message_send(message_id=message_id, now=timezone.now())


def tick(now=None) -> None:
    """Every minute: queue the arrival messages and check-out reminders that are due, and send
    the ones waiting (retries, postponed arrivals)."""
    now = now or timezone.now()
    services.arrivals_send(now=now)
    services.checkouts_send(now=now)
    for message_id in services.messages_due(now=now):
        services.message_send(message_id=message_id, now=now)
