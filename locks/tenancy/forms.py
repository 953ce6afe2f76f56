"""The settings page's forms: how codes are handled, properties and units, the team, API keys,
webhooks."""

import zoneinfo

import phonenumbers
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.validators import MaxValueValidator, MinValueValidator

from locks.forms import INSTRUCTIONS, PhotoInput
from locks.models import Membership, Owner, Property
from locks.services import PROPERTY_FIELDS
from locks.tenancy.services import OWNER_SETTINGS

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


# Settings added after the page's first version: a post that leaves them out keeps them.
KEPT_WHEN_LEFT_OUT = (
    "backup_pool_size",
    "low_battery_percent",
    "lockout_attempts",
    "lockout_within_minutes",
    "lockout_hours_before",
    "lockout_night_ends_hour",
)


class SignInForm(AuthenticationForm):
    """Django's sign-in form; an invited person's username is their email, so either will do
    (`locks.tenancy.backends`)."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = "Email or username"


class OwnerSettingsForm(forms.ModelForm):
    class Meta:
        model = Owner
        fields = list(OWNER_SETTINGS)
        labels = {
            "buffer_before_minutes": "Code starts before check-in (minutes)",
            "buffer_after_minutes": "Code ends after check-out (minutes)",
            "guest_pin_source": "Guest PINs",
            "guest_pin_length": "Guest PIN length (digits)",
            "program_lead_minutes": "Program codes ahead (minutes)",
            "native_schedule_lead_hours": "Locks that hold schedules: ahead (hours)",
            "pin_quarantine_days": "Do not reuse a PIN for (days)",
            "lock_poll_minutes": "Check each lock every (minutes)",
            "delay_warning_minutes": "Warn when a code is late by (minutes)",
            "failure_error_minutes": "Error when a code is late by (minutes)",
            "backup_pool_size": "Backup codes kept ready on each lock",
            "backup_pool_on_new_locks": "Keep backup codes ready on every lock added from now on",
            "low_battery_percent": "Battery alert below (%)",
            "alert_email": "Email urgent alerts to",
            "lockout_attempts": "Lockout after wrong PINs",
            "lockout_within_minutes": "within (minutes)",
            "lockout_hours_before": "Watch from before check-in (hours)",
            "lockout_night_ends_hour": "until the next morning at (hour)",
            "two_factor_for_managers": "Managers must use two-factor sign-in",
        }
        help_texts = {
            "guest_pin_source": "From the phone: the last digits of the guest's mobile, unless "
            "a lock cannot take them (then a random PIN, with a note on the stay).",
            "lock_poll_minutes": "How often a lock is read to notice codes someone deleted. "
            "More often drains batteries faster.",
            "backup_pool_size": "For a guest whose own code does not work. A lock's page can "
            "keep a different number, and turns its backups on or off.",
            "backup_pool_on_new_locks": "Locks already added keep their own setting.",
            "lockout_attempts": "Wrong PINs at a stay's door around its check-in, with no "
            "entry since, raise a red alert (and can text the guest a backup: Settings → "
            "Messages).",
            "two_factor_for_managers": "After their password, managers enter a code from an "
            "authenticator app on their phone; one who has not set it up is asked to first. "
            "The front desk is not asked.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            "guest_pin_length": (4, 8),
            "program_lead_minutes": (5, 24 * 60),
            "native_schedule_lead_hours": (1, 24 * 14),
            "pin_quarantine_days": (0, 365),
            "lock_poll_minutes": (5, 24 * 60),
            "delay_warning_minutes": (1, 24 * 60),
            "failure_error_minutes": (2, 7 * 24 * 60),
            "buffer_before_minutes": (0, 24 * 60),
            "buffer_after_minutes": (0, 24 * 60),
            "backup_pool_size": (1, 20),
            "low_battery_percent": (1, 99),
            "lockout_attempts": (1, 20),
            "lockout_within_minutes": (1, 120),
            "lockout_hours_before": (0, 24),
            "lockout_night_ends_hour": (0, 23),
        }
        for name, (low, high) in limits.items():
            field = self.fields[name]
            field.validators += [
                MinValueValidator(low, f"Use at least {low}."),
                MaxValueValidator(high, f"Use at most {high}."),
            ]
            field.widget.attrs.update(min=low, max=high)
            field.error_messages["invalid"] = "Enter a whole number."
        for name in KEPT_WHEN_LEFT_OUT:
            self.fields[name].required = False

    def clean(self):
        cleaned = super().clean()
        for name in KEPT_WHEN_LEFT_OUT:
            if cleaned.get(name) is None and name not in self.errors:
                cleaned[name] = getattr(self.instance, name)
        return cleaned


class PropertyForm(forms.ModelForm):
    class Meta:
        model = Property
        fields = PROPERTY_FIELDS
        labels = {"default_check_in": "Usual check-in", "default_check_out": "Usual check-out"}
        field_classes = {"arrival_photo": forms.FileField}
        help_texts = {
            "time_zone": "Where the property is, e.g. Europe/Lisbon: stays are typed and shown "
            "in its local time.",
        }
        widgets = {
            "default_check_in": TIME,
            "default_check_out": TIME,
            "arrival_instructions": INSTRUCTIONS,
            "arrival_photo": PhotoInput(),
        }

    def clean_time_zone(self):
        value = self.cleaned_data["time_zone"].strip()
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                f"“{value}” is not a time zone name. Write it as Region/City, e.g. Europe/Lisbon."
            )
        return value

    def clean_country(self):
        value = self.cleaned_data["country"].strip().upper()
        if value and value not in phonenumbers.SUPPORTED_REGIONS:
            raise forms.ValidationError(
                f"“{value}” is not a two-letter country code. Use e.g. PT, ES, GB or US."
            )
        return value


class UnitForm(forms.Form):
    name = forms.CharField(
        max_length=100, error_messages={"required": "Give the unit a name, e.g. “Room 102”."}
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        max_length=150,
        error_messages={
            "required": "Give the person's email address; the invite goes there.",
            "invalid": "Enter an email address, e.g. ana@example.com.",
        },
        widget=forms.EmailInput(attrs={"placeholder": "ana@example.com", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.FRONT_DESK)


class InviteAcceptForm(forms.Form):
    """A new person's name and password, chosen by themselves from their invite."""

    first_name = forms.CharField(
        max_length=150,
        error_messages={"required": "Type your first name, as your colleagues will see it."},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        error_messages={"required": "Choose a password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        error_messages={"required": "Type the password a second time, to be sure."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = " ".join(password_validators_help_texts())

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ; type the same one twice.")
        return cleaned


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        error_messages={"required": "Give the key a name, e.g. the software that will use it."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Property-management system"}),
    )


# The families of events a webhook endpoint can ask for with one tick (`<family>.*`).
WEBHOOK_FAMILIES = {
    "access_code": "Access codes",
    "lock": "Doors locked and unlocked",
    "device": "Devices (online, battery, …)",
    "reservation": "Reservations",
    "message": "Guest messages",
    "action_attempt": "Action attempts",
    "connected_account": "Connected accounts",
}


class WebhookForm(forms.Form):
    """An endpoint's URL and the events it wants: whole families ticked, single event types
    written, or neither for all of them (the service judges both)."""

    url = forms.CharField(
        label="URL",
        max_length=2000,
        error_messages={"required": "Give the URL that receives the events, e.g. https://…"},
        widget=forms.URLInput(
            attrs={"placeholder": "https://pms.example.com/hooks/innkeeper", "autocomplete": "off"}
        ),
    )
    families = forms.MultipleChoiceField(
        label="Events",
        required=False,
        choices=[(f"{family}.*", label) for family, label in WEBHOOK_FAMILIES.items()],
        widget=forms.CheckboxSelectMultiple,
    )
    event_types = forms.CharField(
        label="Single event types",
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": "e.g. access_code.set_on_device"}),
        help_text="Separated by commas or spaces. Nothing ticked or written: every event.",
    )

    @classmethod
    def initial_for(cls, endpoint) -> dict:
        ticked = {value for value, _ in cls.base_fields["families"].choices}
        return {
            "url": endpoint.url,
            "families": [t for t in endpoint.event_types if t in ticked],
            "event_types": ", ".join(t for t in endpoint.event_types if t not in ticked),
        }

    def wanted(self) -> str:
        """The event types, as the service reads them (a comma- or space-separated text)."""
        return " ".join([*self.cleaned_data["families"], self.cleaned_data["event_types"]])


class TwoFactorCodeForm(forms.Form):
    """A code from the authenticator app, or (`recovery=True`) one of the recovery codes."""

    code = forms.CharField(
        label="Code",
        max_length=32,
        error_messages={"required": "Enter the code."},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, recovery: bool = True, autofocus: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if autofocus:
            self.fields["code"].widget.attrs["autofocus"] = True
        if recovery:
            self.fields[
                "code"
            ].help_text = (
                "The 6 digits your authenticator app shows now, or one of your recovery codes."
            )
        else:
            self.fields["code"].help_text = "The 6 digits the app shows for Innkeeper now."
            self.fields["code"].widget.attrs.update(inputmode="numeric", pattern="[0-9 ]*")
