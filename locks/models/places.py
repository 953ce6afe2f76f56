"""Properties and their units (rooms, homes): where the doors are."""

import builtins
import zoneinfo
from datetime import time

from django.core.exceptions import ValidationError
from django.db import models

from locks.models.tenancy import Owner
from locks.photos import photo_upload_to, validate_photo


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a time zone name, e.g. Europe/Paris.")


class Property(models.Model):
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="properties")
    name = models.CharField(max_length=200)
    address = models.CharField(max_length=300, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    country = models.CharField(
        max_length=2,
        blank=True,
        help_text="Two-letter country code (PT, US, ...): guests' local phone numbers are read "
        "as numbers of this country.",
    )
    default_check_in = models.TimeField(default=time(15, 0))
    default_check_out = models.TimeField(default=time(11, 0))
    # What the guest's page says about getting in (`messaging.guest_page`), and a private photo.
    arrival_instructions = models.TextField(
        blank=True,
        help_text="Shown to guests on their page: how to find the property and its entrance.",
    )
    arrival_photo = models.FileField(
        upload_to=photo_upload_to,
        blank=True,
        validators=[validate_photo],
        help_text="A photo of the entrance (JPEG, PNG, WebP or GIF, up to 5 MB); only the "
        "property's guests see it, on their page.",
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "properties"

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Unit(models.Model):
    """A room of a hotel, or a whole rental home."""

    property = models.ForeignKey(Property, on_delete=models.CASCADE, related_name="units")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["property", "name"], name="unit_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.property} · {self.name}"

    @builtins.property  # the field `property` hides the builtin here
    def label(self) -> str:
        """The unit named out of its property's context: "Harbour Inn — Room 7"."""
        return f"{self.property.name} — {self.name}"
