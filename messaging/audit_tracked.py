"""The models of `messaging` that people change, for the audit log (`locks.audit`)."""

from locks.audit import audit_register
from messaging.models import MessageTemplate, MessagingSettings
from messaging.owner_settings import SETTINGS_FIELDS


def messaging_tracked() -> None:
    audit_register(
        MessagingSettings,
        kind="messaging_settings",
        noun="message settings",
        fields=SETTINGS_FIELDS,
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
