"""The bodies the API answers, as the schema documents them: each endpoint's 200 and the errors.

These serializers only describe answers (the views build them with the output serializers of
`locks.api.serializers`); `endpoint(..., answer=...)` puts them in the schema.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import serializers

from locks.api.dialect_serializers import ConnectedAccountSerializer
from locks.api.serializers import (
    AccessCodeSerializer,
    ActionAttemptSerializer,
    DeviceSerializer,
    EventSerializer,
)


@extend_schema_field({"type": "boolean", "enum": [True]})
class Ok(serializers.BooleanField):
    """`"ok": true` on every answer that is not an error."""


class Answer(serializers.Serializer):
    ok = Ok()


class PaginationSerializer(serializers.Serializer):
    has_next_page = serializers.BooleanField()
    next_page_cursor = serializers.CharField(allow_null=True)
    next_page_url = serializers.CharField(allow_null=True)


# --- errors ------------------------------------------------------------------------------------


class ErrorDetailSerializer(serializers.Serializer):
    type = serializers.CharField()
    message = serializers.CharField()
    validation_errors = serializers.DictField(
        required=False,
        child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
        help_text='Each parameter at fault: {"device_id": {"_errors": ["..."]}}.',
    )


@extend_schema_field({"type": "boolean", "enum": [False]})
class NotOk(serializers.BooleanField):
    pass


class ErrorAnswer(serializers.Serializer):
    error = ErrorDetailSerializer()
    ok = NotOk()


ERRORS = {
    400: "`invalid_input`: a missing or malformed parameter, or a request that cannot be "
    "carried out; `validation_errors` names the parameter.",
    401: "`unauthorized`: no API key, an unknown key or a revoked key.",
    404: "No such object for this key's owner (`device_not_found`, `access_code_not_found`, "
    "`event_not_found`, `connected_account_not_found`, ...).",
    409: "A conflict, e.g. `duplicate_access_code` (the PIN is already on that lock) or "
    "`no_backup_access_code_available`.",
    429: "`too_many_requests`: 20 requests without a valid key came from this address in 5 "
    "minutes; retry after `Retry-After` (a valid key is still served).",
    500: "`internal_server_error`: a bug on Innkeeper's side; nothing was changed.",
    503: "`service_unavailable`: the database is busy or unreachable; retry after `Retry-After`.",
}

# Every endpoint can refuse its input or its key (429 after many bad keys from one address), and
# fail on our side; `endpoint(errors=...)` adds the others it can answer.
ALWAYS = (400, 401, 429, 500, 503)


def error_responses(statuses) -> dict[int, OpenApiResponse]:
    return {
        status: OpenApiResponse(ErrorAnswer, description=ERRORS[status])
        for status in sorted({*ALWAYS, *statuses})
    }


# --- answers of the access-code, device, event and account endpoints ---------------------------


class AccessCodeAnswer(Answer):
    access_code = AccessCodeSerializer()


class AccessCodeCreatedAnswer(Answer):
    access_code = AccessCodeSerializer()
    action_attempt = ActionAttemptSerializer()


class AccessCodesAnswer(Answer):
    access_codes = AccessCodeSerializer(many=True)
    pagination = PaginationSerializer()


class ActionAttemptAnswer(Answer):
    action_attempt = ActionAttemptSerializer()


class GeneratedCodeSerializer(serializers.Serializer):
    device_id = serializers.UUIDField()
    code = serializers.CharField()


class GeneratedCodeAnswer(Answer):
    generated_code = GeneratedCodeSerializer()


class BackupPulledAnswer(Answer):
    access_code = AccessCodeSerializer(help_text="The backup, with its PIN.")
    backup_access_code = AccessCodeSerializer(help_text="The same backup.")


class DevicesAnswer(Answer):
    devices = DeviceSerializer(many=True)
    pagination = PaginationSerializer()


class DeviceAnswer(Answer):
    device = DeviceSerializer()


class LocksAnswer(DevicesAnswer):
    locks = DeviceSerializer(many=True)


class LockAnswer(DeviceAnswer):
    lock = DeviceSerializer()


class EventsAnswer(Answer):
    events = EventSerializer(many=True)


class EventAnswer(Answer):
    event = EventSerializer()


class LinkedCodesAnswer(Answer):
    """The codes of one `common_code_key` and the action attempt of each, in the same order."""

    access_codes = AccessCodeSerializer(many=True)
    action_attempts = ActionAttemptSerializer(many=True)


class ActionAttemptsAnswer(Answer):
    action_attempts = ActionAttemptSerializer(many=True)
    pagination = PaginationSerializer()


class ConnectedAccountsAnswer(Answer):
    connected_accounts = ConnectedAccountSerializer(many=True)
    pagination = PaginationSerializer()


class ConnectedAccountAnswer(Answer):
    connected_account = ConnectedAccountSerializer()


# --- simulated locks -----------------------------------------------------------------------------


class FoundCodeSerializer(serializers.Serializer):
    """A PIN just added at a simulated keypad: it has no id until Innkeeper reads the lock."""

    access_code_id = serializers.UUIDField(allow_null=True)
    device_id = serializers.UUIDField()
    name = serializers.CharField(allow_blank=True)
    code = serializers.CharField()
    type = serializers.CharField()
    status = serializers.CharField()
    is_managed = serializers.BooleanField()
    errors = serializers.ListField(child=serializers.DictField())
    warnings = serializers.ListField(child=serializers.DictField())
    created_at = serializers.DateTimeField()


class FoundCodeAnswer(Answer):
    access_code = FoundCodeSerializer()


class KeypadEntryAnswer(Answer):
    action_attempt = ActionAttemptSerializer()
    event = EventSerializer()
