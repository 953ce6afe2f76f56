"""Inputs and outputs of the rest of Seam's access-code dialect (locks/api/dialect.py).

Linked codes (`create_multiple`, `update_multiple`), `access_codes/unmanaged/update`,
`events/get`, `action_attempts/list`, `devices/update` and connected accounts.
"""

from rest_framework import serializers

from locks.api.serializers import Input, IssuesMixin, ManyOf, PageInput, Text, WindowInput
from locks.common_codes import CREATE_RANDOM_CODE, THROW
from locks.drivers import DRIVER_LABELS
from locks.models import DriverAccount

# A call names at most this many doors (a building's doors for one guest are a handful).
MAX_DEVICES_PER_CALL = 100

# --- input -------------------------------------------------------------------------------------


class AccessCodeCreateMultipleInput(WindowInput):
    device_ids = ManyOf(child=Text(max_length=100), min_length=1, max_length=MAX_DEVICES_PER_CALL)
    behavior_when_code_cannot_be_shared = serializers.ChoiceField(
        choices=[THROW, CREATE_RANDOM_CODE], required=False, default=THROW
    )
    preferred_code_length = serializers.IntegerField(required=False, min_value=1, max_value=12)
    use_backup_access_code_pool = serializers.BooleanField(required=False)
    # Seam's switch to program a lock that is offline; a write here always waits for the lock.
    attempt_for_offline_device = serializers.BooleanField(required=False)


class AccessCodeUpdateMultipleInput(Input):
    common_code_key = Text(max_length=100)
    name = Text(required=False, allow_blank=True, max_length=200)
    starts_at = serializers.DateTimeField(required=False, allow_null=True)
    ends_at = serializers.DateTimeField(required=False, allow_null=True)


class UnmanagedUpdateInput(Input):
    access_code_id = Text()
    is_managed = serializers.BooleanField()
    allow_external_modification = serializers.BooleanField(required=False)
    is_external_modification_allowed = serializers.BooleanField(required=False)
    # Seam's switch to take a code over from another workspace; there is only one owner here.
    force = serializers.BooleanField(required=False)


class EventGetInput(Input):
    event_id = Text(required=False)
    device_id = Text(required=False)
    event_type = Text(required=False)

    def validate(self, attrs):
        if not any(attrs.get(k) for k in ("event_id", "device_id", "event_type")):
            raise serializers.ValidationError("Give event_id, or device_id or event_type.")
        return attrs


class ActionAttemptListInput(PageInput):
    action_attempt_ids = ManyOf(child=Text(), required=False, max_length=100)
    device_id = Text(required=False)


class DeviceUpdateInput(Input):
    device_id = Text()
    name = Text(required=False, allow_null=True, max_length=200)
    custom_metadata = serializers.JSONField(
        required=False,
        help_text='Key/values to set (a string or a boolean) or remove (null or ""): '
        "at most 50 keys of up to 40 characters, without a period.",
    )
    backup_access_code_pool_enabled = serializers.BooleanField(required=False)
    is_managed = serializers.BooleanField(required=False)
    # Seam's `properties: {name}`; `name` wins.
    properties = serializers.JSONField(required=False)


class ConnectedAccountListInput(PageInput):
    custom_metadata_has = serializers.JSONField(required=False)
    search = Text(required=False, allow_blank=True)


class ConnectedAccountGetInput(Input):
    connected_account_id = Text(required=False)
    email = Text(required=False)

    def validate(self, attrs):
        if not attrs.get("connected_account_id") and not attrs.get("email"):
            raise serializers.ValidationError("Give connected_account_id or email.")
        return attrs


# --- output ------------------------------------------------------------------------------------


class ConnectedAccountSerializer(IssuesMixin):
    """A driver account (a simulated hub, a Seam workspace) as Seam's connected account."""

    issue_flag = "connected_account"

    connected_account_id = serializers.CharField(source="pk")
    account_type = serializers.CharField(source="driver")
    account_type_display_name = serializers.SerializerMethodField()
    display_name = serializers.CharField(source="name")
    user_identifier = serializers.SerializerMethodField()
    accepted_capabilities = serializers.SerializerMethodField()
    automatically_manage_new_devices = serializers.SerializerMethodField()
    custom_metadata = serializers.SerializerMethodField()
    customer_key = serializers.SerializerMethodField()
    image_url = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    def get_account_type_display_name(self, account: DriverAccount) -> str:
        return DRIVER_LABELS.get(account.driver, account.driver)

    def get_user_identifier(self, account: DriverAccount) -> dict | None:
        return None

    def get_accepted_capabilities(self, account: DriverAccount) -> list[str]:
        return ["lock"]

    def get_automatically_manage_new_devices(self, account: DriverAccount) -> bool:
        # Devices an account finds wait in the Devices inbox until someone registers them.
        return False

    def get_custom_metadata(self, account: DriverAccount) -> dict:
        return {}

    def get_customer_key(self, account: DriverAccount) -> str | None:
        return None

    def get_image_url(self, account: DriverAccount) -> str | None:
        return None
