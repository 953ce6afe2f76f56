"""The dashboard's forms: they check the shape of what was typed; services check the rest."""

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from locks.drivers.zwave_js_client import url_problem
from locks.models import AccessCode, Lock, Owner, Property, Unit
from locks.photos import validate_photo
from locks.remote import UNLOCK_REASONS
from locks.simulator import SIMULATED_MODELS

digits_only = RegexValidator(r"^\d+$", "A PIN is digits only, e.g. 4821.")


class PhotoInput(forms.ClearableFileInput):
    """An arrival photo's input: says a photo is set, with a box to remove it, and never links
    to the file (photos are private: `locks.photos`)."""

    template_name = "_photo_input.html"

    def __init__(self, attrs=None):
        super().__init__({"accept": "image/jpeg,image/png,image/webp,image/gif", **(attrs or {})})

    def is_initial(self, value) -> bool:
        return bool(value and getattr(value, "name", None))  # never its `url`: it has none

    def _render(self, template_name, context, renderer=None):
        return mark_safe(render_to_string(template_name, context))


def photo_field(**kwargs) -> forms.FileField:
    return forms.FileField(
        required=False, validators=[validate_photo], widget=PhotoInput(), **kwargs
    )


INSTRUCTIONS = forms.Textarea(attrs={"rows": 4})


def pin_field(*, label: str = "PIN", required: str = "", placeholder: str = "", **kwargs):
    """A PIN typed by a person: digits only, a number pad on phones. `required` is the message
    for an empty one; without it the PIN may be left empty."""
    attrs = {"inputmode": "numeric", "autocomplete": "off"}
    if placeholder:
        attrs["placeholder"] = placeholder
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=12,
        validators=[digits_only],
        error_messages={"required": required} if required else {},
        widget=forms.TextInput(attrs=attrs),
        **kwargs,
    )


def unit_choices(units: Iterable[Unit]) -> list:
    """Select choices of `units` in one group per property (an <optgroup> named after it), the
    properties and their units by name. The units come with their property (select_related)."""
    groups: dict[int, tuple[str, list]] = {}
    for unit in sorted(units, key=lambda u: (u.property.name, u.property_id, u.name)):
        groups.setdefault(unit.property_id, (unit.property.name, []))[1].append(
            (unit.pk, unit.name)
        )
    return list(groups.values())


def units_pick(field: forms.ModelChoiceField, units) -> None:
    """Let `field` pick one of `units` (a queryset with their property), grouped by property."""
    field.queryset = units
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = empty + unit_choices(units)


SIMULATED_MODEL_WORDS = {
    "keypad": "Keypad deadbolt: PINs of 4 to 8 digits, 20 codes",
    "scheduling": "Smart lock that holds schedules itself: 4 or 6 digits, 50 codes",
    "strict": "Lever lock with strict rules: 6 digits, no zeros, 6 codes",
}
SIMULATED_MODEL_CHOICES = [
    (key, SIMULATED_MODEL_WORDS.get(key, spec["model_name"]))
    for key, spec in SIMULATED_MODELS.items()
]


class LocalDateTimeField(forms.DateTimeField):
    """A wall-clock time as typed, left without a time zone: the form places it in the
    property's zone (the site's own zone has nothing to do with it)."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    default_error_messages = {"invalid": "Enter a date and time, e.g. 2026-06-01 15:00."}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            return value.replace(tzinfo=None)
        try:
            return datetime.fromisoformat(str(value).strip()).replace(tzinfo=None)
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


def place_in_zone(naive: datetime, tz: ZoneInfo) -> datetime:
    """`naive` read on the property's clocks; refuses a time the clocks skip (spring forward)."""
    aware = naive.replace(tzinfo=tz)
    if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
        raise ValidationError(
            f"{naive:%H:%M} does not exist on {naive.day} {naive:%b} in {tz.key}: the clocks jump "
            "forward then. Pick a time an hour later."
        )
    return aware


class AccessCodeForm(forms.Form):
    WHEN_CHOICES = [
        (AccessCode.Type.TIME_BOUND, "From a start to an end time"),
        (AccessCode.Type.ONGOING, "Always, until revoked"),
    ]

    name = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the code a name, e.g. the guest's name."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Anna Smith, booking 1234"}),
    )
    kind = forms.ChoiceField(choices=AccessCode.Kind.choices, initial=AccessCode.Kind.GUEST)
    code = pin_field(help_text="Leave empty and Innkeeper picks a safe one that this lock accepts.")
    type = forms.ChoiceField(
        label="When",
        choices=WHEN_CHOICES,
        initial=AccessCode.Type.TIME_BOUND,
        widget=forms.RadioSelect,
    )
    starts_at = LocalDateTimeField(label="From", required=False)
    ends_at = LocalDateTimeField(label="To", required=False)

    def __init__(self, *args, tz: ZoneInfo, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz
        zone = f"{tz.key.replace('_', ' ')} time"
        self.fields["starts_at"].help_text = zone
        self.fields["ends_at"].help_text = zone

    def clean(self):
        data = super().clean()
        if data.get("type") != AccessCode.Type.TIME_BOUND:
            data["starts_at"] = data["ends_at"] = None
            return data
        for field, words in (("starts_at", "start"), ("ends_at", "end")):
            value = data.get(field)
            if value is None:
                if field not in self.errors:
                    self.add_error(field, f"Give the {words} time, or choose “Always”.")
                continue
            try:
                data[field] = place_in_zone(value, self.tz)
            except ValidationError as exc:
                self.add_error(field, exc)
        return data


class PinChangeForm(forms.Form):
    code = pin_field(label="New PIN", placeholder="Empty: pick one")


class LockPlaceForm(forms.Form):
    """A door's name and place: shared by a new simulated lock and a discovered device."""

    name = forms.CharField(
        max_length=200,
        error_messages={"required": "Give the door a name, e.g. “Room 101” or “Street entrance”."},
    )
    property = forms.ModelChoiceField(
        queryset=Property.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": "Pick one of your properties."},
    )
    unit = forms.ModelChoiceField(
        label="Room or home",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="None: a door the whole property shares",
        error_messages={"invalid_choice": "Pick one of your rooms, or none."},
    )
    location = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. First floor, east corridor"}),
    )

    def __init__(self, *args, owner: Owner, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["property"].queryset = Property.objects.filter(owner=owner)
        units_pick(
            self.fields["unit"],
            Unit.objects.filter(property__owner=owner).select_related("property"),
        )

    def clean(self):
        data = super().clean()
        prop, unit = data.get("property"), data.get("unit")
        if prop and unit and unit.property_id != prop.pk:
            self.add_error(
                "unit", f"{unit.name} is in {unit.property.name}; pick a room of {prop} or none."
            )
        return data


class LockCreateForm(LockPlaceForm):
    model = forms.ChoiceField(
        label="Simulated model",
        choices=SIMULATED_MODEL_CHOICES,
        initial="keypad",
        widget=forms.RadioSelect,
    )


class LockEditForm(forms.Form):
    name = forms.CharField(
        max_length=200, error_messages={"required": "Give the door a name, e.g. “Room 101”."}
    )
    location = forms.CharField(max_length=200, required=False)
    unit = forms.ModelChoiceField(
        label="Room or home",
        queryset=Unit.objects.none(),
        required=False,
        empty_label="None: a door the whole property shares",
        error_messages={"invalid_choice": "Pick one of this property's rooms, or none."},
    )
    arrival_instructions = forms.CharField(
        label="Arrival instructions",
        required=False,
        widget=INSTRUCTIONS,
        help_text="Shown on the guest's page at this door, e.g. “The keypad is left of the "
        "door; press the lock button first.”",
    )
    arrival_photo = photo_field(
        label="Arrival photo",
        help_text="A photo of this door (JPEG, PNG, WebP or GIF, up to 5 MB); only the "
        "guests who use it see it.",
    )

    def __init__(self, *args, lock: Lock, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "name": lock.name,
                "location": lock.location,
                "unit": lock.unit_id,
                "arrival_instructions": lock.arrival_instructions,
                "arrival_photo": lock.arrival_photo,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(property=lock.property)


class KeypadForm(forms.Form):
    code = pin_field(required="Type a PIN to try.")


class UnlockForm(forms.Form):
    """*Unlock now*: why (a reason offered, or typed), and, when the door lets in guests today
    (`guests`: the stays to choose from), whom for: one of them, or nobody in particular. It
    is asked, not assumed: an unlock for a guest is their way in (their arrival), and one for
    a contractor must not be."""

    OTHER = "other"
    NOBODY = "nobody"
    reason = forms.ChoiceField(
        label="Why",
        required=False,
        choices=[(r, r) for r in UNLOCK_REASONS] + [(OTHER, "Another reason")],
        widget=forms.RadioSelect,
    )
    other_reason = forms.CharField(label="Another reason", max_length=200, required=False)
    reservation = forms.ChoiceField(
        label="For",
        error_messages={
            "required": "Say whom the door is unlocked for: a guest, or nobody in particular.",
            "invalid_choice": "That guest is no longer staying or arriving here; pick another.",
        },
    )

    def __init__(self, *args, guests=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.guests = {str(stay.pk): stay for stay in guests}
        self.fields["reservation"].required = bool(self.guests)
        self.fields["reservation"].choices = [(self.NOBODY, "Nobody in particular")] + [
            (pk, stay.guest_name) for pk, stay in self.guests.items()
        ]

    def clean(self):
        data = super().clean()
        chosen, typed = data.get("reason", ""), data.get("other_reason", "").strip()
        if chosen and chosen != self.OTHER:
            data["why"] = chosen
        elif typed:  # typed without picking "Another reason" first: what they typed is why
            data["why"] = typed
        elif chosen == self.OTHER:
            self.add_error("other_reason", "Type the reason.")
        else:
            self.add_error("reason", "Say why the door is unlocked: pick a reason or type one.")
        data["stay"] = self.guests.get(data.get("reservation") or "")
        return data


class UnmanagedCodeForm(forms.Form):
    code = pin_field(required="Type the PIN someone adds at the keypad.")
    name = forms.CharField(label="Label", max_length=32, required=False)


class LoseCodeForm(forms.Form):
    slot = forms.TypedChoiceField(
        label="Code on the lock",
        coerce=int,
        error_messages={
            "required": "Pick a code on the lock.",
            "invalid_choice": "That code is no longer on the lock; pick another.",
        },
    )

    def __init__(self, *args, slots: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"].choices = slots


class BackupPoolForm(forms.Form):
    enabled = forms.BooleanField(label="Keep backup codes ready on this lock", required=False)
    size = forms.IntegerField(
        label="How many",
        min_value=1,
        max_value=20,
        error_messages={
            "required": "Say how many backup codes to keep ready, from 1 to 20.",
            "invalid": "Enter a whole number, from 1 to 20.",
            "min_value": "Keep at least 1 backup code.",
            "max_value": "Keep at most 20 backup codes.",
        },
        widget=forms.NumberInput(attrs={"min": 1, "max": 20}),
    )

    def __init__(self, *args, lock: Lock, **kwargs):
        owner = lock.owner
        size = owner.backup_pool_size if lock.backup_pool_size is None else lock.backup_pool_size
        kwargs.setdefault("initial", {"enabled": lock.backup_pool_enabled, "size": size})
        super().__init__(*args, **kwargs)
        self.lock = lock
        self.fields["size"].help_text = f"Your default for every lock is {owner.backup_pool_size}."

    def size_for_lock(self) -> int | None:
        """The size to give the lock: None keeps it following the owner's default."""
        size = self.cleaned_data["size"]
        if self.lock.backup_pool_size is None and size == self.lock.owner.backup_pool_size:
            return None
        return size


class SimulatedDeviceForm(forms.Form):
    name = forms.CharField(
        label="Device name",
        max_length=200,
        error_messages={"required": "Give the device a name, e.g. “Garden gate”."},
        widget=forms.TextInput(attrs={"placeholder": "e.g. Garden gate"}),
    )
    model = forms.ChoiceField(label="Model", choices=SIMULATED_MODEL_CHOICES, initial="keypad")
    has_keypad = forms.BooleanField(
        label="It has a keypad",
        required=False,
        initial=True,
        help_text="Untick to see how a lock that cannot hold PIN codes is shown.",
    )


class SeamAccountForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, initial="Seam workspace")
    api_key = forms.CharField(
        label="API key",
        max_length=500,
        strip=True,
        # Never put back into the page, not even after a mistake elsewhere in the form.
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        error_messages={"required": "Paste the workspace's API key from Seam's console."},
        help_text="Starts with seam_. Saved, and never shown again.",
    )
    endpoint = forms.URLField(
        label="Endpoint",
        required=False,
        assume_scheme="https",
        help_text="Leave empty for Seam itself; set it for a sandbox or a Seam-compatible server.",
    )


class ZWaveAccountForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, initial="Z-Wave network")
    url = forms.CharField(
        label="Z-Wave JS Server address",
        max_length=500,
        strip=True,
        error_messages={
            "required": "Give the Z-Wave JS Server's address, e.g. ws://192.168.1.20:3000."
        },
        widget=forms.TextInput(attrs={"placeholder": "ws://192.168.1.20:3000"}),
        help_text="Its websocket, port 3000 unless you changed it (Z-Wave JS UI: Settings → "
        "Home Assistant → WS Server). Checked by connecting before it is saved.",
    )

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if problem := url_problem(url):
            raise forms.ValidationError(problem)
        return url


class ReplaceForm(forms.Form):
    """Which lock a discovered device replaces; only locks of the device's own kind."""

    lock = forms.ModelChoiceField(
        label="The lock it replaces",
        queryset=Lock.objects.none(),
        error_messages={
            "required": "Pick the lock this device replaces.",
            "invalid_choice": "Pick one of your locks.",
        },
    )

    def __init__(self, *args, owner: Owner, driver: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lock"].queryset = Lock.objects.filter(
            owner=owner, driver=driver
        ).select_related("property")
        self.fields["lock"].label_from_instance = lambda lock: f"{lock.name} · {lock.property}"


class TakeOverForm(forms.Form):
    name = forms.CharField(
        label="Name it",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "e.g. Gardener"}),
    )
