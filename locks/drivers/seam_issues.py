"""The errors and warnings Seam puts on an access code after taking it, in our own words.

Seam's messages are never passed on (they can quote the PIN): each code gets our sentence, and
one we do not know gets a general one. Older names Seam still sends are read as the current ones.
"""

import re

from locks.issue_codes import (
    BEING_DELETED,
    CODE_CONSTRAINTS_VIOLATED,
    CODE_MODIFIED_EXTERNAL_TO_SEAM,
    CONFLICTING_EXTERNAL_MODIFICATION,
    DELAY_IN_SETTING_CODE_ON_DEVICE,
    DELAY_IN_SETTING_ON_DEVICE,
    DUPLICATE_CODE_ON_DEVICE,
    EXTERNAL_MODIFICATION_IN_EFFECT,
    FAILED_TO_REMOVE_FROM_DEVICE,
    FAILED_TO_SET_ON_DEVICE,
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE,
    PROVIDER_ISSUE,
    TIME_FRAME_ADJUSTED_FOR_UNKNOWN_TIME_ZONE,
    UNKNOWN_ISSUE_WITH_ACCESS_CODE,
)

RENAMED = {
    CODE_MODIFIED_EXTERNAL_TO_SEAM: CONFLICTING_EXTERNAL_MODIFICATION,
    DELAY_IN_SETTING_CODE_ON_DEVICE: DELAY_IN_SETTING_ON_DEVICE,
}

ERROR_WORDS = {
    FAILED_TO_SET_ON_DEVICE: "Seam could not program this code on the lock; Seam keeps trying.",
    FAILED_TO_REMOVE_FROM_DEVICE: (
        "Seam could not remove this code from the lock; Seam keeps trying."
    ),
    DUPLICATE_CODE_ON_DEVICE: (
        "The lock already holds the same PIN (set outside Seam?); give this code another PIN."
    ),
    NO_SPACE_FOR_ACCESS_CODE_ON_DEVICE: "The lock has no free code slot for this code, Seam says.",
    CODE_CONSTRAINTS_VIOLATED: "The lock's rules do not allow this PIN, Seam says; change it.",
    CONFLICTING_EXTERNAL_MODIFICATION: (
        "Someone changed or removed this code at the lock, Seam says; Seam is putting it back."
    ),
    PROVIDER_ISSUE: "The lock maker's service failed for this code, Seam says; Seam keeps trying.",
}
WARNING_WORDS = {
    DELAY_IN_SETTING_ON_DEVICE: "Seam says programming this code is taking longer than usual.",
    "delay_in_removing_from_device": ("Seam says removing this code is taking longer than usual."),
    EXTERNAL_MODIFICATION_IN_EFFECT: "A change made at the lock is kept, Seam says.",
    BEING_DELETED: "Seam is deleting this code.",
    TIME_FRAME_ADJUSTED_FOR_UNKNOWN_TIME_ZONE: (
        "Seam adjusted this code's times: the lock's time zone is not known."
    ),
    UNKNOWN_ISSUE_WITH_ACCESS_CODE: "Seam reports an unknown problem with this code.",
}
# A code name Seam gives (snake case), safe to show; anything else is shown as neither.
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,80}$")


def code_issues(errors, warnings) -> tuple[tuple[dict, ...], tuple[dict, ...]]:
    """Seam's `errors` and `warnings` of one code (SDK objects or recorded dicts), as ours."""
    return (
        tuple(_issue(e, "error_code", ERROR_WORDS, "a problem") for e in errors),
        tuple(_issue(w, "warning_code", WARNING_WORDS, "a warning") for w in warnings),
    )


def _issue(entry, key: str, words: dict, what: str) -> dict:
    raw = entry.get(key) if isinstance(entry, dict) else getattr(entry, key, None)
    name = raw if isinstance(raw, str) and _NAME.match(raw) else UNKNOWN_ISSUE_WITH_ACCESS_CODE
    name = RENAMED.get(name, name)
    message = words.get(name) or f"Seam reports {what} with this code ({name.replace('_', ' ')})."
    return {key: name, "message": message}
