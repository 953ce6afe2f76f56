"""What happened: events on locks and codes, and the alerts already emailed."""

import uuid

from django.db import models

from locks.models.codes import AccessCode
from locks.models.devices import Lock
from locks.models.tenancy import Owner


class Event(models.Model):
    """What happened, in Seam's event vocabulary: the history of codes and devices."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="events")
    event_type = models.CharField(max_length=80)
    lock = models.ForeignKey(
        Lock, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    access_code = models.ForeignKey(
        AccessCode, on_delete=models.CASCADE, null=True, blank=True, related_name="events"
    )
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    occurred_at = models.DateTimeField()
    message = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    # What the lock's driver calls the event (`<driver>:<its id>`), for events read from a lock:
    # each is stored once, however often its feed is read.
    driver_event_ref = models.CharField(max_length=140, blank=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["owner", "occurred_at"], name="event_owner_time"),
            # A door's and a stay's own history (their pages, the entries' export).
            models.Index(fields=["lock", "occurred_at"], name="event_lock_time"),
            models.Index(fields=["reservation", "occurred_at"], name="event_stay_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "driver_event_ref"],
                condition=~models.Q(driver_event_ref=""),
                name="event_driver_ref_once",
            )
        ]

    def __str__(self) -> str:
        return self.event_type


class AlertNotice(models.Model):
    """An urgent alert already emailed: it is not sent again until it has cleared."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="alert_notices")
    # The alert's identity (`reservations.alerts.Alert.key`): its kind, lock, stay and device.
    key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    sent_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="alert_notice_unique")]

    def __str__(self) -> str:
        return self.title
