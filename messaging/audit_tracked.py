"""The models of `messaging` that people change, for the audit log (`locks.audit`)."""

from locks.audit import audit_register
from messaging.models import MessageTemplate, MessagingSettings


def messaging_tracked() -> None:
    audit_register(
        MessagingSettings,
        kind="messaging_settings",
        noun="message settings",
        fields=(
            "transport",
            "twilio_account_sid",
            "twilio_auth_token",
            "twilio_from_number",
            "twilio_messaging_service_sid",
            "send_arrival_automatically",
            "arrival_hours_before",
            "send_checkout_reminder",
            "checkout_reminder_hours_before",
            "reply_keywords_enabled",
            "lockout_text_backup",
            "max_messages_per_stay_per_day",
        ),
        secret=("twilio_auth_token",),
        names={"twilio_auth_token": "Twilio auth token"},
        label=lambda settings: "",
        # Created with its defaults the first time the page is saved: only changes say anything.
        on_create=False,
    )
    audit_register(
        MessageTemplate,
        kind="message_template",
        noun="message template",
        fields=("body",),
        label=lambda template: template.get_kind_display(),
    )
