"""What every dashboard page costs at 1,000 and at 10,000 locks (`make bench`).

Builds a throwaway database (a SQLite file in a temporary directory; with DATABASE_URL set,
a `test_` database next to the one it names, dropped afterwards), fills it in bulk for one
owner of 1,000 locks and one ten times its size, then measures every page of both, the runs of
the two interleaved, so each page's ratio says how its server time grows with the estate
(issue 12's targets: at most 15 queries, 100 ms, and 1.5 x the small owner's time).

Shape of an owner of P properties: 99 rooms per property, each with its door, and one shared
entrance per property (100 P locks); 10 three-night stays per room, every ten days over the
past and next 50 days (one guest code per door), so a tenth of the rooms have an arrival today,
the entrance of a property holds 990 codes and a room door 10; an arrival message per
stay begun in the last 20 days; 1 % of the doors offline (the badge's urgent spans written as
a pass would), 1 % with a low battery, a registered device per lock, 5 new ones in the inbox.

BENCH_PAGES=Locks,Devices measures only the pages whose names start with one of those words.
"""

import os
import statistics
import time
import warnings
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tests.benchmarks.common import built_in, database, throwaway_database

ROOMS = 99
STAYS_PER_ROOM = 10
SMALL, LARGE = 10, 100  # properties: 1,000 and 10,000 locks
RUNS = 9  # a median: wall times here vary by tens of per cent
NOW = datetime.now(UTC).replace(microsecond=0)
TARGET_QUERIES, TARGET_SECONDS, TARGET_RATIO = 15, 0.100, 1.5


@dataclass
class Measure:
    queries: int
    seconds: float  # the median of the runs
    size: int  # bytes of HTML


def build(properties: int, now: datetime) -> None:
    """One owner (`bench-<properties>`, its manager of the same name) and its estate."""
    from django.contrib.auth import get_user_model

    from locks import simulator
    from locks.models import (
        AccessCode,
        DiscoveredDevice,
        Lock,
        Membership,
        Owner,
        Property,
        Unit,
    )
    from messaging.models import Message
    from reservations.models import Reservation, stay_class
    from reservations.urgency import urgent_spans_refresh

    slug = f"bench-{properties}"
    owner = Owner.objects.create(slug=slug, name=f"Benchmark Hotels {properties}")
    user = get_user_model().objects.create_user(slug, password="bench-password-4821")
    Membership.objects.create(owner=owner, user=user, role=Membership.Role.MANAGER)
    Property.objects.bulk_create(
        Property(owner=owner, name=f"Hotel {p:03}", time_zone="Europe/Lisbon")
        for p in range(properties)
    )
    props = list(Property.objects.filter(owner=owner).order_by("pk"))
    Unit.objects.bulk_create(
        (Unit(property=prop, name=f"Room {u:03}") for prop in props for u in range(ROOMS)),
        batch_size=5000,
    )
    units = list(Unit.objects.filter(property__owner=owner).order_by("pk"))
    doors = [
        Lock(
            owner=owner,
            property_id=u.property_id,
            unit=u,
            name=f"{u.name} door",
            driver="simulated",
            device_id=f"{slug}-{u.pk}",
            online=n % 100 != 7,
            battery_level=0.1 if n % 100 == 3 else 0.9,
            last_read_at=now - timedelta(minutes=n % 15),
        )
        for n, u in enumerate(units)
    ] + [
        Lock(
            owner=owner,
            property=p,
            name="Street entrance",
            driver="simulated",
            device_id=f"{slug}-entrance-{p.pk}",
            last_read_at=now,
        )
        for p in props
    ]
    Lock.objects.bulk_create(doors, batch_size=5000)
    locks = list(Lock.objects.filter(owner=owner).order_by("pk"))
    room_door = {lock.unit_id: lock for lock in locks if lock.unit_id}
    entrance = {lock.property_id: lock for lock in locks if not lock.unit_id}

    hub = simulator.simulated_hub(owner)
    found = [
        DiscoveredDevice(
            account=hub,
            device_id=lock.device_id,
            name=lock.name,
            status=DiscoveredDevice.Status.REGISTERED,
            first_seen_at=now - timedelta(days=90),
            last_seen_at=now,
        )
        for lock in locks
    ] + [
        DiscoveredDevice(
            account=hub,
            device_id=f"{slug}-new-{n}",
            name=f"New keypad {n}",
            first_seen_at=now,
            last_seen_at=now,
            capabilities=["access_code"],
        )
        for n in range(5)
    ]
    DiscoveredDevice.objects.bulk_create(found, batch_size=5000)

    noon = now.replace(hour=12, minute=0, second=0)
    stays = []
    for n, unit in enumerate(units):
        for k in range(STAYS_PER_ROOM):
            check_in = noon + timedelta(days=(k - STAYS_PER_ROOM // 2) * 10 + n % 10)
            stays.append(
                Reservation(
                    owner=owner,
                    unit=unit,
                    property_id=unit.property_id,  # bulk_create skips save(), which keeps it
                    guest_name=f"Guest {n}-{k}",
                    phone=f"+3519{n:05}{k:02}",
                    check_in=check_in,
                    check_out=check_in + timedelta(days=3),
                    # bulk_create skips save(), which keeps the class
                    length_class=stay_class(check_in, check_in + timedelta(days=3)),
                    pin=f"{4000 + k}",
                )
            )
    Reservation.objects.bulk_create(stays, batch_size=5000)
    codes, messages = [], []
    for stay in stays:
        over = stay.check_out <= now
        for lock in (room_door[stay.unit_id], entrance[stay.unit.property_id]):
            codes.append(
                AccessCode(
                    owner=owner,
                    lock=lock,
                    reservation=stay,
                    kind="guest",
                    code=stay.pin,
                    type="time_bound",
                    starts_at=stay.check_in,
                    ends_at=stay.check_out,
                    status="removed" if over else "set" if stay.check_in <= now else "unset",
                    removed_at=stay.check_out if over else None,
                    name=stay.guest_name,
                )
            )
        if now - timedelta(days=20) <= stay.check_in <= now:
            messages.append(
                Message(
                    owner=owner,
                    reservation=stay,
                    kind=Message.Kind.ARRIVAL,
                    to=stay.phone,
                    transport="console",
                    preview=f"Welcome, {stay.guest_name}. Your code is ••••.",
                    status=Message.Status.DELIVERED,
                    created_at=stay.check_in - timedelta(days=1),
                    sent_at=stay.check_in - timedelta(days=1),
                )
            )
    AccessCode.objects.bulk_create(codes, batch_size=5000)
    Message.objects.bulk_create(messages, batch_size=5000)
    for lock in locks:
        if not lock.online:
            urgent_spans_refresh(lock=lock, now=now)


def pages(properties: int) -> list[tuple[str, str]]:
    from locks.models import AccessCode, Lock
    from reservations.models import Reservation

    owner = f"bench-{properties}"
    door = Lock.objects.filter(owner__slug=owner, unit__isnull=False, online=True).first()
    entrance = Lock.objects.filter(owner__slug=owner, unit__isnull=True).first()
    stay = Reservation.objects.filter(owner__slug=owner, check_in__lte=NOW).latest("check_in")
    codes = AccessCode.objects.filter
    return [
        ("Today", "/"),
        ("Reservations, first page", "/reservations/"),
        ("Reservations, a search", "/reservations/?q=guest+12-4&date_from="),
        ("Locks", "/locks/"),
        (f"Lock page, {codes(lock=door).count():,} codes", f"/locks/{door.pk}/"),
        (f"Lock page, {codes(lock=entrance).count():,} codes", f"/locks/{entrance.pk}/"),
        ("Alerts", "/alerts/"),
        ("Devices", "/devices/"),
        ("Outbox", "/outbox/"),
        ("A stay's page", f"/reservations/{stay.pk}/"),
    ]


def measure() -> tuple[list[tuple[str, Measure]], list[tuple[str, Measure]]]:
    """Each page of both owners, their runs interleaved (small, large, small, ...), so that
    whatever the machine does meanwhile weighs on both sides of a ratio alike."""
    import gc

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    wanted = [word for word in os.environ.get("BENCH_PAGES", "").split(",") if word]
    clients, listed = {}, {}
    for properties in (SMALL, LARGE):
        clients[properties] = Client()
        # Signed in directly: the pages are measured, not the password hashing (nor axes).
        clients[properties].force_login(
            get_user_model().objects.get(username=f"bench-{properties}")
        )
        listed[properties] = [
            (name, url)
            for name, url in pages(properties)
            if not wanted or name.startswith(tuple(wanted))
        ]
    gc.collect()
    results: dict[int, list] = {SMALL: [], LARGE: []}
    for n in range(len(listed[SMALL])):
        times: dict[int, list[float]] = {SMALL: [], LARGE: []}
        seen = {}
        for properties in (SMALL, LARGE):
            clients[properties].get(listed[properties][n][1])  # warm up, not timed
        for _ in range(RUNS):
            for properties in (SMALL, LARGE):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = clients[properties].get(listed[properties][n][1])
                    times[properties].append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{listed[properties][n][1]} answered {response.status_code}")
                seen[properties] = (len(captured), len(response.content))
        for properties in (SMALL, LARGE):
            queries, size = seen[properties]
            measured = Measure(queries, statistics.median(times[properties]), size)
            results[properties].append((listed[properties][n][0], measured))
    return results[SMALL], results[LARGE]


def report(small: list[tuple[str, Measure]], large: list[tuple[str, Measure]]) -> None:
    print(
        f"\n  {'page':<26} {'queries':>9} {'1,000 locks':>12} {'10,000 locks':>13} "
        f"{'ratio':>6} {'HTML at 10,000':>15}  target: <= {TARGET_QUERIES} queries, "
        f"<= {TARGET_SECONDS * 1000:.0f} ms, <= {TARGET_RATIO} x"
    )
    missed = 0
    for (name, few), (_, many) in zip(small, large, strict=True):
        ratio = many.seconds / few.seconds
        ok = (
            many.queries <= TARGET_QUERIES
            and many.seconds <= TARGET_SECONDS
            and ratio <= TARGET_RATIO
        )
        missed += not ok
        print(
            f"  {name:<26} {few.queries:>4}/{many.queries:<4} {few.seconds * 1000:>9.0f} ms "
            f"{many.seconds * 1000:>10.0f} ms {ratio:>5.1f}x {many.size / 1024:>11,.0f} KiB"
            f"  {'ok' if ok else 'MISSED'}"
        )
    print(f"\n  {len(small) - missed} of {len(small)} pages meet the target.")


def main() -> None:
    with throwaway_database():
        from django.conf import settings
        from django.test.utils import setup_test_environment

        setup_test_environment()
        # WhiteNoise looks for collected static files; the pages measured need none.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        settings.ALLOWED_HOSTS = ["testserver", "localhost"]
        print(
            f"Innkeeper pages benchmark on {database()}, median of {RUNS} runs of each page, "
            "the two owners' runs interleaved"
        )
        for properties in (SMALL, LARGE):
            built = built_in(lambda now, p=properties: build(p, now), NOW)
            print(
                f"  built {properties * (ROOMS + 1):,} locks, "
                f"{properties * ROOMS * STAYS_PER_ROOM:,} stays "
                f"({properties * ROOMS // 10:,} arriving today) in {built:.0f} s"
            )
        report(*measure())


if __name__ == "__main__":
    main()
