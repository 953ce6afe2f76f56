"""What a database dump gives away: every text value of every row, searched for PINs and secrets.

A PIN is looked for as a value of its own (`4827` in "Your PIN is 4827." or `"code": "4827"`,
not the `2026` of a timestamp nor digits inside an id), so a 4-digit PIN does not turn up by
chance in a big dump. Values are also searched once decoded (base64, zlib: the task queue's
payloads, pickled fields), where a PIN would still be one step from readable.
"""

import base64
import binascii
import json
import re
import zlib

from django.db import connection

# Timestamps, dates and UUIDs are digits too; a PIN is never found inside one.
NOT_A_PIN = re.compile(
    r"\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?"
    r"|[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"
)


# Schema, not data: migration names ("0023_encrypted_secrets") start with 4 digits, which a
# random 4-digit PIN of the day matches now and then.
SCHEMA_TABLES = {"django_migrations"}


def database_values() -> list[tuple[str, str]]:
    """(table, value) for every text or JSON value of every row of every table but the schema's,
    read through the test's own connection (so it sees the test's uncommitted rows, as a dump
    would)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            if table in SCHEMA_TABLES:
                continue
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    text = _text(value)
                    if text:
                        found.append((table, text))
    return found


def raw_dump() -> str:
    """The whole database as text: SQLite's .dump, or PostgreSQL's COPY of every table."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return "\n".join(connection.connection.iterdump())
    lines = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            with cursor.connection.cursor().copy(
                f"COPY {connection.ops.quote_name(table)} TO STDOUT"
            ) as copy:
                lines.extend(bytes(block).decode() for block in copy)
    return "".join(lines)


def _text(value) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, dict | list):
        return json.dumps(value)
    return ""  # numbers, dates, booleans: no PIN is stored as one


def _decoded(text: str) -> list[str]:
    """The text, and what its base64 parts decode to (and decompress to, when compressed)."""
    layers = [text]
    for part in re.findall(r"[A-Za-z0-9+/=_.-]{16,}", text):
        try:
            raw = base64.urlsafe_b64decode(part.lstrip(".") + "=" * (-len(part) % 4))
        except (binascii.Error, ValueError):
            try:
                raw = base64.b64decode(part + "=" * (-len(part) % 4))
            except (binascii.Error, ValueError):
                continue
        for data in (raw, _inflated(raw)):
            if data:
                layers.append(data.decode("latin-1"))
    return layers


def _inflated(raw: bytes) -> bytes:
    try:
        return zlib.decompress(raw)
    except zlib.error:
        return b""


def _pin_pattern(pins: set[str]) -> re.Pattern:
    either = "|".join(sorted((re.escape(p) for p in pins), key=len, reverse=True))
    return re.compile(rf"(?<![0-9A-Za-z])({either})(?![0-9A-Za-z])")


def pins_shown(text: str, pins: set[str]) -> set[str]:
    """The PINs that stand in `text` (or in what it decodes to) as values of their own."""
    if not pins:
        return set()
    pattern = _pin_pattern(pins)
    return {m for layer in _decoded(text) for m in pattern.findall(NOT_A_PIN.sub(" ", layer))}


def shows_secret(text: str, secret: str) -> bool:
    return any(secret in layer for layer in _decoded(text))


def leaks(values: list[tuple[str, str]], *, pins: set[str], secrets: set[str]) -> list[str]:
    """Where each PIN or secret shows (table and which one, never the value itself)."""
    found = set()
    pattern = _pin_pattern(pins) if pins else None
    for table, text in values:
        layers = _decoded(text)
        if pattern is not None:
            for layer in layers:
                for pin in pattern.findall(NOT_A_PIN.sub(" ", layer)):
                    found.add(f"{table}: a PIN ({len(pin)} digits)")
        for secret in secrets:
            if any(secret in layer for layer in layers):
                found.add(f"{table}: a secret ({secret[:4]}…)")
    return sorted(found)
