"""What Today and the Reservations list cost with 5,000 reservations (`make bench`).

Builds a throwaway database (a SQLite file in a temporary directory; with DATABASE_URL set,
a `test_` database next to the one it names, dropped afterwards), fills it in bulk, and renders
the pages through Django's test client as a manager, reporting SQL queries per page and time.

Shape: PROPERTIES properties of UNITS_PER_PROPERTY units, each with a room door and one shared
entrance per property; RESERVATIONS stays spread over the past and next months (one guest code
per door), a few dozen arriving or leaving today.
"""

import time
import warnings
from datetime import UTC, datetime, timedelta

from tests.benchmarks.common import built_in, database, seconds, throwaway_database

PROPERTIES = 4
UNITS_PER_PROPERTY = 50
RESERVATIONS = 5_000
RUNS = 7
NOW = datetime.now(UTC).replace(microsecond=0)


def build(now: datetime) -> None:
    from django.contrib.auth import get_user_model

    from locks.models import AccessCode, Lock, Membership, Owner, Property, Unit
    from reservations.models import Reservation

    owner = Owner.objects.create(slug="bench", name="Benchmark Hotels")
    user = get_user_model().objects.create_user("bench", password="bench-password-4821")
    Membership.objects.create(owner=owner, user=user, role=Membership.Role.MANAGER)
    props = [
        Property.objects.create(owner=owner, name=f"Hotel {p}", time_zone="Europe/Lisbon")
        for p in range(PROPERTIES)
    ]
    Unit.objects.bulk_create(
        Unit(property=prop, name=f"Room {u:03}")
        for prop in props
        for u in range(UNITS_PER_PROPERTY)
    )
    units = list(Unit.objects.select_related("property").order_by("pk"))
    lock_rows = [
        Lock(
            owner=owner,
            property=u.property,
            unit=u,
            name=f"{u.name} door",
            driver="simulated",
            device_id=f"bench-{u.pk}",
        )
        for u in units
    ] + [
        Lock(
            owner=owner,
            property=p,
            name="Street entrance",
            driver="simulated",
            device_id=f"bench-entrance-{p.pk}",
        )
        for p in props
    ]
    Lock.objects.bulk_create(lock_rows)
    room_door = {lock.unit_id: lock for lock in Lock.objects.filter(unit__isnull=False)}
    entrance = {lock.property_id: lock for lock in Lock.objects.filter(unit__isnull=True)}

    # Each unit holds back-to-back two-night stays, from months ago to months ahead; the
    # first few dozen units start a stay today, so Today has arrivals, departures, in house.
    per_unit = RESERVATIONS // len(units)
    stays = []
    for n, unit in enumerate(units):
        offset = timedelta(days=-(per_unit) + (n % 3), hours=n % 5)
        for k in range(per_unit):
            check_in = now + offset + timedelta(days=2 * k)
            stays.append(
                Reservation(
                    owner=owner,
                    unit=unit,
                    guest_name=f"Guest {n}-{k}",
                    phone=f"+3519{n:04}{k:04}",
                    check_in=check_in,
                    check_out=check_in + timedelta(days=2),
                    pin=f"{4000 + k}",
                )
            )
    Reservation.objects.bulk_create(stays, batch_size=2000)
    codes = []
    for stay in Reservation.objects.select_related("unit").iterator(chunk_size=2000):
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
    AccessCode.objects.bulk_create(codes, batch_size=5000)


def main() -> None:
    with throwaway_database():
        from django.conf import settings
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        from locks.models import AccessCode
        from reservations.models import Reservation

        setup_test_environment()
        # WhiteNoise looks for collected static files; the pages measured need none.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        settings.ALLOWED_HOSTS = ["testserver", "localhost"]
        built = built_in(build, NOW)
        print(f"Innkeeper pages benchmark on {database()}")
        print(
            f"  data: {Reservation.objects.count():,} reservations, "
            f"{AccessCode.objects.count():,} guest codes; built in {built:.1f} s"
        )
        client = Client()
        client.login(username="bench", password="bench-password-4821")
        pages = [
            ("Today", "/"),
            ("Reservations, first page", "/reservations/"),
            ("Reservations, all dates", "/reservations/?date_from="),
            ("Reservations, a search", "/reservations/?q=guest+1&date_from="),
            ("Reservations, by phone", "/reservations/?q=3519+0001&date_from="),
        ]
        print()
        for name, url in pages:
            times, queries, size = [], 0, 0
            for _ in range(RUNS):
                with CaptureQueriesContext(connection) as captured:
                    start = time.perf_counter()
                    response = client.get(url)
                    times.append(time.perf_counter() - start)
                if response.status_code != 200:
                    raise SystemExit(f"{url} answered {response.status_code}")
                queries, size = len(captured), len(response.content)
            print(f"  {name:<26} {queries:3} queries, {seconds(times)}, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
