"""A booking site's calendar (iCal), fetched and read: the bookings it lists, in UTC.

A fetch that fails, or an answer that is not a calendar, is a `FeedError` with the reason in
words a front-desk person follows. Each event is read on its own: a bad one is skipped and
counted, never fatal for the rest.
"""

import re
import socket
import ssl
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import httpx
import icalendar
import phonenumbers

from locks import outbound
from locks.models import Property
from locks.times import local_to_utc, stay_bounds

FETCH_TIMEOUT = 15  # seconds; a feed that takes longer is tried again later
MAX_FEED_BYTES = 5 * 1024 * 1024  # years of bookings fit in far less

# Events that only say a night cannot be booked: Airbnb "Airbnb (Not available)", Vrbo
# "Blocked", Booking.com "CLOSED - Not available".
BLOCK = re.compile(r"\b(not available|unavailable|blocked|closed)\b", re.IGNORECASE)
# Summaries that name no guest ("Reserved"), or prefix the name ("Reserved - Jane Doe").
BOOKING_WORDS = re.compile(
    r"^\s*(reserved|reservation|booked|booking|confirmed)\b\s*[-–—:]?\s*", re.IGNORECASE
)
NAME_LINE = re.compile(r"^\s*(?:guest(?:\s*name)?|name)\s*:\s*(.+)$", re.IGNORECASE | re.MULTILINE)
PHONE_LINE = re.compile(
    r"^\s*([^:\n]*\b(?:phone|tel|telephone|mobile|cell)\b[^:\n]*):\s*(.+)$",
    re.IGNORECASE | re.MULTILINE,
)
LINK = re.compile(r"https?://\S+")


class FeedError(Exception):
    """A feed that cannot be read now, with the reason in words a front-desk person follows."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# --- fetching --------------------------------------------------------------------------------


def fetch(url: str) -> bytes:
    """The feed's bytes; FeedError for a timeout, an HTTP error, a page too large, or an address
    inside this server's own network (`locks.outbound`: checked at each connection, redirects'
    too)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FeedError("The feed's address must start with https:// (or http://).")
    host = parts.hostname or url
    headers = {"User-Agent": "Innkeeper calendar sync", "Accept": "text/calendar, */*"}
    try:
        with (
            outbound.client(
                url, timeout=FETCH_TIMEOUT, https_only=False, follow_redirects=True
            ) as http,
            http.stream("GET", url, headers=headers) as response,
        ):
            if response.status_code >= 400:
                raise FeedError(_http_error(response.status_code))
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > MAX_FEED_BYTES:
                raise FeedError(_too_large())
            data = b""
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_FEED_BYTES:
                    raise FeedError(_too_large())
    except outbound.HostNotFound:
        raise FeedError(
            f"No server called {host} could be found. Check the feed's address."
        ) from None
    except outbound.OutboundRefused as exc:
        raise FeedError(f"Innkeeper does not read feeds from there: {exc.message}.") from None
    except httpx.TimeoutException:
        raise FeedError(_network_error(TimeoutError(), host)) from None
    except httpx.TooManyRedirects:
        raise FeedError(
            f"{host} sent Innkeeper from address to address more than 5 times. Check that the "
            "address is the calendar's export link."
        ) from None
    except (httpx.RemoteProtocolError, httpx.ReadError):
        raise FeedError(
            f"The connection to {host} broke off while reading the feed. Innkeeper tries again "
            "later; nothing changes meanwhile."
        ) from None
    except httpx.TransportError as exc:
        raise FeedError(_network_error(_root_cause(exc), host)) from None
    return data


def _root_cause(exc: BaseException) -> BaseException:
    """The OS's own error under httpx's (a refused connection, a failed TLS handshake)."""
    while (exc.__cause__ or exc.__context__) is not None and not isinstance(
        exc, ConnectionRefusedError | ssl.SSLError | socket.gaierror
    ):
        exc = exc.__cause__ or exc.__context__
    return exc


def _too_large() -> str:
    return (
        f"The feed is larger than {MAX_FEED_BYTES // (1024 * 1024)} MB, which no booking "
        "calendar is. Check that the address is the calendar's export link."
    )


def _http_error(status: int) -> str:
    if status in (401, 403):
        return (
            f"The booking site refused to share the calendar (HTTP {status}). The link may have "
            "been reset: copy the export link again and add it as a new feed."
        )
    if status in (404, 410):
        return (
            f"The booking site says this calendar does not exist (HTTP {status}). The link may "
            "have been reset or the listing removed: copy the export link again."
        )
    if status >= 500:
        return (
            f"The booking site had a problem (HTTP {status}). Innkeeper tries again later; "
            "nothing changes meanwhile."
        )
    return f"The booking site answered with an error (HTTP {status}). Check the feed's address."


def _network_error(reason, host: str) -> str:
    if isinstance(reason, TimeoutError):
        return (
            f"{host} did not answer within {FETCH_TIMEOUT} seconds. Innkeeper tries again "
            "later; nothing changes meanwhile."
        )
    if isinstance(reason, socket.gaierror):
        return f"No server called {host} could be found. Check the feed's address."
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection. Innkeeper tries again later."
    if isinstance(reason, ssl.SSLError):
        return f"A secure connection to {host} failed. Check the feed's address."
    return f"Could not reach {host} ({reason}). Innkeeper tries again later."


# --- reading ---------------------------------------------------------------------------------


@dataclass
class FeedStay:
    """One booking as the feed tells it, in UTC."""

    uid: str
    check_in: datetime
    check_out: datetime
    guest_name: str  # '' when the feed names no guest
    phone: str  # E.164, or ''
    notes: str
    cancelled: bool
    sequence: int


@dataclass
class FeedRead:
    # Bookings not yet over, and cancellations, by UID (the last version of each).
    stays: dict[str, FeedStay] = field(default_factory=dict)
    # Every UID the feed still lists in some form: its stays are not "gone" from it.
    seen: set[str] = field(default_factory=set)
    # Why events were skipped, one line each.
    problems: list[str] = field(default_factory=list)

    @property
    def listed(self) -> int:
        """Bookings not yet over that the feed lists (cancellations aside)."""
        return sum(not stay.cancelled for stay in self.stays.values())


def read_calendar(data: bytes, *, prop: Property, now: datetime) -> FeedRead:
    """The bookings in an iCal file. FeedError when it is not a calendar at all."""
    text = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text[:15].upper().startswith(b"BEGIN:VCALENDAR"):
        if text[:200].lower().lstrip().startswith((b"<!doctype", b"<html", b"<?xml")):
            raise FeedError(
                "The address answered with a web page, not a calendar. Use the calendar's "
                "export link (it usually ends in .ics), not the listing's page."
            )
        raise FeedError(
            "The address did not answer with a calendar (.ics). Check that it is the "
            "calendar's export link."
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
    except ValueError:
        raise FeedError(
            "The calendar is damaged and could not be read. If this lasts, ask the booking "
            "site, or copy the export link again."
        ) from None
    read = FeedRead()
    for event in calendar.walk("VEVENT"):
        uid = str(event.get("UID") or "").strip()
        if not uid:
            read.problems.append(f"An event without an id ({_what(event)}) was skipped.")
            continue
        if "RRULE" in event or "RECURRENCE-ID" in event or BLOCK.search(_summary(event)):
            continue  # repeating entries and blocked nights are not bookings
        try:
            stay = _stay(event, uid, prop)
        except ValueError as exc:
            read.seen.add(uid)  # unreadable now, but listed: its stay is not gone
            read.problems.append(f"The event {_what(event)} was skipped: {exc}")
            continue
        read.seen.add(uid)
        if stay.check_out <= now:
            continue  # over: history is never rewritten
        earlier = read.stays.get(uid)
        if earlier is None or stay.sequence >= earlier.sequence:
            read.stays[uid] = stay
    return read


def _summary(event) -> str:
    return str(event.get("SUMMARY") or "").strip()


def _what(event) -> str:
    """An event as a person can find it in the booking site: its summary and start."""
    raw = event.get("DTSTART")
    start = raw.to_ical().decode(errors="replace") if hasattr(raw, "to_ical") else str(raw or "")
    return f"“{_summary(event) or 'no title'}” starting {start or 'on no date'}"


def _stay(event, uid: str, prop: Property) -> FeedStay:
    try:
        start, end = event.start, event.end
    except ValueError:
        raise ValueError("its dates could not be read") from None
    check_in, check_out = _bounds(start, end, prop)
    if check_out <= check_in:
        raise ValueError("it ends before it starts")
    description = str(event.get("DESCRIPTION") or "")
    phone, last_digits = _phone(description, prop.country)
    notes = [f"Phone (last 4 digits): {last_digits}"] if last_digits else []
    notes += [f"Booking: {link}" for link in LINK.findall(description)[:1]]
    try:
        sequence = int(event.get("SEQUENCE") or 0)
    except (TypeError, ValueError):
        sequence = 0
    return FeedStay(
        uid=uid[:255],
        check_in=check_in,
        check_out=check_out,
        guest_name=_guest_name(_summary(event), description),
        phone=phone,
        notes="\n".join(notes),
        cancelled=str(event.get("STATUS") or "").upper() == "CANCELLED",
        sequence=sequence,
    )


def _bounds(start, end, prop: Property) -> tuple[datetime, datetime]:
    if not isinstance(start, datetime):
        # All-day: the nights from the first day to the last, at the property's usual times.
        end_day = end.date() if isinstance(end, datetime) else end
        return stay_bounds(prop, start, end_day)
    if not isinstance(end, datetime):
        end = datetime.combine(end, prop.default_check_out)
    return _utc(start, prop.tz), _utc(end, prop.tz)


def _utc(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        return local_to_utc(value, tz)  # floating time, or a time zone nobody defined
    return value.astimezone(UTC)


def _guest_name(summary: str, description: str) -> str:
    name = BOOKING_WORDS.sub("", summary).strip(" -–—:()")
    if not name:
        found = NAME_LINE.search(description)
        name = found.group(1).strip() if found else ""
    return name[:200]


def _phone(description: str, country: str) -> tuple[str, str]:
    """A full phone number (E.164) and the last digits a site shares instead (Airbnb)."""
    for label, value in PHONE_LINE.findall(description):
        value = value.strip()
        digits = re.sub(r"\D", "", value)
        if "last" in label.lower() and len(digits) == 4:
            return "", digits
        try:
            number = phonenumbers.parse(value, country.upper() or None)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""
    return "", ""
