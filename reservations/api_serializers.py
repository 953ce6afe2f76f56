"""What the reservations API reads and writes, in the same dialect as the access-code API."""

from datetime import date, datetime

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from locks.api.answers import Answer, PaginationSerializer
from locks.api.serializers import (
    AccessCodeFields,
    AccessCodeSerializer,
    Input,
    ManyOf,
    PageInput,
    RowId,
    Text,
)
from reservations.guest_links import guest_page_url
from reservations.models import Reservation
from reservations.selectors import guest_code_state, reservation_entries

# --- input -------------------------------------------------------------------------------------

# Stays are refused outside these years: near year 1 or 9999, moving a day to UTC or adding a
# stay's buffers would leave the calendar Python can count.
FIRST_YEAR, LAST_YEAR = 1900, 9998


@extend_schema_field(
    {
        "oneOf": [
            {"type": "string", "format": "date", "example": "2026-07-01"},
            {"type": "string", "format": "date-time", "example": "2026-07-01T15:00:00+01:00"},
        ]
    }
)
class StayTime(serializers.Field):
    """A moment with its UTC offset, or a date alone (the property's default time that day)."""

    default_error_messages = {
        "invalid": "Give a date (2026-07-01) or a time with its offset "
        "(2026-07-01T15:00:00+01:00, or ...Z for UTC).",
        "naive": "Give the time's UTC offset (e.g. +01:00, or Z for UTC), or a date alone.",
        "range": f"Give a date between the years {FIRST_YEAR} and {LAST_YEAR}.",
    }

    def to_internal_value(self, data) -> date | datetime:
        if not isinstance(data, str):
            self.fail("invalid")
        text = data.strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text)
                self._check_year(day)
                return day
            moment = datetime.fromisoformat(text)
        except ValueError:
            self.fail("invalid")
        if moment.tzinfo is None:
            self.fail("naive")
        self._check_year(moment)
        return moment

    def _check_year(self, value: date) -> None:
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            self.fail("range")

    def to_representation(self, value) -> str:
        return value.isoformat()


class StayFieldsInput(Input):
    guest_name = Text(max_length=200)
    phone = Text(required=False, allow_blank=True, max_length=40)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    guests = serializers.IntegerField(required=False, min_value=1, max_value=100)
    check_in = StayTime()
    check_out = StayTime()
    notes = Text(required=False, allow_blank=True, max_length=5000)
    language = serializers.ChoiceField(
        choices=[code for code, _ in settings.GUEST_LANGUAGES],
        required=False,
        allow_blank=True,
        help_text="The guest's language for their page and messages: "
        + ", ".join(code for code, _ in settings.GUEST_LANGUAGES)
        + ", or empty for the default (English).",
        error_messages={
            "invalid_choice": "“{input}” is not a guest language; use one of "
            + ", ".join(code for code, _ in settings.GUEST_LANGUAGES)
            + ", or leave it empty."
        },
    )


class ReservationCreateInput(StayFieldsInput):
    unit_id = RowId()
    external_id = Text(required=False, allow_blank=True, max_length=255)


class ReservationUpdateInput(StayFieldsInput):
    reservation_id = Text()
    unit_id = RowId(required=False)
    external_id = Text(required=False, allow_blank=True, max_length=255)

    def get_fields(self):
        fields = super().get_fields()
        for name in ("guest_name", "check_in", "check_out"):
            fields[name].required = False
        return fields


class ReservationGetInput(Input):
    reservation_id = Text(required=False)
    external_id = Text(required=False)

    def validate(self, attrs):
        if not attrs.get("reservation_id") and not attrs.get("external_id"):
            raise serializers.ValidationError("Give reservation_id or external_id.")
        return attrs


class ReservationIdInput(Input):
    reservation_id = Text()


class GiveBackupInput(ReservationIdInput):
    every_door = serializers.BooleanField(required=False, default=True)


class ReservationListInput(PageInput):
    property_id = RowId(required=False)
    unit_id = RowId(required=False)
    status = serializers.ChoiceField(choices=Reservation.Status.values, required=False)
    # true: the stays whose guest has come in (`arrived_at` set); false: the others.
    arrived = serializers.BooleanField(required=False)

    def get_fields(self):
        fields = super().get_fields()
        # `from` is a Python keyword, so these two cannot be class attributes.
        fields["from"] = StayTime(required=False)
        fields["to"] = StayTime(required=False)
        return fields

    def validate(self, attrs):
        start, end = attrs.get("from"), attrs.get("to")
        if start is not None and end is not None and type(start) is not type(end):
            raise serializers.ValidationError(
                {"to": ["Give from and to alike: both dates, or both times with their offset."]}
            )
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"to": ["to must not be before from."]})
        return attrs


class PropertyListInput(Input):
    property_ids = ManyOf(child=RowId(), required=False)


class UnitListInput(Input):
    property_id = RowId(required=False)


# --- output ------------------------------------------------------------------------------------


class GuestCodeDoorSerializer(AccessCodeFields):
    """One door of a guest code: the access code there, with Seam's status, errors, warnings,
    and the backup given in its place (`backup_access_code_id`), if any."""

    DOOR_FIELDS = (
        "device_id",
        "display_name",
        "access_code_id",
        "status",
        "errors",
        "warnings",
        "backup_access_code_id",
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["display_name"] = serializers.CharField(source="lock.name")
        fields["backup_access_code_id"] = serializers.SerializerMethodField(
            method_name="get_pulled_backup_access_code_id"
        )
        return {name: fields[name] for name in self.DOOR_FIELDS}


class EntrySerializer(serializers.Serializer):
    """One time a door opened for the stay: with its code (`keycode`, the guest's own or a
    backup), by hand, or remotely."""

    event_id = serializers.UUIDField(source="id")
    device_id = serializers.UUIDField(source="lock.public_id", allow_null=True, default=None)
    occurred_at = serializers.DateTimeField()
    access_code_id = serializers.UUIDField(allow_null=True)
    is_backup = serializers.SerializerMethodField()
    method = serializers.SerializerMethodField()

    def get_is_backup(self, event) -> bool:
        return bool(event.data.get("is_backup"))

    def get_method(self, event) -> str | None:
        return event.data.get("method")


class ReservationSerializer(serializers.Serializer):
    """A stay; `context["now"]` is needed for its guest code's state."""

    reservation_id = serializers.UUIDField(source="id")
    unit_id = serializers.IntegerField()
    property_id = serializers.IntegerField(source="unit.property_id")
    guest_name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    guests = serializers.IntegerField()
    check_in = serializers.DateTimeField()
    check_out = serializers.DateTimeField()
    external_id = serializers.SerializerMethodField()
    notes = serializers.CharField()
    status = serializers.CharField()
    source = serializers.CharField()
    has_conflict = serializers.BooleanField()
    checked_out_at = serializers.DateTimeField(allow_null=True)
    cancelled_at = serializers.DateTimeField(allow_null=True)
    arrived_at = serializers.DateTimeField(allow_null=True)
    pin_note = serializers.CharField()
    guest_code = serializers.SerializerMethodField()
    entries = serializers.SerializerMethodField()
    guest_page_url = serializers.SerializerMethodField()
    language = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_external_id(self, reservation: Reservation) -> str | None:
        return reservation.external_id or None

    def get_guest_code(self, reservation: Reservation) -> dict:
        state = guest_code_state(reservation, self.context["now"])
        starts_at, ends_at = reservation.code_window(reservation.owner)
        field = serializers.DateTimeField()
        return {
            "code": reservation.pin or None,
            "state": state.state,
            "message": state.detail,
            "starts_at": field.to_representation(starts_at),
            "ends_at": field.to_representation(ends_at),
            "doors": GuestCodeDoorSerializer([d.code for d in state.doors], many=True).data,
        }

    def get_guest_page_url(self, reservation: Reservation) -> str:
        """The guest's private page (absolute when `PUBLIC_BASE_URL` is set)."""
        return guest_page_url(reservation)

    @extend_schema_field(EntrySerializer(many=True))
    def get_entries(self, reservation: Reservation) -> list[dict]:
        """Every entry of the stay, oldest first; the first is `arrived_at`."""
        return EntrySerializer(reservation_entries(reservation), many=True).data


@extend_schema_field({"type": "string", "pattern": "^[0-2][0-9]:[0-5][0-9]$", "example": "15:00"})
class ClockTime(serializers.TimeField):
    """A time of day as a clock shows it: "15:00"."""

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class PropertySerializer(serializers.Serializer):
    property_id = serializers.IntegerField(source="id")
    name = serializers.CharField()
    time_zone = serializers.CharField()
    country = serializers.CharField()
    default_check_in = ClockTime()
    default_check_out = ClockTime()
    shared_device_ids = serializers.SerializerMethodField()

    def get_shared_device_ids(self, prop) -> list[str]:
        """Doors every guest of the property needs (a street entrance)."""
        return [str(lock.public_id) for lock in prop.shared_doors]


class UnitSerializer(serializers.Serializer):
    unit_id = serializers.IntegerField(source="id")
    property_id = serializers.IntegerField()
    name = serializers.CharField()
    device_ids = serializers.SerializerMethodField()

    def get_device_ids(self, unit) -> list[str]:
        """The unit's own doors (the property's shared doors are listed on the property)."""
        return [str(lock.public_id) for lock in unit.doors]


# --- answers, as the schema documents them -----------------------------------------------------


class ReservationAnswer(Answer):
    reservation = ReservationSerializer()


class ReservationsAnswer(Answer):
    reservations = ReservationSerializer(many=True)
    pagination = PaginationSerializer()


class DoorProblemSerializer(serializers.Serializer):
    message = serializers.CharField()


class DoorBackupSerializer(serializers.Serializer):
    """One door of `reservations/give_backup`: its backup (with the PIN), or why it has none."""

    device_id = serializers.UUIDField()
    display_name = serializers.CharField()
    backup_access_code = AccessCodeSerializer(allow_null=True)
    error = DoorProblemSerializer(allow_null=True)


class BackupsGivenAnswer(ReservationAnswer):
    doors = DoorBackupSerializer(many=True)


class PropertiesAnswer(Answer):
    properties = PropertySerializer(many=True)


class UnitsAnswer(Answer):
    units = UnitSerializer(many=True)
