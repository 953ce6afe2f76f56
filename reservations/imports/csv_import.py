"""Reservations from a spreadsheet (CSV), for owners moving to Innkeeper.

`csv_preview` reads the whole file and says, row by row, what an import would do, writing
nothing. `csv_import_row` then imports one previewed row, all or nothing. Dates and times are the
property's local time; a stay is matched to an earlier import by its external id.
"""

import csv
import io
import re
from datetime import date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from locks.errors import ServiceError
from locks.models import Owner, Unit
from locks.times import stay_bounds
from locks.words import local_time
from reservations.imports import file_kind
from reservations.models import Reservation
from reservations.phones import phone_normalize
from reservations.stays import reservation_create, reservation_update

MAX_FILE_BYTES = 1024 * 1024
MAX_ROWS = 2000
BATCH = 25  # rows imported per request, between two updates of the progress bar

# Column names people use, written lower-case without spaces or punctuation.
COLUMNS = {
    "unit": {
        "unit",
        "unitname",
        "room",
        "roomname",
        "roomnumber",
        "roomno",
        "apartment",
        "listing",
    },
    "property": {"property", "propertyname", "hotel", "building"},
    "guest_name": {"guestname", "guest", "name", "fullname", "customer", "customername"},
    "phone": {"phone", "phonenumber", "mobile", "mobilephone", "mobilenumber", "telephone", "tel"},
    "email": {"email", "emailaddress", "mail"},
    "guests": {"guests", "numberofguests", "noofguests", "guestcount", "pax", "people", "persons"},
    "check_in": {"checkin", "checkindate", "arrival", "arrivaldate", "from", "startdate", "start"},
    "check_out": {"checkout", "checkoutdate", "departure", "departuredate", "to", "enddate", "end"},
    "check_in_time": {"checkintime", "arrivaltime"},
    "check_out_time": {"checkouttime", "departuretime"},
    "external_id": {
        "externalid",
        "id",
        "reference",
        "ref",
        "bookingid",
        "bookingreference",
        "bookingref",
        "bookingnumber",
        "reservationid",
        "reservationnumber",
        "confirmationcode",
    },
    "notes": {"notes", "note", "comments", "comment", "remarks"},
    "language": {"language", "lang", "guestlanguage", "locale"},
}
REQUIRED = {
    "unit": "unit (or room)",
    "guest_name": "guest name",
    "check_in": "check-in (or arrival)",
    "check_out": "check-out (or departure)",
}
NO_UNITS = (
    "There is no property with units yet, so there is nowhere to import stays to. Add a "
    "property and its units in Settings → Properties first, then upload the file again."
)
ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
NUMERIC_DAY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$")
_UNREADABLE = "The file could not be read as CSV. Export the spreadsheet as CSV and try again."
CLOCK = re.compile(r"^(\d{1,2})[:.h](\d{2})(?::\d{2})?$")


def _key(header: str) -> str:
    return re.sub(r"[^a-z0-9]", "", header.lower())


def _text(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # Excel on Windows


def _read(data: bytes) -> tuple[dict[str, int], list[tuple[int, list[str]]]]:
    """The file's columns (our name → position) and its non-empty rows with their line numbers."""
    if not file_kind.is_csv(data):
        raise ServiceError(file_kind.NOT_CSV)
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    # Spreadsheets in much of Europe separate with semicolons.
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise ServiceError(
            "The file is empty. Export the spreadsheet as CSV and try again."
        ) from None
    except csv.Error:
        raise ServiceError(_UNREADABLE) from None
    columns = {}
    for position, name in enumerate(header):
        for field, aliases in COLUMNS.items():
            if _key(name) in aliases and field not in columns:
                columns[field] = position
    missing = [words for field, words in REQUIRED.items() if field not in columns]
    if missing:
        raise ServiceError(
            f"The file has no column for the {', '.join(missing)}. Name the first row's columns "
            "as in the sample file."
        )
    try:
        rows = [(reader.line_num, row) for row in reader if any(cell.strip() for cell in row)]
    except csv.Error:
        raise ServiceError(_UNREADABLE) from None
    if len(rows) > MAX_ROWS:
        raise ServiceError(
            f"The file has {len(rows):,} reservations; import at most {MAX_ROWS:,} at a time. "
            "Split it into smaller files."
        )
    if not rows:
        raise ServiceError("The file has column names but no reservations under them.")
    return columns, rows


def _day(raw: str, us_style: bool) -> date:
    raw = raw.strip()
    if found := ISO_DAY.match(raw):
        year, month, day = (int(part) for part in found.groups())
    elif found := NUMERIC_DAY.match(raw):
        first, second, year = (int(part) for part in found.groups())
        year += 2000 if year < 100 else 0
        month, day = (first, second) if us_style else (second, first)
    else:
        raise ValueError
    return date(year, month, day)


def _clock(raw: str) -> time | None:
    raw = raw.strip()
    if not raw:
        return None
    found = CLOCK.match(raw)
    if not found:
        raise ValueError
    return time(int(found.group(1)), int(found.group(2)))


def _split(cell: str) -> tuple[str, str]:
    """A day and a time from one cell ("2026-06-10 15:00"), or the day alone."""
    parts = cell.strip().replace("T", " ").split(maxsplit=1)
    return (parts[0] if parts else ""), (parts[1] if len(parts) > 1 else "")


class _Row:
    """One line of the file as it is being checked."""

    def __init__(self, line: int, cells: list[str], columns: dict[str, int]):
        self.line = line
        self.cells = {
            field: cells[position].strip() if position < len(cells) else ""
            for field, position in columns.items()
        }

    def get(self, field: str) -> str:
        return self.cells.get(field, "")


class _Units:
    """The owner's units, found by name (and property name, where names repeat)."""

    def __init__(self, owner: Owner):
        self.by_name: dict[str, list[Unit]] = {}
        for unit in Unit.objects.filter(property__owner=owner).select_related("property"):
            self.by_name.setdefault(_key(unit.name), []).append(unit)

    def find(self, name: str, property_name: str) -> Unit:
        units = self.by_name.get(_key(name), [])
        if property_name:
            units = [u for u in units if _key(u.property.name) == _key(property_name)]
        if len(units) == 1:
            return units[0]
        if not units:
            where = f" at {property_name}" if property_name else ""
            raise ServiceError(
                f"There is no unit called “{name}”{where}. Write the unit's name as it is in "
                "Innkeeper."
            )
        names = " and ".join(sorted(u.property.name for u in units))
        raise ServiceError(f"“{name}” is a unit of {names}. Add a property column to say which.")


def csv_preview(*, owner: Owner, data: bytes, now: datetime) -> list[dict]:
    """What importing the file would do, row by row. Writes nothing.

    Each row: `line`, `action` (create, update, unchanged, skip, error), `message`, what to show
    (`unit`, `guest`, `when`), and `data` for `csv_import_row`.
    """
    columns, lines = _read(data)
    units = _Units(owner)
    if not units.by_name:
        raise ServiceError(NO_UNITS)
    rows = [_Row(line, cells, columns) for line, cells in lines]
    ids = {r.get("external_id") for r in rows} - {""}
    existing = {
        r.external_id: r
        for r in Reservation.objects.filter(
            owner=owner, source=Reservation.Source.CSV, external_id__in=ids
        )
    }
    booked = _booked(owner, now)
    first_line_of: dict[str, int] = {}
    previews = []
    for row in rows:
        try:
            preview = _check(row, units, existing, booked, first_line_of, now)
        except ServiceError as exc:
            preview = {"action": "error", "message": exc.message, "unit": row.get("unit")}
        preview.setdefault("guest", row.get("guest_name"))
        preview.setdefault("when", f"{row.get('check_in')} → {row.get('check_out')}")
        preview.setdefault("message", "")
        previews.append({"line": row.line, **preview})
    return previews


def _booked(owner: Owner, now: datetime) -> dict[int, list[list]]:
    """Confirmed stays not over yet, per unit: [check-in, check-out, guest, reservation id]."""
    booked: dict[int, list[list]] = {}
    stays = Reservation.objects.filter(
        owner=owner,
        status=Reservation.Status.CONFIRMED,
        checked_out_at__isnull=True,
        check_out__gt=now,
    ).values_list("unit_id", "check_in", "check_out", "guest_name", "pk")
    for unit_id, check_in, check_out, guest, pk in stays:
        booked.setdefault(unit_id, []).append([check_in, check_out, guest, str(pk)])
    return booked


def _check(row, units, existing, booked, first_line_of, now) -> dict:
    if not row.get("unit"):
        raise ServiceError("The unit is missing. Write the unit's name, e.g. Room 101.")
    unit = units.find(row.get("unit"), row.get("property"))
    prop = unit.property
    shown = {"unit": unit.label}
    guest_name = row.get("guest_name")
    if not guest_name:
        raise ServiceError("The guest's name is missing.")
    check_in, check_out = _stay(row, prop)
    tz = prop.tz
    shown["when"] = f"{local_time(check_in, tz)} → {local_time(check_out, tz)}"
    if check_out <= now:
        return {
            **shown,
            "action": "skip",
            "message": "This stay is over, so it is not imported.",
        }
    phone = phone_normalize(row.get("phone"), country=prop.country)
    email = row.get("email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ServiceError(f"“{email}” is not an email address.") from None
    # None when the file has no language column: a stay's language is then left as it is.
    language = _language(row.get("language")) if "language" in row.cells else None
    guests_raw = row.get("guests") or "1"
    if not guests_raw.isdigit() or int(guests_raw) < 1:
        raise ServiceError(f"“{guests_raw}” is not a number of guests; write a number, e.g. 2.")
    external_id = row.get("external_id")[:255]
    if external_id in first_line_of:
        raise ServiceError(
            f"The external id “{external_id}” is on line {first_line_of[external_id]} already. "
            "Each reservation needs its own."
        )
    data = {
        "unit_id": unit.pk,
        "guest_name": guest_name[:200],
        "phone": phone,
        "email": email,
        "guests": int(guests_raw),
        "check_in": check_in.isoformat(),
        "check_out": check_out.isoformat(),
        "external_id": external_id,
        "notes": row.get("notes"),
        "language": language,
    }
    earlier = existing.get(external_id) if external_id else None
    if earlier is not None and (not earlier.is_confirmed or earlier.checked_out_at):
        state = "cancelled" if not earlier.is_confirmed else "over"
        raise ServiceError(
            f"The reservation “{external_id}” is {state} in Innkeeper, so an import does not "
            "change it. Remove the line or give it a new id."
        )
    clash = _clash(booked.get(unit.pk, []), check_in, check_out, earlier)
    if clash:
        raise ServiceError(
            f"{unit.name} is already booked by {clash[2]} from {local_time(clash[0], tz)} to "
            f"{local_time(clash[1], tz)}. Fix the dates or the unit."
        )
    if external_id:
        first_line_of[external_id] = row.line
    # Later lines of the file must not overlap this one either.
    booked.setdefault(unit.pk, []).append(
        [check_in, check_out, f"{guest_name} (line {row.line} of this file)", ""]
    )
    if earlier is None:
        return {**shown, "action": "create", "data": data}
    changes = _changes(earlier, data)
    if not changes:
        return {**shown, "action": "unchanged", "message": "Already in Innkeeper as it is here."}
    return {
        **shown,
        "action": "update",
        "message": f"Changes {', '.join(sorted(changes)).replace('_', ' ')}.",
        "data": data,
    }


def _stay(row, prop) -> tuple[datetime, datetime]:
    us_style = prop.country.upper() == "US"
    in_day, in_clock = _split(row.get("check_in"))
    out_day, out_clock = _split(row.get("check_out"))
    try:
        first = _day(in_day, us_style)
    except ValueError:
        raise ServiceError(_bad_day("check-in", row.get("check_in"), us_style)) from None
    try:
        last = _day(out_day, us_style)
    except ValueError:
        raise ServiceError(_bad_day("check-out", row.get("check_out"), us_style)) from None
    try:
        in_time = _clock(row.get("check_in_time") or in_clock)
        out_time = _clock(row.get("check_out_time") or out_clock)
    except ValueError:
        raise ServiceError("A time could not be read; write times as 15:00.") from None
    check_in, check_out = stay_bounds(prop, first, last, in_time, out_time)
    if check_out <= check_in:
        raise ServiceError("The check-out is not after the check-in. Check the two dates.")
    return check_in, check_out


def _language(raw: str) -> str:
    """A guest language code (pt, pt-BR, PT) or its name (Português); empty: the default."""
    text = raw.strip().lower().replace("_", "-")
    if not text:
        return ""
    for code, name in settings.GUEST_LANGUAGES:
        if text.split("-")[0] == code or text == name.lower():
            return code
    codes = ", ".join(code for code, _ in settings.GUEST_LANGUAGES)
    raise ServiceError(f"“{raw}” is not a guest language; write one of {codes}, or leave it empty.")


def _bad_day(which: str, raw: str, us_style: bool) -> str:
    if not raw:
        return f"The {which} date is missing."
    example = "07/31/2026" if us_style else "31/07/2026"
    return f"The {which} date “{raw}” could not be read. Write it as 2026-07-31 or {example}."


def _clash(stays: list[list], check_in, check_out, itself: Reservation | None) -> list | None:
    own = str(itself.pk) if itself else None
    for stay in stays:
        if stay[3] != own and stay[0] < check_out and stay[1] > check_in:
            return stay
    return None


def _changes(reservation: Reservation, data: dict) -> dict:
    changes = {k: v for k, v in _fields(data).items() if getattr(reservation, k) != v}
    if reservation.unit_id != data["unit_id"]:
        changes["unit"] = data["unit_id"]
    return changes


def _fields(data: dict) -> dict:
    fields = {
        "guest_name": data["guest_name"],
        "phone": data["phone"],
        "email": data["email"],
        "guests": data["guests"],
        "check_in": datetime.fromisoformat(data["check_in"]),
        "check_out": datetime.fromisoformat(data["check_out"]),
        "notes": data["notes"],
    }
    if data.get("language") is not None:
        fields["language"] = data["language"]
    return fields


def csv_import_row(*, owner: Owner, row: dict, now: datetime) -> str:
    """Import one previewed row, all or nothing: "created" or "updated". ServiceError when the
    row no longer fits (someone booked the unit since the preview, say)."""
    data = row["data"]
    unit = (
        Unit.objects.filter(pk=data["unit_id"], property__owner=owner)
        .select_related("property")
        .first()
    )
    if unit is None:
        raise ServiceError("Its unit no longer exists.")
    fields = _fields(data)
    with transaction.atomic():
        existing = None
        if data["external_id"]:
            existing = (
                Reservation.objects.select_for_update()
                .filter(owner=owner, source=Reservation.Source.CSV, external_id=data["external_id"])
                .select_related("owner", "unit__property")
                .first()
            )
        if existing is None:
            reservation_create(
                owner=owner,
                unit=unit,
                now=now,
                source=Reservation.Source.CSV,
                external_id=data["external_id"],
                refuse_overlap=True,
                **fields,
            )
            return "created"
        changes = _changes(existing, data)
        if "unit" in changes:
            changes["unit"] = unit
        if changes:
            reservation_update(reservation=existing, now=now, **changes)
        return "updated"
