"""The support admin for guest messages: view-only, like the locks' (see locks/admin.py).

Secrets never shown: the Twilio auth token (only whether one is saved) and account SID (only its
last characters). Message texts and templates are shown with every run of four or more digits
masked: a sent message's stored copy has its PINs masked already, but a typed one (a free message,
a guest's text) or an owner's template may hold a PIN written out by hand. The raw text fields are
excluded from the forms, not searched and refused as URL filters.
"""

from django.contrib import admin

from locks.admin_lookup import LookupAdmin, digits_masked
from messaging.models import GuestHelp, KeypadSteps, Message, MessageTemplate, MessagingSettings


@admin.register(MessagingSettings)
class MessagingSettingsAdmin(LookupAdmin):
    list_display = (
        "owner",
        "transport",
        "twilio_from_number",
        "account_sid",
        "auth_token",
        "send_arrival_automatically",
        "reply_keywords_enabled",
    )
    list_filter = ("owner", "transport")
    list_select_related = ("owner",)
    search_fields = ("owner__name", "twilio_from_number", "twilio_messaging_service_sid")
    exclude = ("twilio_auth_token", "twilio_account_sid")
    readonly_fields = ("account_sid", "auth_token")

    @admin.display(description="Twilio account SID")
    def account_sid(self, obj):
        sid = obj.twilio_account_sid
        return f"…{sid[-4:]}" if sid else "not set"

    @admin.display(description="Twilio auth token")
    def auth_token(self, obj):
        return "set" if obj.twilio_auth_token else "not set"


@admin.register(MessageTemplate)
class MessageTemplateAdmin(LookupAdmin):
    list_display = ("__str__", "owner", "kind", "updated_at")
    list_filter = ("owner", "kind")
    list_select_related = ("owner",)
    search_fields = ("owner__name",)
    exclude = ("body",)
    readonly_fields = ("text", "updated_at")

    @admin.display(description="Text (digits masked)")
    def text(self, obj):
        return digits_masked(obj.body)


@admin.register(Message)
class MessageAdmin(LookupAdmin):
    """Messages are written and sent by the messaging services; their status by Twilio."""

    list_display = (
        "created_at",
        "kind",
        "direction",
        "to",
        "from_number",
        "status",
        "owner",
        "reservation",
        "attempts",
        "short_text",
    )
    list_filter = ("owner", "direction", "kind", "status", "transport")
    list_select_related = ("owner", "reservation")
    search_fields = (
        "to",
        "from_number",
        "provider_id",
        "id__exact",
        "reservation__guest_name",
        "reservation__external_id",
    )
    raw_id_fields = ("reservation", "sent_by")
    exclude = ("text", "preview")
    readonly_fields = ("id", "masked_text", "idempotency_key")
    date_hierarchy = "created_at"

    @admin.display(description="Text (digits masked)")
    def masked_text(self, obj):
        # What was sent, or for a message not sent yet what a person typed.
        return digits_masked(obj.preview or obj.text)

    @admin.display(description="Text")
    def short_text(self, obj):
        text = self.masked_text(obj)
        return text if len(text) <= 60 else f"{text[:59]}…"


@admin.register(KeypadSteps)
class KeypadStepsAdmin(LookupAdmin):
    """The guest page's keypad steps; an owner may have typed a PIN in: digits masked."""

    list_display = ("owner", "lock_model", "steps_masked")
    list_filter = ("owner",)
    list_select_related = ("owner",)
    search_fields = ("owner__name", "lock_model")
    exclude = ("steps",)
    readonly_fields = ("steps_masked",)

    @admin.display(description="Steps")
    def steps_masked(self, obj):
        return digits_masked(obj.steps)


@admin.register(GuestHelp)
class GuestHelpAdmin(LookupAdmin):
    """Presses of "My code doesn't work" on guest pages; the backup is named, never its PIN."""

    list_display = ("at", "owner", "reservation", "lock", "finding", "reason")
    list_filter = ("owner", "finding")
    list_select_related = ("owner", "reservation", "lock")
    raw_id_fields = ("reservation", "lock", "backup")
