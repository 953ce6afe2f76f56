"""Guests' phone numbers, as Innkeeper keeps them (E.164)."""

import phonenumbers

from locks.errors import ServiceError


def phone_normalize(raw: str, *, country: str) -> str:
    """A phone number in E.164 (+351912345678); local numbers are read as `country`'s."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, country.upper() or None)
    except phonenumbers.NumberParseException:
        raise ServiceError(
            f"“{raw}” is not a phone number we can read. Write it in digits with its country "
            "code, e.g. +351 912 345 678.",
            field="phone",
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise ServiceError(
            f"“{raw}” is not a valid phone number. Check the digits and the country code.",
            field="phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
