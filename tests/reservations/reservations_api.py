"""Helpers for the reservations API tests: stays pushed as a PMS would, times at the hotel."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from locks.models import SimulatedDevice
from tests.locks.seam_api import api_key_for, call

LISBON = ZoneInfo("Europe/Lisbon")


@pytest.fixture
def key(owner, hotel):
    """An API key of Seaside Hotels, whose hotel is in Portugal (for phone numbers)."""
    hotel.country = "PT"
    hotel.save()
    return api_key_for(owner)


def next_year(month: int, day: int) -> date:
    """A day that stays in the future however long these tests live."""
    return date(timezone.now().year + 1, month, day)


def lisbon(day: date, hour: int, minute: int = 0) -> str:
    """A wall-clock time in Lisbon, as the API writes it (UTC, with Z)."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LISBON)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def in_minutes(minutes: int) -> datetime:
    return timezone.now() + timedelta(minutes=minutes)


def create(client, key, unit, **fields) -> tuple[int, dict]:
    """reservations/create with a stay next July unless told otherwise."""
    body = {
        "unit_id": unit.pk,
        "guest_name": "Anna Smith",
        "check_in": next_year(7, 1).isoformat(),
        "check_out": next_year(7, 4).isoformat(),
        **fields,
    }
    return call(client, "POST", "reservations/create", key, body)


def created(client, key, unit, **fields) -> dict:
    status, body = create(client, key, unit, **fields)
    assert status == 200, body
    return body["reservation"]


def booked(client, key, unit, first_day: date, last_day: date, **fields) -> dict:
    """A stay created from `first_day` to `last_day`, at the property's usual times."""
    days = {"check_in": first_day.isoformat(), "check_out": last_day.isoformat()}
    return created(client, key, unit, **days, **fields)


def update(client, key, stay: dict, **fields) -> tuple[int, dict]:
    """reservations/update (PATCH) of the stay, with these fields."""
    return call(
        client,
        "PATCH",
        "reservations/update",
        key,
        {"reservation_id": stay["reservation_id"], **fields},
    )


def pins_on(lock) -> set[str]:
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    return set(device.codes.values_list("code", flat=True))
