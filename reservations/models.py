"""Reservations (stays) and the calendar feeds they come from.

A confirmed reservation owns one guest PIN, put on every door its guest needs (the unit's doors
and the property's shared doors) as AccessCode rows linked to it, for the window check-in −
buffer .. check-out + buffer. `reservations.guest_codes.guest_codes_sync` keeps those rows right.
"""

import builtins
import operator
import uuid
from datetime import datetime, timedelta
from functools import reduce

from django.conf import settings
from django.db import models
from django.db.models import Q

from locks.crypto import EncryptedCharField
from locks.models import Event, Lock, Owner, Property, Unit

# A stay's length class, so that the stays in house at a moment (arrived before it, leaving
# after) are a bounded index range: a stay of class k lasts at most STAY_CLASS_DAYS[k] days, and
# the last class (longer stays, which are few) has no bound.
STAY_CLASS_DAYS = (1, 3, 7, 31, 92, 366)


def stay_class(check_in: datetime, check_out: datetime) -> int:
    length = check_out - check_in
    return next(
        (k for k, days in enumerate(STAY_CLASS_DAYS) if length <= timedelta(days=days)),
        len(STAY_CLASS_DAYS),
    )


class Reservation(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", "Entered by hand"
        ICAL = "ical", "Calendar feed"
        API = "api", "API"
        CSV = "csv", "CSV import"

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", "Confirmed"
        CANCELLED = "cancelled", "Cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="reservations")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="reservations")
    # The unit's property, kept by `save` (units never change property), so that a page of
    # properties reads only their stays (`reservations.spans`). Nullable only so that adding it
    # did not rebuild the table; every saved stay has it.
    property = models.ForeignKey(
        Property,
        on_delete=models.PROTECT,
        null=True,
        editable=False,
        db_index=False,
        related_name="+",
    )
    guest_name = models.CharField(max_length=200)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +351912345678")
    email = models.EmailField(blank=True)
    guests = models.PositiveSmallIntegerField(default=1)
    check_in = models.DateTimeField()
    check_out = models.DateTimeField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.MANUAL)
    external_id = models.CharField(max_length=255, blank=True)
    feed = models.ForeignKey(
        "reservations.ReservationFeed",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reservations",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    notes = models.TextField(blank=True)
    # The guest's language for their page and messages (from the booking, or chosen on the
    # page); "" is the installation's default (English).
    language = models.CharField(max_length=8, blank=True, choices=settings.GUEST_LANGUAGES)
    # The guest page's link is signed with this number (`reservations.guest_links`): a new
    # link (`guest_link_renew`) bumps it, and every link sent before stops working.
    guest_link_version = models.PositiveIntegerField(default=1, editable=False)

    # The stay's PIN: the same on every door, kept for the whole stay (never rotated by itself).
    pin = EncryptedCharField(max_length=12, blank=True)  # encrypted at rest (locks/crypto.py)
    pin_note = models.CharField(max_length=300, blank=True)
    # Overlaps another stay of the unit; kept (from a feed or the API) and shown to people.
    has_conflict = models.BooleanField(default=False)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    # `stay_class` of check-in and check-out, kept by `save`.
    length_class = models.PositiveSmallIntegerField(default=0, editable=False)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The guest's first entry at a door of the stay (`reservations.entries`): when, and which
    # event (its door and the code used).
    arrived_at = models.DateTimeField(null=True, blank=True)
    first_entry = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, db_index=False, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["check_in"]
        constraints = [
            models.CheckConstraint(
                condition=Q(check_out__gt=models.F("check_in")),
                name="reservation_check_out_after_check_in",
            ),
            # A system that pushes a stay twice updates it, never duplicates it.
            models.UniqueConstraint(
                fields=["owner", "source", "external_id"],
                condition=~Q(external_id=""),
                name="reservation_external_id_unique",
            ),
        ]
        indexes = [
            # By check-in and id, the lists' order: a page of them is read straight off it.
            models.Index(fields=["owner", "check_in", "id"], name="reservation_owner_check_in_id"),
            models.Index(fields=["owner", "check_out"], name="reservation_owner_check_out"),
            models.Index(fields=["unit", "check_in"], name="reservation_unit_check_in"),
            # Who is in house at a moment: per length class, the check-ins of a bounded span,
            # answered from the index alone.
            models.Index(
                fields=["owner", "length_class", "check_in", "check_out", "checked_out_at", "id"],
                name="reservation_in_house",
            ),
            # Today's early check-outs (arrivals and departures use the ones above).
            models.Index(fields=["owner", "checked_out_at"], name="reservation_checked_out"),
            # The same ranges for some of the owner's properties (a page of Today's lines, or
            # one property opened): arrivals, departures, early check-outs, in house.
            models.Index(fields=["property", "check_in"], name="reservation_property_in"),
            models.Index(fields=["property", "check_out"], name="reservation_property_out"),
            models.Index(fields=["property", "checked_out_at"], name="reservation_property_left"),
            models.Index(
                fields=["property", "length_class", "check_in", "check_out", "checked_out_at"],
                name="reservation_property_house",
            ),
            # Today's double bookings ahead: few stays, found without reading the others.
            models.Index(
                fields=["owner", "status", "check_out"],
                condition=Q(has_conflict=True),
                name="reservation_conflicts_ahead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_name} ({self.check_in:%Y-%m-%d})"

    def save(self, *args, **kwargs):
        self.length_class = stay_class(self.check_in, self.check_out)
        kept = {"length_class"}
        if self.property_id is None or self.unit_id != getattr(self, "_unit_saved", None):
            self.property_id = self.unit.property_id
            kept.add("property")
        fields = kwargs.get("update_fields")
        if fields is not None and {"check_in", "check_out", "unit"} & set(fields):
            kwargs["update_fields"] = {*fields, *kept}
        super().save(*args, **kwargs)
        self._unit_saved = self.unit_id

    @classmethod
    def from_db(cls, db, field_names, values):
        stay = super().from_db(db, field_names, values)
        stay._unit_saved = stay.__dict__.get("unit_id")
        return stay

    @classmethod
    def in_house_arms(cls, moment: datetime) -> list[Q]:
        """Stays begun before `moment`, booked to end after it, not checked out: one clause per
        length class, each an index range (`reservation_in_house`) of only the check-ins of
        that class's longest stay before `moment`."""
        during = Q(check_in__lt=moment, check_out__gt=moment, checked_out_at__isnull=True)
        return [
            Q(length_class=k, check_in__gte=moment - timedelta(days=days)) & during
            for k, days in enumerate(STAY_CLASS_DAYS)
        ] + [Q(length_class__gte=len(STAY_CLASS_DAYS)) & during]

    @classmethod
    def in_house_at(cls, moment: datetime) -> Q:
        return reduce(operator.or_, cls.in_house_arms(moment))

    @builtins.property  # the field `property` hides the builtin here
    def is_confirmed(self) -> bool:
        return self.status == self.Status.CONFIRMED

    @builtins.property
    def ends_at(self) -> datetime:
        """When the stay really ends: check-out, or an early check-out."""
        return self.checked_out_at or self.check_out

    def code_window(self, owner: Owner) -> tuple[datetime, datetime]:
        """The guest code's window: the stay widened by the owner's buffers."""
        before = timedelta(minutes=owner.buffer_before_minutes)
        after = timedelta(minutes=owner.buffer_after_minutes)
        if self.checked_out_at:
            return self.check_in - before, self.checked_out_at
        return self.check_in - before, self.check_out + after


class ReservationFeed(models.Model):
    """An iCal feed of one unit's bookings (Airbnb, Vrbo, Booking.com, a PMS export)."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="reservation_feeds")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="feeds")
    name = models.CharField(max_length=100, help_text="e.g. Airbnb")
    url = models.URLField(max_length=1000)
    poll_minutes = models.PositiveIntegerField(default=15)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    next_poll_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # Empty answers in a row: a feed that suddenly lists nothing is believed only after a few.
    consecutive_empty = models.PositiveIntegerField(default=0)
    last_event_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["unit__name", "name"]
        indexes = [models.Index(fields=["next_poll_at"], name="feed_due_poll")]

    def __str__(self) -> str:
        return f"{self.name} feed of {self.unit}"


class UrgentSpan(models.Model):
    """A span of time in which a lock's open problem is urgent (a red alert), so the nav's badge
    is one indexed count; `reservations.urgency` keeps them."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="urgent_spans")
    lock = models.ForeignKey(Lock, on_delete=models.CASCADE, related_name="urgent_spans")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["owner", "ends_at"], name="urgent_span_badge")]

    def __str__(self) -> str:
        return f"{self.lock_id}: {self.starts_at:%Y-%m-%d %H:%M} – {self.ends_at:%Y-%m-%d %H:%M}"


class EntryAlert(models.Model):
    """Trouble at a stay's door that a lock reported (`reservations.entries`): a guest who may
    be locked out, or a door opened to a stay's code after the stay ended. Open until cleared:
    a lockout by the guest's entry at that door (or the end of its watch), a late entry by a
    person who handled it."""

    class Kind(models.TextChoices):
        LOCKOUT = "lockout", "Guest may be locked out"
        LATE_ENTRY = "late_entry", "Door opened after the stay ended"

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="entry_alerts")
    reservation = models.ForeignKey(
        Reservation, on_delete=models.CASCADE, related_name="entry_alerts"
    )
    lock = models.ForeignKey(Lock, on_delete=models.CASCADE, related_name="entry_alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    raised_at = models.DateTimeField()
    # A lockout: the denied attempts counted when it was raised, the last one, and when its
    # watch ends. A late entry: the entry itself.
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField()
    watch_ends_at = models.DateTimeField(null=True, blank=True)
    event = models.ForeignKey(
        Event, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What was done for the guest (a backup texted, or why not), in words for people.
    help_given = models.CharField(max_length=300, blank=True)
    help_given_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        constraints = [
            # One lockout per stay and door: its guest is never texted twice for one door.
            models.UniqueConstraint(
                fields=["reservation", "lock"],
                condition=Q(kind="lockout"),
                name="entry_alert_one_lockout",
            ),
        ]
        indexes = [
            models.Index(
                fields=["owner", "raised_at"],
                condition=Q(cleared_at__isnull=True),
                name="entry_alert_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.lock_id}"
