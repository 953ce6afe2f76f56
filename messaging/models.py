"""Guest messages: each owner's settings and templates, and every message sent or received.

A Message row is written before anything is sent. It never holds a PIN: the text is rendered at
send time, and what is kept for people to read has its PINs masked.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from locks.crypto import EncryptedCharField
from locks.models import Owner


class MessagingSettings(models.Model):
    """How an owner's messages go out. The Twilio auth token is write-only: never shown again."""

    class Transport(models.TextChoices):
        CONSOLE = "console", "Outbox only (no SMS is sent)"
        TWILIO = "twilio", "Twilio"

    owner = models.OneToOneField(Owner, on_delete=models.CASCADE, related_name="messaging")
    transport = models.CharField(
        max_length=20, choices=Transport.choices, default=Transport.CONSOLE
    )
    twilio_account_sid = models.CharField(max_length=64, blank=True)
    twilio_auth_token = EncryptedCharField(max_length=128, blank=True)  # encrypted at rest
    twilio_from_number = models.CharField(max_length=20, blank=True, help_text="E.164")
    twilio_messaging_service_sid = models.CharField(max_length=64, blank=True)

    send_arrival_automatically = models.BooleanField(default=True)
    arrival_hours_before = models.PositiveSmallIntegerField(
        default=24, help_text="The arrival message goes out this long before check-in."
    )
    send_checkout_reminder = models.BooleanField(default=False)
    checkout_reminder_hours_before = models.PositiveSmallIntegerField(default=2)
    reply_keywords_enabled = models.BooleanField(
        default=False,
        help_text="A guest who replies HELP or CODE gets their code again (or a backup).",
    )
    lockout_text_backup = models.BooleanField(
        default=True,
        help_text="A guest who seems locked out at check-in (wrong PINs at their door) is texted "
        "a backup for that door, once.",
    )
    max_messages_per_stay_per_day = models.PositiveSmallIntegerField(
        default=10, help_text="Stops a runaway loop from texting a guest again and again."
    )
    front_desk_phone = models.CharField(
        max_length=30,
        blank=True,
        help_text="Shown on the guest's page when their code does not work and no backup can "
        "be given, e.g. +351 210 000 000.",
    )

    class Meta:
        verbose_name_plural = "messaging settings"

    def __str__(self) -> str:
        return f"Messaging of {self.owner}"


class KeypadSteps(models.Model):
    """How a guest enters their PIN at one lock model's keypad, in the owner's words; `{pin}`
    stands for the PIN. Lock models without a row read the defaults (`messaging.guest_help`)."""

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="keypad_steps")
    lock_model = models.CharField(max_length=100, blank=True)  # a Lock's `model_name`
    steps = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["owner", "lock_model"], name="keypad_steps_unique")
        ]

    def __str__(self) -> str:
        return f"Keypad steps of {self.lock_model or 'any lock'}"


class GuestHelp(models.Model):
    """One press of "My code doesn't work" on a stay's guest page: what Innkeeper found at the
    door, and the backup given there, if any. Never holds a PIN."""

    class Finding(models.TextChoices):
        READY = "ready", "Code on the lock: keypad steps shown"
        BACKUP = "backup", "Backup given"
        BACKUP_AGAIN = "backup_again", "Backup given before, shown again"
        NO_BACKUP = "no_backup", "No backup available: front desk's phone shown"

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="+")
    reservation = models.ForeignKey(
        "reservations.Reservation", on_delete=models.CASCADE, related_name="guest_helps"
    )
    lock = models.ForeignKey("locks.Lock", on_delete=models.CASCADE, related_name="+")
    finding = models.CharField(max_length=20, choices=Finding.choices)
    # What was wrong at the door, in words for the front desk ('' when nothing).
    reason = models.CharField(max_length=200, blank=True)
    backup = models.ForeignKey(
        "locks.AccessCode", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["reservation", "lock"], name="guest_help_door")]

    def __str__(self) -> str:
        return f"{self.get_finding_display()} at {self.lock_id}"


class MessageTemplate(models.Model):
    class Kind(models.TextChoices):
        ARRIVAL = "arrival", "Arrival message"
        BACKUP = "backup", "Backup code message"
        CHECKOUT = "checkout", "Check-out reminder"
        CHANGED = "changed", "Your stay changed"
        EMAIL = "email", "Arrival email"

    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="message_templates")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # "" is the owner's default text, for every guest whose language has none of its own.
    language = models.CharField(max_length=8, blank=True, choices=settings.GUEST_LANGUAGES)
    subject = models.CharField(max_length=200, blank=True)  # the arrival email's only
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "kind", "language"], name="message_template_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language or 'default'}) of {self.owner}"


class Message(models.Model):
    class Direction(models.TextChoices):
        OUTBOUND = "outbound", "Sent"
        INBOUND = "inbound", "Received"

    class Kind(models.TextChoices):
        ARRIVAL = "arrival", "Arrival message"
        BACKUP = "backup", "Backup code"
        CHECKOUT = "checkout", "Check-out reminder"
        CHANGED = "changed", "Your stay changed"
        FREE = "free", "Message from the front desk"
        REPLY = "reply", "Answer to the guest"
        INBOUND = "inbound", "From the guest"

    class Channel(models.TextChoices):
        SMS = "sms", "SMS"
        EMAIL = "email", "Email"

    class Status(models.TextChoices):
        # Twilio's statuses, plus `sending` while a worker holds the message.
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        UNDELIVERED = "undelivered", "Not delivered"
        FAILED = "failed", "Failed"
        RECEIVED = "received", "Received"
        # The console transport (SMS) or backend (email): the text is in the Outbox only;
        # nothing left the machine.
        KEPT = "kept", "Not sent"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(Owner, on_delete=models.CASCADE, related_name="messages")
    reservation = models.ForeignKey(
        "reservations.Reservation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="messages",
    )
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.OUTBOUND
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # An arrival message also goes by email to a stay with an email address: then `to` is it.
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.SMS)
    to = models.CharField(max_length=254)
    from_number = models.CharField(max_length=20, blank=True)
    transport = models.CharField(max_length=20, blank=True)
    # Text a person typed (free messages, inbound): never holds a PIN Innkeeper put there.
    text = models.TextField(blank=True)
    # What was sent, with its PINs masked: what the Outbox shows.
    preview = models.TextField(blank=True)
    # The backup codes this message gives (ids), rendered with their PINs at send time.
    backup_code_ids = models.JSONField(default=list, blank=True)
    # A "your stay changed" message: what changed ("dates", "unit", "pin"), gathered until it
    # goes out. A new PIN or unit makes it wait until the code is on the lock.
    changes = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    provider_id = models.CharField(max_length=64, blank=True, db_index=True)
    error_code = models.CharField(max_length=20, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Given by the caller's clock (`now`), like every time the services write: the per-stay daily
    # limit counts messages by it.
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # Newest first by time and id, the Outbox's order: a page is read straight off it.
            models.Index(fields=["owner", "created_at", "id"], name="message_owner_time_id"),
            models.Index(fields=["status", "next_attempt_at"], name="message_due_send"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} ({self.status})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


FINAL_STATUSES = {
    Message.Status.DELIVERED,
    Message.Status.UNDELIVERED,
    Message.Status.FAILED,
    Message.Status.RECEIVED,
    Message.Status.KEPT,
}
# A status callback may only move a message forward along this order.
STATUS_RANK = {
    Message.Status.QUEUED: 0,
    Message.Status.SENDING: 1,
    Message.Status.SENT: 2,
    Message.Status.DELIVERED: 3,
    Message.Status.UNDELIVERED: 3,
    Message.Status.FAILED: 3,
}
