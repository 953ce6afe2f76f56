"""Settings → Messages: how an owner's messages go out, and what their templates say."""

from django.conf import settings

from locks.errors import ServiceError
from locks.models import Owner
from messaging import texts
from messaging.models import MessageTemplate, MessagingSettings

# What an owner sets on Settings -> Messages (the form's fields, and what the audit log follows).
SETTINGS_FIELDS = (
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
    "front_desk_phone",
)


def messaging_settings(owner: Owner) -> MessagingSettings:
    found, _ = MessagingSettings.objects.get_or_create(owner=owner)
    return found


TWILIO_CREDENTIALS = ("account_sid", "auth_token", "from_number", "messaging_service_sid")


def sms_route(owner: Owner) -> tuple[str, dict]:
    """How this owner's texts go out, as (transport key, its options): the owner's own Twilio
    account, else the installation's (`TWILIO_*`), else the console (kept in the Outbox).
    It only reads: an owner who never saved Settings -> Messages has the defaults."""
    config = MessagingSettings.objects.filter(owner=owner).first() or MessagingSettings()
    if config.transport == MessagingSettings.Transport.TWILIO:
        return "twilio", {name: getattr(config, f"twilio_{name}") for name in TWILIO_CREDENTIALS}
    if settings.TWILIO_ACCOUNT_SID:
        return "twilio", {
            name: getattr(settings, f"TWILIO_{name.upper()}") for name in TWILIO_CREDENTIALS
        }
    return "console", {}


def sms_connected(owner: Owner) -> bool:
    """Whether this owner's texts really leave; otherwise the console keeps them unsent."""
    return sms_route(owner)[0] != "console"


# What the dashboard says when no SMS service is connected (the console transport).
CONNECT_TWILIO = "A manager can connect Twilio in Settings → Messages."


def messaging_settings_update(*, owner: Owner, **fields) -> MessagingSettings:
    """Save messaging settings. An empty auth token keeps the saved one (it is never shown)."""
    current = messaging_settings(owner)
    if not fields.get("twilio_auth_token"):
        fields.pop("twilio_auth_token", None)
    for name, value in fields.items():
        setattr(current, name, value.strip() if isinstance(value, str) else value)
    if current.transport == MessagingSettings.Transport.TWILIO:
        if not current.twilio_account_sid.startswith("AC"):
            raise ServiceError(
                "A Twilio account SID starts with AC (see the Twilio console's home page).",
                field="twilio_account_sid",
            )
        if not current.twilio_auth_token:
            raise ServiceError("Paste the Twilio auth token.", field="twilio_auth_token")
        if not (current.twilio_from_number or current.twilio_messaging_service_sid):
            raise ServiceError(
                "Give a sender: a Twilio phone number (+1…) or a messaging service SID (MG…).",
                field="twilio_from_number",
            )
    current.full_clean()
    current.save()
    return current


def template_save(
    *, owner: Owner, kind: str, body: str, language: str = "", subject: str = ""
) -> MessageTemplate:
    """Save the owner's text of a message for guests in `language` ("" : every language that
    has none of its own). The arrival email has a subject line too."""
    if language and language not in texts.LANGUAGES:
        raise ServiceError("Pick one of the guest languages.", field="language")
    problems = texts.template_problems(kind, body)
    if problems:
        raise ServiceError(" ".join(problems), field="body")
    if kind in texts.EMAIL_KINDS:
        problems = texts.subject_problems(subject)
        if problems:
            raise ServiceError(" ".join(problems), field="subject")
    template, _ = MessageTemplate.objects.update_or_create(
        owner=owner,
        kind=kind,
        language=language,
        defaults={"body": body.strip(), "subject": subject.strip()},
    )
    return template


def template_reset(*, owner: Owner, kind: str, language: str = "") -> None:
    """Forget the owner's text: guests in `language` get the built-in one again (or, for a
    language, the owner's default text when they wrote one)."""
    MessageTemplate.objects.filter(owner=owner, kind=kind, language=language).delete()
