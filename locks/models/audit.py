"""The audit log: every change a person made (from the dashboard, the admin or an API key).

Written by `locks.audit` only, never by the engine (its work has events of its own), and never
with a secret in it: a PIN, a token or a key reads "(changed)".
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from locks.models.tenancy import ApiKey, Owner


class AuditEntry(models.Model):
    class Source(models.TextChoices):
        DASHBOARD = "dashboard", "Dashboard"
        API = "api", "API"
        ADMIN = "admin", "Admin"

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="audit_entries")
    at = models.DateTimeField(default=timezone.now)
    # Who: a person (dashboard, admin) or an API key; the label keeps reading once they are gone.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    api_key = models.ForeignKey(
        ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    source = models.CharField(max_length=10, choices=Source.choices)
    address = models.CharField(max_length=45, blank=True)
    # What: `created`, `changed`, `deleted`, or a named action (`checked_out`, `pin_revealed`…).
    action = models.CharField(max_length=30)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    object_label = models.CharField(max_length=300, blank=True)
    # The object's time zone (its property's), in which the datetimes of `changes` are written.
    time_zone = models.CharField(max_length=64, default="UTC")
    # {field: [before, after]}; a secret field's values are never written.
    changes = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [
            models.Index(fields=["owner", "at", "id"], name="audit_owner_at"),
            models.Index(fields=["owner", "actor", "at"], name="audit_owner_actor"),
            models.Index(fields=["owner", "api_key", "at"], name="audit_owner_api_key"),
            models.Index(fields=["owner", "object_type", "at"], name="audit_owner_object"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_label} {self.action} {self.object_type} {self.object_label}"
