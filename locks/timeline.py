"""A lock's codes over the next two weeks, as geometry for a server-drawn SVG.

The picture starts at the property's local midnight today, so day lines fall on local days
(a DST day is drawn 23 or 25 hours wide, as it is).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Case, Count, F, Q, Value, When, Window
from django.db.models.functions import Coalesce, Collate

from locks.models import AccessCode, Lock
from locks.selectors import codes_between, codes_listed
from locks.times import local_day_bounds
from locks.words import code_state, window

DAYS = 14
ROWS = 40  # past that, the picture names how many more codes the list holds
WIDTH = 800
HEADER = 30
ROW = 26
BAR = 18


@dataclass(frozen=True)
class Bar:
    code: AccessCode
    x: float
    y: float
    width: float
    tone: str
    label: str
    title: str
    ongoing: bool


@dataclass(frozen=True)
class DayMark:
    x: float
    label: str
    weekend: bool


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    bars: list[Bar]
    days: list[DayMark]
    now_x: float
    day_width: float
    more: int  # codes in these days not drawn (past `ROWS`)


def timeline_span(lock: Lock, now: datetime, days: int = DAYS) -> tuple[datetime, datetime]:
    """From the property's local midnight today to the end of its `days`-th day."""
    tz: ZoneInfo = lock.property.tz
    today = now.astimezone(tz).date()
    return local_day_bounds(today, tz)[0], local_day_bounds(today + timedelta(days=days - 1), tz)[1]


def timeline_codes(lock: Lock, now: datetime, days: int = DAYS) -> tuple[list[AccessCode], int]:
    """The lock's codes (its backups aside) that meet the timeline's days, the first `ROWS` in
    the order it draws them (`lock_timeline`'s), and how many meet them in all: a shared
    entrance holds a code for every stay behind it, and only those drawn are loaded."""
    start, end = timeline_span(lock, now, days)
    # Python's order of names is their code points': PostgreSQL's "C" collation (SQLite's own).
    name = Collate(F("name"), "C") if connection.vendor == "postgresql" else F("name")
    found = list(
        codes_listed(lock)
        .filter(codes_between(start, end))
        .annotate(meeting_days=Window(Count("pk")))
        .order_by(
            Case(When(type=AccessCode.Type.ONGOING, then=Value(0)), default=Value(1)),
            Coalesce("starts_at", Value(start)),
            name,
            # then as `codes_listed`, whose order the sort in `lock_timeline` keeps for ties
            Case(When(~Q(errors=[]), then=Value(0)), default=Value(1)),
            F("starts_at").asc(nulls_first=True),
            "pk",
        )[:ROWS]
    )
    return found, (found[0].meeting_days if found else 0)


def lock_timeline(
    lock: Lock, codes: list[AccessCode], now: datetime, days: int = DAYS, *, others: int = 0
) -> Timeline:
    """The bars of `codes` that fall in the next `days`: the first `ROWS` by start. `others`:
    codes meeting these days that were not passed (they come after those passed)."""
    tz: ZoneInfo = lock.property.tz
    today = now.astimezone(tz).date()
    start, end = timeline_span(lock, now, days)
    span = (end - start).total_seconds()

    def x_of(moment: datetime) -> float:
        clipped = min(max(moment, start), end)
        return round((clipped - start).total_seconds() / span * WIDTH, 1)

    shown = [
        c
        for c in codes
        if c.type == AccessCode.Type.ONGOING or (c.ends_at > start and c.starts_at < end)
    ]
    # `timeline_codes` asks the database for the first `ROWS` codes in this order.
    shown.sort(key=lambda c: (c.type != AccessCode.Type.ONGOING, c.starts_at or start, c.name))
    more = max(len(shown) + others - ROWS, 0)
    shown = shown[:ROWS]
    bars = []
    for row, code in enumerate(shown):
        ongoing = code.type == AccessCode.Type.ONGOING
        left = 0.0 if ongoing else x_of(code.starts_at)
        right = WIDTH if ongoing else x_of(code.ends_at)
        state = code_state(code, lock, now)
        name = code.name or "Unnamed code"
        bars.append(
            Bar(
                code=code,
                x=left,
                y=HEADER + row * ROW + (ROW - BAR) / 2,
                width=max(right - left, 3.0),
                tone=state["tone"],
                label=f"{name} · {code.get_kind_display()}",
                title=f"{name} ({code.get_kind_display()}): {window(code, tz)}. {state['label']}.",
                ongoing=ongoing,
            )
        )
    marks = []
    for n in range(days):
        day = today + timedelta(days=n)
        marks.append(
            DayMark(
                x=x_of(local_day_bounds(day, tz)[0]),
                label=f"{day:%a} {day.day}",
                weekend=day.weekday() >= 5,
            )
        )
    return Timeline(
        width=WIDTH,
        height=HEADER + max(len(bars), 1) * ROW + 6,
        bars=bars,
        days=marks,
        now_x=x_of(now),
        day_width=round(WIDTH / days, 1),
        more=more,
    )
