"""The sample CSV file, made for the owner who downloads it: it imports as it is.

It names the owner's first property with units and two of its units, and dates to come at the
property (a week from today, or after the last stay booked there), so a manager can try the
import on their own data before exporting their spreadsheet. Without a property it is a static
example, which the import refuses with the words to add a property first.
"""

import csv
import io
from datetime import date, datetime, timedelta

from django.db.models import Max

from locks.models import Owner, Property, Unit
from reservations.models import Reservation

HEADER = [
    "unit",
    "property",
    "guest name",
    "phone",
    "email",
    "guests",
    "check-in",
    "check-out",
    "check-in time",
    "check-out time",
    "external id",
    "notes",
]
# The two example guests: name, phone, email, guests, nights, check-in and check-out time, notes.
GUESTS = [
    ("Anna Silva", "+351 912 345 678", "anna@example.com", "2", 2, "", "", "Late arrival"),
    ("Tom Becker", "+49 30 12345678", "", "1", 3, "13:00", "10:00", ""),
]
STATIC_UNITS = [("Room 101", "Seaside Hotel"), ("Room 102", "Seaside Hotel")]
LEAD_DAYS = 7  # the first example stay starts a week from today


def _write(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue()


def _free_from(unit: Unit, tz) -> date | None:
    """The day after the last stay booked in the unit ends, or None when none is."""
    last = Reservation.objects.filter(
        unit=unit, status=Reservation.Status.CONFIRMED, checked_out_at__isnull=True
    ).aggregate(last=Max("check_out"))["last"]
    return last.astimezone(tz).date() + timedelta(days=1) if last else None


def _rows(prop: Property, units: list[Unit], today: date) -> list[list[str]]:
    tz = prop.tz
    rows = []
    next_free = {unit.pk: _free_from(unit, tz) for unit in units}
    for number, guest in enumerate(GUESTS):
        name, phone, email, guests, nights, in_time, out_time, notes = guest
        unit = units[number % len(units)]
        first = max(today + timedelta(days=LEAD_DAYS), next_free[unit.pk] or today)
        last = first + timedelta(days=nights)
        next_free[unit.pk] = last + timedelta(days=1)  # the next example in this unit follows
        rows.append(
            [
                unit.name,
                prop.name,
                name,
                phone,
                email,
                guests,
                first.isoformat(),
                last.isoformat(),
                in_time,
                out_time,
                # Its own id, so an earlier import of the sample is not updated instead.
                f"SAMPLE-{first:%Y%m%d}-{number + 1}",
                notes,
            ]
        )
    return rows


def _static() -> str:
    rows = []
    for (unit, prop), guest in zip(STATIC_UNITS, GUESTS, strict=True):
        name, phone, email, guests, nights, in_time, out_time, notes = guest
        first = date(2026, 7, 10)
        last = first + timedelta(days=nights)
        rows.append(
            [unit, prop, name, phone, email, guests, first.isoformat(), last.isoformat()]
            + [in_time, out_time, f"BK-100{len(rows) + 1}", notes]
        )
    return _write(rows)


def sample_csv(*, owner: Owner, now: datetime) -> str:
    """The sample file's text for `owner`: their own property and units when they have some."""
    prop = Property.objects.filter(owner=owner, units__isnull=False).distinct().first()
    if prop is None:
        return _static()
    units = list(Unit.objects.filter(property=prop)[: len(GUESTS)])
    return _write(_rows(prop, units, now.astimezone(prop.tz).date()))
