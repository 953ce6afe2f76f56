"""The front desk's forms: they check the shape of what was typed; services check the rest.

Stays are typed as local days and times at the property (its time zone, its usual times).
"""

from django import forms
from django.conf import settings

from locks.errors import ServiceError
from locks.forms import unit_choices
from locks.models import Owner, Property, Unit
from locks.tenancy.forms import TIME
from locks.times import stay_bounds
from locks.widgets import QuickSelect
from reservations.models import Reservation
from reservations.phones import phone_normalize

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def units_grouped(owner: Owner) -> tuple[dict[int, Unit], list]:
    """The owner's units by id, and select choices grouped by property (one query)."""
    units = list(Unit.objects.filter(property__owner=owner).select_related("property"))
    return {u.pk: u for u in units}, unit_choices(units)


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
    language = forms.ChoiceField(
        label="Guest's language",
        required=False,
        choices=[("", "Default (English)"), *settings.GUEST_LANGUAGES],
        help_text="Their page and messages are in it.",
        error_messages={"invalid_choice": "Pick one of the languages in the list."},
    )

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
            "language": reservation.language,
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
    # Every property of the owner: drawn without a template per <option> (locks.widgets).
    property = forms.TypedChoiceField(
        label="Property", coerce=int, required=False, widget=QuickSelect
    )
    date_from = forms.DateField(label="Staying from", required=False, widget=DATE)
    date_to = forms.DateField(label="to", required=False, widget=DATE)
    status = forms.ChoiceField(choices=STATUS_CHOICES, required=False, widget=QuickSelect)
    arrived = forms.ChoiceField(
        label="Arrived",
        choices=[("", "Arrived or not"), ("yes", "Arrived"), ("no", "Not arrived yet")],
        required=False,
        widget=QuickSelect,
    )

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
        data["has_arrived"] = {"yes": True, "no": False}.get(data.get("arrived", ""))
        return data


# --- settings (managers) ---------------------------------------------------------------------
