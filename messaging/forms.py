"""The messaging pages' forms: they check the shape of what was typed; services check the rest."""

from django import forms
from django.conf import settings

from messaging.models import Message, MessageTemplate, MessagingSettings
from messaging.owner_settings import SETTINGS_FIELDS

FREE_MESSAGE_MAX = 300


class MessagingSettingsForm(forms.ModelForm):
    # Write-only: the saved token is never put back into the page.
    twilio_auth_token = forms.CharField(
        label="Auth token",
        required=False,
        max_length=128,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = MessagingSettings
        fields = SETTINGS_FIELDS
        labels = {
            "transport": "Send messages through",
            "twilio_account_sid": "Account SID",
            "twilio_from_number": "Sender number",
            "twilio_messaging_service_sid": "or messaging service SID",
            "send_arrival_automatically": "Send the arrival message by itself",
            "arrival_hours_before": "Hours before check-in",
            "send_checkout_reminder": "Send a check-out reminder",
            "checkout_reminder_hours_before": "Hours before check-out",
            "reply_keywords_enabled": "Answer guests who reply HELP or CODE",
            "lockout_text_backup": "Text a backup to a guest locked out at check-in",
            "max_messages_per_stay_per_day": "Most messages per stay in 24 hours",
            "front_desk_phone": "Front desk's phone, for guests",
        }
        help_texts = {
            "twilio_account_sid": "Starts with AC; on the Twilio console's home page.",
            "twilio_from_number": "A Twilio number with its country code, e.g. +14155550100.",
            "twilio_messaging_service_sid": "Starts with MG; used instead of the number if given.",
            "send_arrival_automatically": "With the PIN, or backup codes if the PIN is not "
            "working on every door. Right away for last-minute bookings.",
            "lockout_text_backup": "After wrong PINs at their door around check-in (Settings "
            "says how many), a backup for that door, once. The front desk sees the alert either "
            "way.",
        }
        widgets = {"transport": forms.RadioSelect}

    def __init__(self, *args, token_saved: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["twilio_auth_token"].help_text = (
            "Saved — paste a new one to replace it."
            if token_saved
            else "On the Twilio console's home page, under “Auth token”."
        )
        for name in ("arrival_hours_before", "checkout_reminder_hours_before"):
            self.fields[name].widget.attrs.update(min=0, max=168)
        self.fields["max_messages_per_stay_per_day"].widget.attrs.update(min=1, max=100)

    def settings_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in SETTINGS_FIELDS}


class TemplateForm(forms.Form):
    kind = forms.ChoiceField(choices=MessageTemplate.Kind.choices, widget=forms.HiddenInput)
    # "" is the owner's default text, for every guest whose language has no text of its own.
    language = forms.ChoiceField(
        choices=[("", "Every language"), *settings.GUEST_LANGUAGES],
        required=False,
        widget=forms.HiddenInput,
    )
    subject = forms.CharField(label="Subject", required=False, max_length=200, strip=False)
    body = forms.CharField(
        label="Message",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        strip=False,
    )


class FreeMessageForm(forms.Form):
    text = forms.CharField(
        label="Message to the guest",
        max_length=FREE_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": FREE_MESSAGE_MAX}),
        error_messages={
            "required": "Write the message.",
            "max_length": f"Keep it under {FREE_MESSAGE_MAX} characters: it goes as a text.",
        },
    )


class OutboxFilterForm(forms.Form):
    q = forms.CharField(
        label="Guest or phone",
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or phone"}),
    )
    status = forms.ChoiceField(
        required=False, choices=[("", "Any status")] + Message.Status.choices
    )
    kind = forms.ChoiceField(
        label="Message", required=False, choices=[("", "Any message")] + Message.Kind.choices
    )
    day = forms.DateField(
        label="Day",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter a date."},
    )
