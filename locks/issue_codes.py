"""Seam's error and warning codes, named once.

Errors and warnings on access codes and devices (`errors`/`warnings`, see
`locks.models.HasIssues`) use Seam's own codes, so the API speaks Seam's dialect and people
read one vocabulary. Older names Seam still sends sit next to the current ones. The last block
holds the error types of Seam's HTTP API that the Seam driver reads (an error answer's `type`).
"""

# --- on an access code: errors ------------------------------------------------------------------
FAILED_TO_SET_ON_DEVICE = "failed_to_set_on_device"
FAILED_TO_REMOVE_FROM_DEVICE = "failed_to_remove_from_device"
DUPLICATE_CODE_ON_DEVICE = "duplicate_code_on_device"
NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE = "no_space_for_access_code_on_device"
CONFLICTING_EXTERNAL_MODIFICATION = "conflicting_external_modification"
CODE_MODIFIED_EXTERNAL_TO_SEAM = "code_modified_external_to_seam"  # older name of the above
CODE_CONSTRAINTS_VIOLATED = "code_constraints_violated"
PROVIDER_ISSUE = "provider_issue"

# --- on an access code: warnings ----------------------------------------------------------------
DELAY_IN_SETTING_ON_DEVICE = "delay_in_setting_on_device"
DELAY_IN_SETTING_CODE_ON_DEVICE = "delay_in_setting_code_on_device"  # older name of the above
EXTERNAL_MODIFICATION_IN_EFFECT = "external_modification_in_effect"
USING_BACKUP_ACCESS_CODE = "using_backup_access_code"
BEING_DELETED = "being_deleted"
TIME_FRAME_ADJUSTED_FOR_UNKNOWN_TIME_ZONE = "time_frame_adjusted_for_unknown_time_zone"
UNKNOWN_ISSUE_WITH_ACCESS_CODE = "unknown_issue_with_access_code"

# --- on a device (a lock) or its account: errors ------------------------------------------------
DEVICE_DISCONNECTED = "device_disconnected"
DEVICE_OFFLINE = "device_offline"  # older name of the above
HUB_DISCONNECTED = "hub_disconnected"
DEVICE_REMOVED = "device_removed"
ACCOUNT_DISCONNECTED = "account_disconnected"
EMPTY_BACKUP_ACCESS_CODE_POOL = "empty_backup_access_code_pool"

# --- on a device: warnings ----------------------------------------------------------------------
MAX_ACCESS_CODES_REACHED = "max_access_codes_reached"
PARTIAL_BACKUP_ACCESS_CODE_POOL = "partial_backup_access_code_pool"
MANY_ACTIVE_BACKUP_CODES = "many_active_backup_codes"

# --- error types of Seam's HTTP API (what the Seam driver maps to the codes above) --------------
DEVICE_NOT_FOUND = "device_not_found"
ACCESS_CODE_NOT_FOUND = "access_code_not_found"
ACTION_ATTEMPT_NOT_FOUND = "action_attempt_not_found"
ACTION_ATTEMPTS_NOT_FOUND = "action_attempts_not_found"  # none of a list's ids
EVENT_NOT_FOUND = "event_not_found"
CONNECTED_ACCOUNT_NOT_FOUND = "connected_account_not_found"
DUPLICATE_ACCESS_CODE = "duplicate_access_code"
INVALID_CODE = "invalid_code"
INVALID_CODE_LENGTH = "invalid_code_length"

# Errors the lock gives for a PIN itself: sending it again cannot help until the PIN changes.
PIN_ERRORS = frozenset({CODE_CONSTRAINTS_VIOLATED, DUPLICATE_CODE_ON_DEVICE})
# Errors that say the lock (or its account) cannot be reached, as opposed to a refused write.
LOCK_UNREACHABLE_ERRORS = frozenset(
    {DEVICE_DISCONNECTED, DEVICE_OFFLINE, HUB_DISCONNECTED, DEVICE_REMOVED, ACCOUNT_DISCONNECTED}
)
