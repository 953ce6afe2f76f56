"""The front desk's forms: they check the shape of what was typed; services check the rest.

Stays are typed as local days and times at the property (its time zone, its usual times).
"""

import zoneinfo

import phonenumbers
from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator

from locks.errors import ServiceError
from locks.models import Membership, Owner, Property, Unit
from locks.services import OWNER_SETTINGS
from reservations.models import Reservation
from reservations.phones import phone_normalize
from reservations.times import stay_bounds

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def units_grouped(owner: Owner) -> tuple[dict[int, Unit], list]:
    """The owner's units by id, and select choices grouped by property (one query)."""
    units = list(Unit.objects.filter(property__owner=owner).select_related("property"))
    units.sort(key=lambda u: (u.property.name, u.name))
    groups: dict[str, list] = {}
    for unit in units:
        groups.setdefault(unit.property.name, []).append((unit.pk, unit.name))
    return {u.pk: u for u in units}, list(groups.items())


class ReservationForm(forms.Form):
    guest_name = forms.CharField(
        label="Guest's name",
        max_length=200,
        error_messages={"required": "Give the guest's name."},
    )
    unit = forms.TypedChoiceField(
        label="Room or home",
        coerce=int,
        error_messages={
            "required": "Pick the room or home.",
            "invalid_choice": "Pick one of your rooms or homes.",
        },
    )
    check_in_day = forms.DateField(
        label="Check-in",
        widget=DATE,
        error_messages={"required": "Give the day of arrival.", "invalid": "Enter a date."},
    )
    check_in_time = forms.TimeField(label="at", required=False, widget=TIME)
    check_out_day = forms.DateField(
        label="Check-out",
        widget=DATE,
        error_messages={"required": "Give the day of departure.", "invalid": "Enter a date."},
    )
    check_out_time = forms.TimeField(label="at", required=False, widget=TIME)
    phone = forms.CharField(
        label="Mobile phone",
        max_length=40,
        required=False,
        help_text="With its country code, or as dialled in the property's country.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        required=False, error_messages={"invalid": "Enter an email address, e.g. anna@example.com."}
    )
    guests = forms.IntegerField(
        min_value=1,
        max_value=50,
        initial=1,
        error_messages={"min_value": "A stay has at least one guest."},
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, owner: Owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.units, self.fields["unit"].choices = units_grouped(owner)
        self.fields["unit"].choices = [("", "Pick one")] + self.fields["unit"].choices
        props = {u.property for u in self.units.values()}
        defaults = {(p.default_check_in, p.default_check_out) for p in props}
        if len(defaults) == 1:  # one usual time everywhere: show it; otherwise each its own
            check_in, check_out = defaults.pop()
            self.fields["check_in_time"].initial = check_in
            self.fields["check_out_time"].initial = check_out
        self.fields["check_in_time"].help_text = "Empty: the property's check-in time."
        self.fields["check_out_time"].help_text = "Empty: the property's check-out time."

    def clean(self):
        data = super().clean()
        unit = self.units.get(data.get("unit"))
        data["unit"] = unit
        if data.get("phone"):
            try:
                data["phone"] = phone_normalize(
                    data["phone"], country=unit.property.country if unit else ""
                )
            except ServiceError as exc:
                self.add_error("phone", exc.message)
        in_day, out_day = data.get("check_in_day"), data.get("check_out_day")
        if unit is None or in_day is None or out_day is None:
            return data
        if out_day < in_day:
            self.add_error("check_out_day", "Check-out must be on or after the check-in day.")
            return data
        data["check_in"], data["check_out"] = stay_bounds(
            unit.property, in_day, out_day, data.get("check_in_time"), data.get("check_out_time")
        )
        if data["check_out"] <= data["check_in"]:
            self.add_error("check_out_day", "Check-out must be after check-in.")
        return data

    @classmethod
    def initial_for(cls, reservation: Reservation) -> dict:
        tz = reservation.unit.property.tz
        check_in, check_out = (
            reservation.check_in.astimezone(tz),
            reservation.check_out.astimezone(tz),
        )
        return {
            "guest_name": reservation.guest_name,
            "unit": reservation.unit_id,
            "check_in_day": check_in.date(),
            "check_in_time": check_in.time(),
            "check_out_day": check_out.date(),
            "check_out_time": check_out.time(),
            "phone": reservation.phone,
            "email": reservation.email,
            "guests": reservation.guests,
            "notes": reservation.notes,
        }


class ReservationFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", "Any status"),
        ("confirmed", "Confirmed"),
        ("conflict", "Double-booked"),
        ("checked_out", "Checked out early"),
        ("cancelled", "Cancelled"),
    ]

    q = forms.CharField(
        label="Guest",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Name or phone"}),
    )
    property = forms.TypedChoiceField(label="Property", coerce=int, required=False)
    date_from = forms.DateField(label="Staying from", required=False, widget=DATE)
    date_to = forms.DateField(label="to", required=False, widget=DATE)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, properties: list[Property], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].choices = [("", "Every property")] + [
            (p.pk, p.name) for p in properties
        ]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end of the range is before its start.")
        return data


# --- settings (managers) ---------------------------------------------------------------------


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
        }
        help_texts = {
            "guest_pin_source": "From the phone: the last digits of the guest's mobile, unless "
            "a lock cannot take them (then a random PIN, with a note on the stay).",
            "lock_poll_minutes": "How often a lock is read to notice codes someone deleted. "
            "More often drains batteries faster.",
            "backup_pool_size": "For a guest whose own code does not work. A lock's page can "
            "keep a different number, and turns its backups on or off.",
            "backup_pool_on_new_locks": "Locks already added keep their own setting.",
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
        }
        for name, (low, high) in limits.items():
            field = self.fields[name]
            field.validators += [
                MinValueValidator(low, f"Use at least {low}."),
                MaxValueValidator(high, f"Use at most {high}."),
            ]
            field.widget.attrs.update(min=low, max=high)
            field.error_messages["invalid"] = "Enter a whole number."
        # A post that leaves these out keeps them as they are.
        self.fields["backup_pool_size"].required = False
        self.fields["low_battery_percent"].required = False

    def clean_backup_pool_size(self):
        size = self.cleaned_data["backup_pool_size"]
        return self.instance.backup_pool_size if size is None else size

    def clean_low_battery_percent(self):
        level = self.cleaned_data["low_battery_percent"]
        return self.instance.low_battery_percent if level is None else level


class PropertyForm(forms.ModelForm):
    class Meta:
        model = Property
        fields = [
            "name",
            "address",
            "time_zone",
            "country",
            "default_check_in",
            "default_check_out",
        ]
        labels = {"default_check_in": "Usual check-in", "default_check_out": "Usual check-out"}
        help_texts = {
            "time_zone": "Where the property is, e.g. Europe/Lisbon: stays are typed and shown "
            "in its local time.",
        }
        widgets = {"default_check_in": TIME, "default_check_out": TIME}

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


class MemberAddForm(forms.Form):
    username = forms.CharField(
        max_length=150, error_messages={"required": "Give the person's username."}
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.FRONT_DESK)
    password = forms.CharField(
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Only for a new login; leave empty to add someone who already has one.",
    )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
