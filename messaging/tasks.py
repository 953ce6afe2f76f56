"""The task queue's entry points for messages."""

from django.utils import timezone

from messaging import automatic, sending


def send_message(message_id: str) -> None:
    sending.message_send(message_id=message_id, now=timezone.now())


def tick(now=None) -> None:
    """Every minute: queue the arrival messages and check-out reminders that are due, and send
    the ones waiting (retries, postponed arrivals)."""
    now = now or timezone.now()
    automatic.arrivals_send(now=now)
    automatic.checkouts_send(now=now)
    for message_id in sending.messages_due(now=now):
        sending.message_send(message_id=message_id, now=now)
