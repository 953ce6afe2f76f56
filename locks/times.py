"""Times are entered and shown in the property's local time and stored in UTC."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from locks.models import Property


def local_to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    """A wall-clock time at the property, as UTC.

    On the night the clocks go back a time happens twice: the first (summer-time) one is meant.
    On the night they go forward a skipped time is read as the same time after the jump (where
    02:00 becomes 03:00, 02:30 is read as 03:30), so a stay never starts before it was meant to.
    """
    aware = local.replace(tzinfo=tz, fold=0)
    round_trip = aware.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local:
        # A time that does not exist locally: move forward by the size of the gap.
        gap = aware.replace(fold=1).utcoffset() - aware.replace(fold=0).utcoffset()
        aware = (local + abs(gap)).replace(tzinfo=tz)
    return aware.astimezone(UTC)


def stay_bounds(
    prop: Property,
    check_in_day: date,
    check_out_day: date,
    check_in_time: time | None = None,
    check_out_time: time | None = None,
) -> tuple[datetime, datetime]:
    """Check-in and check-out as UTC, from local days and times (the property's defaults)."""
    tz = prop.tz
    start = datetime.combine(check_in_day, check_in_time or prop.default_check_in)
    end = datetime.combine(check_out_day, check_out_time or prop.default_check_out)
    return local_to_utc(start, tz), local_to_utc(end, tz)


def local_day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC interval of one local calendar day (23 or 25 hours long on DST days)."""
    start = local_to_utc(datetime.combine(day, time.min), tz)
    end = local_to_utc(datetime.combine(day + timedelta(days=1), time.min), tz)
    return start, end
