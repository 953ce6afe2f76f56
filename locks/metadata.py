"""A caller's own key/values on a lock (Seam's `custom_metadata`): their rules, storing, filtering.

Seam's limits: at most 50 keys, each up to 40 characters and without a period; a value is a
string or a boolean (strings up to 500 characters, ours); setting a key to null or to an empty
string removes it.
"""

from django.db.models import Q, QuerySet
from django.db.models.fields.json import KeyTransform

from locks.errors import ServiceError
from locks.models import Lock

MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500


def _check_key(key, field: str) -> None:
    if not isinstance(key, str) or not key:
        raise ServiceError("A custom_metadata key must be a non-empty string.", field=field)
    if len(key) > MAX_KEY_LENGTH:
        raise ServiceError(
            f"The custom_metadata key “{key[:MAX_KEY_LENGTH]}…” is longer than "
            f"{MAX_KEY_LENGTH} characters; shorten it.",
            field=field,
        )
    if "." in key:
        raise ServiceError(
            f"The custom_metadata key “{key}” contains a period, which keys cannot; "
            "use another character, e.g. an underscore.",
            field=field,
        )


def custom_metadata_merged(current: dict, changes) -> dict:
    """`current` with `changes` applied (null or "" removes a key), or a ServiceError saying
    what to fix; nothing is saved."""
    field = "custom_metadata"
    if not isinstance(changes, dict):
        raise ServiceError(
            'custom_metadata must be an object of key/values, e.g. {"listing_id": "L-12"}.',
            field=field,
        )
    merged = dict(current)
    for key, value in changes.items():
        _check_key(key, field)
        if value is None or value == "":
            merged.pop(key, None)
        elif isinstance(value, bool):
            merged[key] = value
        elif isinstance(value, str):
            if len(value) > MAX_VALUE_LENGTH:
                raise ServiceError(
                    f"The custom_metadata value of “{key}” is longer than {MAX_VALUE_LENGTH} "
                    "characters; shorten it.",
                    field=field,
                )
            merged[key] = value
        else:
            raise ServiceError(
                f"The custom_metadata value of “{key}” must be a string or a boolean "
                f"(true/false), not {type(value).__name__}; send a number as a string.",
                field=field,
            )
    if len(merged) > MAX_KEYS:
        raise ServiceError(
            f"A device holds at most {MAX_KEYS} custom_metadata keys; this would make "
            f"{len(merged)}. Remove some (set them to null) first.",
            field=field,
        )
    return merged


def lock_custom_metadata_update(*, lock: Lock, changes: dict) -> Lock:
    """Set or remove the lock's custom_metadata keys in `changes`; the others stay."""
    lock.custom_metadata = custom_metadata_merged(lock.custom_metadata or {}, changes)
    lock.save(update_fields=["custom_metadata"])
    return lock


def custom_metadata_filtered(locks: QuerySet[Lock], has) -> QuerySet[Lock]:
    """The locks whose custom_metadata holds every pair of `has`: null asks for a key that is
    unset, an empty string leaves the key out of the filter. A query string cannot tell `true`
    from "true", so those words match the boolean and the string alike.

    Each key is read as data (an alias of its own): `custom_metadata__<key>` would read a key
    like `a__gt` as a lookup."""
    field = "custom_metadata_has"
    if not isinstance(has, dict):
        raise ServiceError(
            'custom_metadata_has must be an object of key/values, e.g. {"listing_id": "L-12"}.',
            field=field,
        )
    for n, (key, value) in enumerate(has.items()):
        _check_key(key, field)
        alias = f"custom_metadata_{n}"
        if value is None:
            locks = locks.exclude(custom_metadata__has_key=key)
        elif value == "":
            continue
        elif isinstance(value, bool) or value in ("true", "false"):
            flag = value if isinstance(value, bool) else value == "true"
            locks = locks.alias(**{alias: KeyTransform(key, "custom_metadata")}).filter(
                Q(**{alias: flag}) | Q(**{alias: str(flag).lower()})
            )
        elif isinstance(value, str):
            locks = locks.alias(**{alias: KeyTransform(key, "custom_metadata")}).filter(
                **{alias: value}
            )
        else:
            raise ServiceError(
                f"The custom_metadata_has value of “{key}” must be a string, a boolean or null.",
                field=field,
            )
    return locks
