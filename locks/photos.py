"""Arrival photos: the pictures a manager adds to a property's or a door's arrival instructions.

They are private (a door's photo shows the way in): stored under `MEDIA_ROOT` with a random
name, never served at a public URL; only the guest's page serves them, to the stay they belong to
(`messaging.guest_page`). An upload is taken as a photo only when its first bytes say it is a
JPEG, PNG, WebP or GIF picture, and it is served with that type alone.
"""

import uuid

from django.core.exceptions import ValidationError
from django.db import transaction

MAX_BYTES = 5 * 1024 * 1024

# The first bytes of each accepted kind, and the type it is served with.
_KINDS = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def _head(file) -> bytes:
    position = file.tell() if hasattr(file, "tell") else 0
    file.seek(0)
    head = file.read(16)
    file.seek(position)
    return head


def photo_kind(head: bytes) -> str | None:
    """The content type of a picture starting with `head`, or None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    for magic, content_type in _KINDS:
        if head.startswith(magic):
            return content_type
    return None


def photo_content_type(file) -> str | None:
    """The type to serve a stored photo with (None: not a picture after all)."""
    return photo_kind(_head(file))


def validate_photo(file) -> None:
    if getattr(file, "_committed", False):
        return  # stored already: checked when it was uploaded
    if file.size > MAX_BYTES:
        raise ValidationError("The photo is too large: use one under 5 MB.")
    if photo_kind(_head(file)) is None:
        raise ValidationError("That file is not a photo: use a JPEG, PNG, WebP or GIF picture.")


def photo_upload_to(instance, filename: str) -> str:
    """A random name: the uploaded one may say where the key is."""
    return f"arrival/{uuid.uuid4().hex}"


def photo_assign(instance, value) -> str:
    """Put `value` on `instance.arrival_photo`: a new upload, False to remove the photo, None or
    the stored file to keep it. Returns the name of the file it replaces ('' for none), for
    `photo_discard` once the instance is saved."""
    current = instance.arrival_photo.name or ""
    if value is None or value is True or getattr(value, "_committed", False):
        return ""
    instance.arrival_photo = "" if value is False else value
    return current


def photo_discard(instance, name: str) -> None:
    """Delete a replaced photo's file, once the change is saved."""
    if name:
        storage = instance.arrival_photo.storage
        transaction.on_commit(lambda: storage.delete(name))
