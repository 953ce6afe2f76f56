"""What the API reads (input) and writes (output), field for field in Seam's dialect."""

from functools import cached_property

from rest_framework import serializers

from locks.door_events import supports_events
from locks.event_objects import event_object
from locks.models import AccessCode, ActionAttempt, Event, Lock
from locks.reconcile.changes import FROM_LOCK
from locks.reconcile.clock import REFUSED_AT
from locks.remote import LOCK_DOOR, UNLOCK_DOOR

# The reconciler's own marks on an issue, kept inside.
INTERNAL_ISSUE_KEYS = {REFUSED_AT, FROM_LOCK}

# --- input -------------------------------------------------------------------------------------


class Text(serializers.CharField):
    """A string that must be sent as a string: a number would lose a PIN's leading zeros."""

    default_error_messages = {"invalid": "Must be a string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


# Ids are 64-bit (BigAutoField): a larger number is refused here, not by the database.
ROW_ID_MAX = 2**63 - 1


class RowId(serializers.IntegerField):
    """A database id: a whole number from 1 up to what the database can hold."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=ROW_ID_MAX, **kwargs)


class ManyOf(serializers.ListField):
    """A list, also taken as one string (a query string with a single value)."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = [data] if data else []
        return super().to_internal_value(data)


class Input(serializers.Serializer):
    """Unknown parameters are ignored, so newer SDKs' extra options do not break a call."""

    def validated(self) -> dict:
        self.is_valid(raise_exception=True)
        return self.validated_data


class WindowInput(Input):
    name = Text(required=False, allow_blank=True, max_length=200)
    code = Text(required=False, max_length=12)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)
    allow_external_modification = serializers.BooleanField(required=False)
    # Seam's newer name for the same setting.
    is_external_modification_allowed = serializers.BooleanField(required=False)
    # False: programmed just in time, even on a lock that could hold its schedule.
    prefer_native_scheduling = serializers.BooleanField(required=False)


class AccessCodeCreateInput(WindowInput):
    device_id = Text()
    preferred_code_length = serializers.IntegerField(required=False, min_value=1, max_value=12)
    common_code_key = Text(required=False, allow_blank=True, max_length=100)
    use_backup_access_code_pool = serializers.BooleanField(required=False)


class AccessCodeUpdateInput(WindowInput):
    access_code_id = Text()
    device_id = Text(required=False)
    type = serializers.ChoiceField(choices=AccessCode.Type.values, required=False)
    is_managed = serializers.BooleanField(required=False)
    use_backup_access_code_pool = serializers.BooleanField(required=False)


class AccessCodeIdInput(Input):
    access_code_id = Text()
    device_id = Text(required=False)


class UnmanagedConvertInput(Input):
    access_code_id = Text()
    allow_external_modification = serializers.BooleanField(required=False)
    is_external_modification_allowed = serializers.BooleanField(required=False)
    # Seam's switch to take a code over from another workspace; there is only one owner here.
    force = serializers.BooleanField(required=False)


class AccessCodeGetInput(Input):
    access_code_id = Text(required=False)
    device_id = Text(required=False)
    code = Text(required=False)

    def validate(self, attrs):
        if not attrs.get("access_code_id") and not (attrs.get("device_id") and attrs.get("code")):
            raise serializers.ValidationError("Give access_code_id, or both device_id and code.")
        return attrs


class PageInput(Input):
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=500)
    page_cursor = Text(required=False, allow_null=True, allow_blank=True)


class AccessCodeListInput(PageInput):
    device_id = Text(required=False)
    access_code_ids = ManyOf(child=serializers.UUIDField(), required=False)

    def validate(self, attrs):
        if not attrs.get("device_id") and "access_code_ids" not in attrs:
            raise serializers.ValidationError("Give device_id or access_code_ids.")
        return attrs


class DeviceIdInput(Input):
    device_id = Text()


class UnmanagedListInput(PageInput):
    device_id = Text()


class DeviceListInput(PageInput):
    device_ids = ManyOf(child=serializers.UUIDField(), required=False)
    device_type = Text(required=False)
    device_types = ManyOf(child=Text(), required=False)
    custom_metadata_has = serializers.JSONField(required=False)


class DeviceGetInput(Input):
    device_id = Text(required=False)
    name = Text(required=False)

    def validate(self, attrs):
        if not attrs.get("device_id") and not attrs.get("name"):
            raise serializers.ValidationError("Give device_id or name.")
        return attrs


class ActionAttemptGetInput(Input):
    action_attempt_id = Text()


class EventListInput(Input):
    since = serializers.DateTimeField(required=False)
    between = serializers.ListField(
        child=serializers.DateTimeField(), required=False, min_length=2, max_length=2
    )
    device_id = Text(required=False)
    device_ids = ManyOf(child=serializers.UUIDField(), required=False)
    access_code_id = Text(required=False)
    access_code_ids = ManyOf(child=serializers.UUIDField(), required=False)
    event_type = Text(required=False)
    event_types = ManyOf(child=Text(), required=False)
    limit = serializers.IntegerField(required=False, min_value=1, max_value=1000, default=500)

    def validate(self, attrs):
        if "since" not in attrs and "between" not in attrs:
            raise serializers.ValidationError(
                {"since": ["Give since (e.g. 2026-06-01T00:00:00Z) or between."]}
            )
        return attrs


class RemoteTurnInput(DeviceIdInput):
    # Why the door is turned, in the caller's words (Seam has no such field; it is ours).
    reason = Text(required=False, allow_blank=True, max_length=200, default="")
    # The stay it is done for (ours too): the unlock is then one of its entries.
    reservation_id = serializers.UUIDField(required=False, default=None)


class DeviceCodeInput(Input):
    device_id = Text()
    code = Text(max_length=12)


class UnmanagedCodeInput(DeviceCodeInput):
    name = Text(required=False, allow_blank=True, max_length=200, default="")


# --- output ------------------------------------------------------------------------------------


class IssuesMixin(serializers.Serializer):
    """Seam marks each issue with where it lives (`is_access_code_error`, `is_device_error`)."""

    issue_flag = ""
    errors = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    def get_errors(self, obj) -> list[dict]:
        # The reconciler's own marks (the desired version a refusal waits on) stay inside.
        return [{**_public(e), f"is_{self.issue_flag}_error": True} for e in obj.errors]

    def get_warnings(self, obj) -> list[dict]:
        return [{**_public(w), f"is_{self.issue_flag}_warning": True} for w in obj.warnings]


def _public(issue: dict) -> dict:
    return {k: v for k, v in issue.items() if k not in INTERNAL_ISSUE_KEYS}


def locks_with_backup_ready(lock_ids: set[int]) -> set[int]:
    """Which of these locks hold a healthy backup nobody has been given (one query)."""
    if not lock_ids:
        return set()
    ready = AccessCode.objects.filter(
        lock_id__in=lock_ids,
        kind=AccessCode.Kind.BACKUP,
        pulled_at__isnull=True,
        deleted_at__isnull=True,
        removed_at__isnull=True,
        status=AccessCode.Status.SET,
        errors=[],
    )
    return set(ready.values_list("lock_id", flat=True).distinct())


class AccessCodeListSerializer(serializers.ListSerializer):
    """A page of codes: its locks with a backup ready are looked up once, and only if asked."""

    def to_representation(self, data):
        self.codes = list(data)
        return super().to_representation(self.codes)

    @cached_property
    def locks_with_backup_ready(self) -> set[int]:
        timed = {c.lock_id for c in self.codes if c.type == AccessCode.Type.TIME_BOUND}
        return locks_with_backup_ready(timed)


class AccessCodeFields(IssuesMixin):
    """An access code's fields, one by one (what the schema documents, and what a serializer
    that picks some of them, as a stay's door does, builds on)."""

    issue_flag = "access_code"

    class Meta:
        list_serializer_class = AccessCodeListSerializer

    access_code_id = serializers.UUIDField(source="id")
    device_id = serializers.UUIDField(source="lock.public_id")
    name = serializers.CharField()
    code = serializers.SerializerMethodField()
    type = serializers.CharField()
    starts_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True)
    status = serializers.SerializerMethodField()
    is_managed = serializers.BooleanField()
    is_backup = serializers.SerializerMethodField()
    is_backup_access_code_available = serializers.SerializerMethodField()
    pulled_backup_access_code_id = serializers.SerializerMethodField()
    is_external_modification_allowed = serializers.BooleanField()
    is_scheduled_on_device = serializers.BooleanField()
    is_waiting_for_code_assignment = serializers.SerializerMethodField()
    common_code_key = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_status(self, obj) -> str:
        # Removal asked for and not yet confirmed by the lock: Seam says `removing`.
        if obj.deleted_at is not None and obj.removed_at is None:
            return AccessCode.Status.REMOVING
        return obj.status

    def get_code(self, obj) -> str | None:
        return None if obj.is_hidden_backup else obj.code

    def get_is_backup(self, obj) -> bool:
        return obj.kind == AccessCode.Kind.BACKUP

    def get_is_backup_access_code_available(self, obj) -> bool:
        """Whether `access_codes/pull_backup_access_code` would hand out a backup now."""
        if obj.type != AccessCode.Type.TIME_BOUND or obj.kind == AccessCode.Kind.BACKUP:
            return False
        if obj.pulled_backup_id:
            return True  # pulling again returns the same backup
        if obj.is_over(self.context["now"]):
            return False
        if isinstance(self.parent, AccessCodeListSerializer):
            return obj.lock_id in self.parent.locks_with_backup_ready
        return obj.lock_id in locks_with_backup_ready({obj.lock_id})

    def get_pulled_backup_access_code_id(self, obj) -> str | None:
        return str(obj.pulled_backup_id) if obj.pulled_backup_id else None

    def get_is_waiting_for_code_assignment(self, obj) -> bool:
        return False

    def get_common_code_key(self, obj) -> str | None:
        return obj.common_code_key or None


# What DRF's fields give, without their machinery: DRF's own ISO 8601 (`Z` for UTC) for times.
_when = serializers.DateTimeField(allow_null=True).to_representation


def _lock_public_id(code):
    """The code's device_id: read with the code by the selectors that answer only (as
    `lock_public_id`, with no lock object built), else from its lock."""
    loaded = code.__dict__.get("lock_public_id")
    return loaded if loaded is not None else code.lock.public_id


def _text(value) -> str | None:
    return None if value is None else str(value)


class AccessCodeSerializer(AccessCodeFields):
    """An access code; `context["now"]` says whether a backup could be pulled for it now.

    A backup nobody has been given yet is hidden: its `code` is null in every answer.

    The answer is built in one go, key for key what the declared fields give in the same
    order (tests/locks/test_api_output.py holds the two equal): DRF's field by field path
    was most of the time of a page of codes.
    """

    def to_representation(self, obj) -> dict:
        return {
            "errors": self.get_errors(obj),
            "warnings": self.get_warnings(obj),
            "access_code_id": _text(obj.id),
            "device_id": _text(_lock_public_id(obj)),
            "name": _text(obj.name),
            "code": self.get_code(obj),
            "type": _text(obj.type),
            "starts_at": _when(obj.starts_at),
            "ends_at": _when(obj.ends_at),
            "status": self.get_status(obj),
            "is_managed": bool(obj.is_managed),
            "is_backup": self.get_is_backup(obj),
            "is_backup_access_code_available": self.get_is_backup_access_code_available(obj),
            "pulled_backup_access_code_id": self.get_pulled_backup_access_code_id(obj),
            "is_external_modification_allowed": bool(obj.is_external_modification_allowed),
            "is_scheduled_on_device": bool(obj.is_scheduled_on_device),
            "is_waiting_for_code_assignment": self.get_is_waiting_for_code_assignment(obj),
            "common_code_key": self.get_common_code_key(obj),
            "created_at": _when(obj.created_at),
        }


class DeviceSerializer(IssuesMixin):
    """A lock as Seam's device; built in one go, as AccessCodeSerializer is (and tested so)."""

    issue_flag = "device"

    device_id = serializers.UUIDField(source="public_id")
    display_name = serializers.CharField(source="name")
    nickname = serializers.CharField(source="name")
    device_type = serializers.SerializerMethodField()
    location = serializers.SerializerMethodField()
    capabilities_supported = serializers.SerializerMethodField()
    can_program_online_access_codes = serializers.SerializerMethodField()
    can_remotely_lock = serializers.BooleanField()
    can_remotely_unlock = serializers.BooleanField()
    can_simulate_connection = serializers.SerializerMethodField()
    can_simulate_disconnection = serializers.SerializerMethodField()
    is_managed = serializers.SerializerMethodField()
    properties = serializers.SerializerMethodField()
    custom_metadata = serializers.DictField(child=serializers.JSONField())
    connected_account_id = serializers.CharField(source="account_id", allow_null=True)
    created_at = serializers.DateTimeField()

    def get_device_type(self, lock: Lock) -> str:
        return f"{lock.driver}_lock"

    def get_location(self, lock: Lock) -> dict:
        place = " · ".join(p for p in (lock.property.name, lock.location) if p)
        return {"location_name": place, "time_zone": lock.property.time_zone}

    def get_capabilities_supported(self, lock: Lock) -> list[str]:
        return ["access_code", "lock"]

    def get_can_program_online_access_codes(self, lock: Lock) -> bool:
        return True

    def get_can_simulate_connection(self, lock: Lock) -> bool:
        return lock.driver == "simulated"

    def get_can_simulate_disconnection(self, lock: Lock) -> bool:
        return lock.driver == "simulated"

    def get_is_managed(self, lock: Lock) -> bool:
        return True

    def to_representation(self, lock: Lock) -> dict:
        return {
            "errors": self.get_errors(lock),
            "warnings": self.get_warnings(lock),
            "device_id": _text(lock.public_id),
            "display_name": _text(lock.name),
            "nickname": _text(lock.name),
            "device_type": self.get_device_type(lock),
            "location": self.get_location(lock),
            "capabilities_supported": self.get_capabilities_supported(lock),
            "can_program_online_access_codes": self.get_can_program_online_access_codes(lock),
            "can_remotely_lock": bool(lock.can_remotely_lock),
            "can_remotely_unlock": bool(lock.can_remotely_unlock),
            "can_simulate_connection": self.get_can_simulate_connection(lock),
            "can_simulate_disconnection": self.get_can_simulate_disconnection(lock),
            "is_managed": self.get_is_managed(lock),
            "properties": self.get_properties(lock),
            "custom_metadata": dict(lock.custom_metadata or {}),
            "connected_account_id": _text(lock.account_id),
            "created_at": _when(lock.created_at),
        }

    def get_properties(self, lock: Lock) -> dict:
        return {
            "name": lock.name,
            "online": lock.online,
            # The bolt as the lock last reported it (its events, a remote turn, a reading);
            # null for a lock that does not say.
            "locked": lock.locked,
            "battery_level": lock.battery_level,
            "battery": None
            if lock.battery_level is None
            else {"level": lock.battery_level, "status": _battery_status(lock.battery_level)},
            "model": {"display_name": lock.model_name, "manufacturer_display_name": "Innkeeper"},
            "manufacturer": lock.driver,
            "supported_code_lengths": lock.supported_code_lengths,
            "code_constraints": [{"constraint_type": c} for c in lock.code_constraints],
            "max_active_codes_supported": lock.max_active_codes,
            "supports_native_scheduling": lock.supports_native_scheduling,
            "supports_backup_access_code_pool": True,
            "backup_access_code_pool_enabled": lock.backup_pool_enabled,
            "has_native_entry_events": supports_events(lock.driver),
            "door_kind": lock.door_kind,
            "unit_name": lock.unit.name if lock.unit_id else None,
            "property_name": lock.property.name,
        }


def _battery_status(level: float) -> str:
    if level < 0.05:
        return "critical"
    if level < 0.2:
        return "low"
    return "good" if level < 0.6 else "full"


class ActionAttemptSerializer(serializers.Serializer):
    action_attempt_id = serializers.UUIDField(source="id")
    action_type = serializers.CharField()
    status = serializers.CharField()
    result = serializers.SerializerMethodField()
    error = serializers.JSONField()

    def to_representation(self, attempt: ActionAttempt) -> dict:
        """Built in one go, as AccessCodeSerializer is (and tested so)."""
        return {
            "action_attempt_id": _text(attempt.id),
            "action_type": _text(attempt.action_type),
            "status": _text(attempt.status),
            "result": self.get_result(attempt),
            "error": attempt.error,
        }

    def get_result(self, attempt: ActionAttempt) -> dict | None:
        if attempt.status != ActionAttempt.Status.SUCCESS:
            return None
        if attempt.action_type in (UNLOCK_DOOR, LOCK_DOOR):
            # A driver's turn succeeds only once the lock did it (it raises otherwise).
            return {"was_confirmed_by_device": True, **attempt.result}
        code = attempt.access_code
        if (
            attempt.action_type != ActionAttempt.DELETE_ACCESS_CODE
            and code is not None
            and code.is_live
        ):
            answer = AccessCodeSerializer(code, context=self.context).data
            return {**attempt.result, "access_code": answer}
        return attempt.result


class EventSerializer(serializers.Serializer):
    """One definition with the webhooks' payload: `locks.event_objects.event_object`."""

    event_id = serializers.UUIDField(source="id")
    event_type = serializers.CharField()
    occurred_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField(source="occurred_at")
    device_id = serializers.UUIDField(source="lock.public_id", allow_null=True, default=None)
    access_code_id = serializers.UUIDField(allow_null=True)
    reservation_id = serializers.UUIDField(required=False)
    message = serializers.CharField()

    def to_representation(self, event: Event) -> dict:
        return event_object(event)
