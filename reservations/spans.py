"""The stays that touch a day, and those from a day on, read as index ranges.

Both are a few ranges of the stays' indexes: arrivals (check-in), departures (check-out),
early check-outs, and the stays in house, one range per length class
(`Reservation.in_house_arms`). PostgreSQL combines an OR of such ranges by itself; SQLite reads
one index per query unless each arm of the OR is a whole index range, so the arms are asked
for as one UNION. Either way a page reads the stays of the day, never the estate's history.
"""

from collections import defaultdict
from datetime import date, datetime
from functools import cached_property

from django.db import connection
from django.db.models import Case, Q, QuerySet, When

from locks.models import Owner, Property
from locks.times import local_day_bounds
from reservations.models import Reservation


def by_zone(properties: list[Property]) -> dict[str, list[Property]]:
    """The properties by time zone."""
    zones: dict[str, list[Property]] = defaultdict(list)
    for prop in properties:
        zones[prop.time_zone].append(prop)
    return zones


def _touching_arms(
    owner: Owner, properties: list[Property], now: datetime, *, every: bool
) -> list[tuple[QuerySet[Reservation], datetime, datetime]]:
    """The confirmed stays of `properties` touching their property's local today, as index
    ranges, each with the bounds of its zone's today (`every`: `properties` are all the
    owner's, so one zone needs no property test)."""
    zones = by_zone(properties)
    arms = []
    for props in zones.values():
        start, end = local_day_bounds(now.astimezone(props[0].tz).date(), props[0].tz)
        confirmed = Reservation.objects.filter(status=Reservation.Status.CONFIRMED)
        if every and len(zones) == 1:
            stays = confirmed.filter(owner=owner)
        else:  # the ranges of these properties only (`properties` are the owner's)
            stays = confirmed.filter(property__in=[p.pk for p in props])
        for arm in [
            Q(check_in__gte=start, check_in__lt=end),
            Q(check_out__gte=start, check_out__lt=end, checked_out_at__isnull=True),
            Q(checked_out_at__gte=start, checked_out_at__lt=end),
            *Reservation.in_house_arms(now),
        ]:
            arms.append((stays.filter(arm).order_by(), start, end))
    return arms


def touching_today(owner: Owner, properties: list[Property], now: datetime, *, every: bool) -> list:
    """The ids of the stays touching today (see `_touching_arms`), in one query."""
    return list(touching_today_query(owner, properties, now, every=every))


def touching_today_query(owner: Owner, properties: list[Property], now: datetime, *, every: bool):
    """The same, not read yet: a UNION (once each) to read, or to filter by (`pk__in=`)."""
    first, *rest = [
        arm.values_list("pk", flat=True)
        for arm, _, _ in _touching_arms(owner, properties, now, every=every)
    ]
    return first.union(*rest)


def today_counts(
    owner: Owner, properties: list[Property], now: datetime, *, every: bool
) -> dict[int, tuple]:
    """How many of the owner's confirmed stays arrive, leave and stay (neither) today at each
    of its `properties` (`every`: all of them), counted by the database in one query."""
    arms = []
    for arm, start, end in _touching_arms(owner, properties, now, every=every):
        arrives = Q(check_in__gte=start, check_in__lt=end)
        leaves = Q(checked_out_at__gte=start, checked_out_at__lt=end) | Q(
            checked_out_at__isnull=True, check_out__gte=start, check_out__lt=end
        )
        arms.append(
            arm.annotate(
                arrives=Case(When(arrives, then=1), default=0),
                leaves=Case(When(leaves, then=1), default=0),
            ).values_list("pk", "property_id", "arrives", "leaves")
        )
    first, *rest = arms
    sql, params = first.union(*rest).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT property_id, SUM(arrives), SUM(leaves), "
            "SUM(CASE WHEN arrives = 0 AND leaves = 0 THEN 1 ELSE 0 END) "
            f"FROM ({sql}) AS touching GROUP BY property_id",
            params,
        )
        return {row[0]: tuple(row[1:]) for row in cursor.fetchall()}


class StaysFrom:
    """`stays` that end after `day` begins (at each property's time zone), by check-in: those
    in house at that moment, then those arriving from it on. What a paginator pages: a page
    reads the in-house stays (as many as the estate has rooms, sorted by the database) and one
    range of check-ins, never the stays already over."""

    def __init__(self, stays: QuerySet[Reservation], properties: list[Property], day: date):
        zones = by_zone(properties)
        starts = {zone: local_day_bounds(day, props[0].tz)[0] for zone, props in zones.items()}
        one_zone = len(zones) == 1

        def in_zone(zone: str, condition: Q) -> Q:
            if one_zone:
                return condition
            return Q(property__in=[p.pk for p in zones[zone]]) & condition

        plain = stays.select_related(None).prefetch_related(None).order_by()
        first, *rest = [
            plain.filter(in_zone(zone, arm)).values_list("check_in", "pk")
            for zone, start in starts.items()
            for arm in Reservation.in_house_arms(start)
        ]
        self._stays = stays
        # The arms never share a stay (one length class each, one zone's properties each):
        # UNION ALL. Sorted outside it: ordered inside, SQLite would read each arm off the
        # check-in index in order (the unbounded class: every stay) instead of its range.
        self._in_house = first.union(*rest, all=True).query.sql_with_params()
        later = Q(pk__in=[])
        for zone, start in starts.items():
            later |= in_zone(zone, Q(check_in__gte=start))
        # The earliest start bounds the range of check-ins read, whatever the zones.
        self._later = stays.filter(later, check_in__gte=min(starts.values())).order_by(
            "check_in", "pk"
        )

    def _in_house_read(self, select: str, then: str = "", params: tuple = ()) -> list[tuple]:
        sql, union_params = self._in_house
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {select} FROM ({sql}) AS in_house {then}", (*union_params, *params)
            )
            return cursor.fetchall()

    @cached_property
    def _in_house_count(self) -> int:
        return self._in_house_read("COUNT(*)")[0][0]

    def count(self, limit: int | None = None) -> int:
        """How many, or at most `limit` (reading no more than that)."""
        later = (
            self._later if limit is None else self._later[: max(limit - self._in_house_count, 0)]
        )
        return self._in_house_count + later.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, part: slice) -> list[Reservation]:
        start, stop, n = part.start or 0, part.stop, self._in_house_count
        head = []
        if start < n:
            rows = self._in_house_read(
                "pk", "ORDER BY check_in, pk LIMIT %s OFFSET %s", (min(stop, n) - start, start)
            )
            as_pk = Reservation._meta.pk.to_python  # SQLite answers a raw UUID as its hex
            head = [as_pk(pk) for (pk,) in rows]
        found = {stay.pk: stay for stay in self._stays.filter(pk__in=head)} if head else {}
        tail = list(self._later[max(start - n, 0) : stop - n]) if stop > n else []
        return [found[pk] for pk in head] + tail


def counted(stays: QuerySet[Reservation] | StaysFrom, limit: int) -> int:
    """How many `stays` there are, counting no more than `limit`."""
    if isinstance(stays, StaysFrom):
        return stays.count(limit)
    return stays[:limit].count()
