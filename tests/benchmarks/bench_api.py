"""Seam's SDK against Innkeeper's /api, beside Seam's own fake server (`make bench`).

Builds a throwaway database (with DATABASE_URL set, a `test_` database next to the one it
names, dropped afterwards; without it a temporary SQLite file: the figures are then printed
all the same, but the target is PostgreSQL's), seeds an owner with an API key and as many
simulated locks as the fake's seeded workspace has devices (5), beside a larger owner (1,000
locks, 10,000 codes) so that every query runs over tables of some size and through the
tenancy filter. Then it starts Innkeeper as in production (gunicorn with gunicorn.conf.py,
DEBUG off, on that database; no task worker: a create's reconcile is queued on commit, which
with the ORM broker is a row in the same database) and `@seamapi/fake-seam-connect`
(tests/seam/fake_seam.mjs), and makes the same Seam SDK calls against both, interleaved (one
on ours, the same on the fake, which goes first alternating), REPEATS times each after WARMUP:

  access_codes.list    a device holding 50 codes (the fake lists its whole workspace, which
                       then holds exactly those 50)
  access_codes.get     one of them, by access_code_id
  devices.list         the owner's 5 devices
  access_codes.create  a generated PIN on a device; it persists (each is read back at the end)

It prints each call's p50 and p95 on both and the ratio ours/fake (issue 12's target: at most
2.0 on each), then the SQL queries each call costs (the same SDK call made in this process).
Without node or the fake's package (`make fake-seam`) it says so and exits 0.
"""

import os
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.common import built_in, database, innkeepers_own, throwaway_database
from tests.seam import fake_server

FAKE_LIST_DEVICE, FAKE_CREATE_DEVICE = "august_device_1", "august_device_2"
LOCKS = 5  # the fake's seeded workspace has 5 devices
CHAIN_LOCKS, CHAIN_CODES_PER_LOCK = 1_000, 10
LISTED_CODES = 50
WARMUP, REPEATS = 20, int(os.environ.get("BENCH_API_REPEATS", "200"))
TARGET_RATIO = 2.0
NOW = datetime.now(UTC).replace(microsecond=0)


def build(now: datetime) -> None:
    """The benchmark's owner (`bench`, 5 simulated locks, an API key) and a hotel chain."""
    from locks import simulator
    from locks.models import AccessCode, Lock, Owner, Property

    owner = Owner.objects.create(slug="bench", name="Benchmark Hotels")
    prop = Property.objects.create(owner=owner, name="Bench Hotel", time_zone="UTC")
    for n in range(LOCKS):
        simulator.simulated_lock_create(owner=owner, property=prop, name=f"Room {n}", now=now)

    chain = Owner.objects.create(slug="chain", name="A hotel chain")
    hotel = Property.objects.create(owner=chain, name="Chain Hotel", time_zone="UTC")
    Lock.objects.bulk_create(
        (
            Lock(
                owner=chain,
                property=hotel,
                name=f"Room {n}",
                driver="simulated",
                device_id=f"chain-{n}",
                supported_code_lengths=[4, 5, 6],
                last_read_at=now,
                next_check_at=now + timedelta(minutes=15),
            )
            for n in range(CHAIN_LOCKS)
        ),
        batch_size=2000,
    )
    AccessCode.objects.bulk_create(
        (
            AccessCode(owner=chain, lock=lock, code=f"{4000 + k * 37 + n % 7}", name=f"Code {k}")
            for n, lock in enumerate(Lock.objects.filter(owner=chain))
            for k in range(CHAIN_CODES_PER_LOCK)
        ),
        batch_size=5000,
    )


@contextmanager
def fake_seam() -> Iterator[str]:
    """Seam's fake server, as the seam tests run it; its base URL."""
    try:
        with fake_server.running() as (_, url):
            yield url
    except fake_server.Unavailable as reason:
        sys.exit(f"Seam's fake server: {reason}.")


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def interleaved(ours: Callable[[int], object], fake: Callable[[int], object]):
    """Each call REPEATS times on both, alternately, the fake first every other time."""
    times: dict[str, list[float]] = {"ours": [], "fake": []}
    for n in range(WARMUP + REPEATS):
        pair = [("ours", ours), ("fake", fake)]
        for side, call in pair if n % 2 else reversed(pair):
            start = time.perf_counter()
            call(n)
            if n >= WARMUP:
                times[side].append(time.perf_counter() - start)
    return times


def queries_of(key: str, call: Callable) -> int:
    """Innkeeper's SQL queries for one SDK call, made in this process on the same database."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.locks.seam_api import seam_client

    with seam_client(key, wait_for_action_attempt=False) as seam:
        call(seam)  # the key's last use is recorded at most once a minute: not in the count
        with CaptureQueriesContext(connection) as captured:
            call(seam)
    return len(innkeepers_own([q["sql"] for q in captured.captured_queries]))


def main() -> None:
    if fake_server.missing():
        print(f"API benchmark skipped: {fake_server.missing()} (make fake-seam).")
        return
    with throwaway_database(), tempfile.TemporaryDirectory(prefix="innkeeper-bench-api-") as tmp:
        from django.conf import settings
        from django.db import connection
        from seam import Seam

        from locks.models import AccessCode, Lock, Owner
        from locks.tenancy.services import api_key_create
        from tests.production_server import database_url_for, production_server

        built = built_in(build, NOW)
        _, key = api_key_create(owner=Owner.objects.get(slug="bench"), name="Benchmark")
        ids = Lock.objects.filter(owner__slug="bench").order_by("pk").values_list("public_id")
        devices = [str(public_id) for (public_id,) in ids]
        our_list_device, our_create_device = devices[0], devices[1]
        print(f"Innkeeper API beside Seam's fake server, on {database()}")
        if connection.vendor != "postgresql":
            print("  (SQLite: the target is PostgreSQL's; set DATABASE_URL=postgres://...)")
        print(
            f"  data: {LOCKS} locks for the API key's owner, {CHAIN_LOCKS:,} locks and "
            f"{CHAIN_LOCKS * CHAIN_CODES_PER_LOCK:,} codes for another; built in {built:.1f} s"
        )
        url = database_url_for(connection, Path(tmp))
        connection.close()
        env = {"REDIS_URL": os.environ.get("REDIS_URL", ""), "LOG_LEVEL": "WARNING"}
        with (
            production_server(url, folder=Path(tmp), env=env) as server,
            fake_seam() as fake_url,
            Seam(api_key=key, endpoint=f"{server.base_url}/api") as ours,
            Seam(api_key=fake_server.API_KEY, endpoint=fake_url) as fake,
        ):
            workers = server.log().count("Booting worker")
            print(
                f"  gunicorn: {workers} workers x {os.environ.get('WEB_THREADS', '4')} threads "
                f"(gunicorn.conf.py); {REPEATS} calls each after {WARMUP} to warm up, interleaved"
            )
            for side, device in ((ours, our_list_device), (fake, FAKE_LIST_DEVICE)):
                for n in range(LISTED_CODES):
                    side.access_codes.create(device_id=device, name=f"Listed {n}")
            got = {
                "ours": ours.access_codes.list(device_id=our_list_device)[0].access_code_id,
                "fake": fake.access_codes.list(device_id=FAKE_LIST_DEVICE)[0].access_code_id,
            }
            listed = (
                len(ours.access_codes.list(device_id=our_list_device)),
                len(fake.access_codes.list(device_id=FAKE_LIST_DEVICE)),
            )
            assert listed == (LISTED_CODES, LISTED_CODES), listed
            operations = {
                f"access_codes.list ({LISTED_CODES})": (
                    lambda n: ours.access_codes.list(device_id=our_list_device),
                    lambda n: fake.access_codes.list(device_id=FAKE_LIST_DEVICE),
                ),
                "access_codes.get": (
                    lambda n: ours.access_codes.get(access_code_id=got["ours"]),
                    lambda n: fake.access_codes.get(access_code_id=got["fake"]),
                ),
                f"devices.list ({LOCKS})": (
                    lambda n: ours.devices.list(),
                    lambda n: fake.devices.list(),
                ),
                "access_codes.create": (
                    lambda n: ours.access_codes.create(device_id=our_create_device, name=f"G{n}"),
                    lambda n: fake.access_codes.create(device_id=FAKE_CREATE_DEVICE, name=f"G{n}"),
                ),
            }
            results = {name: interleaved(*calls) for name, calls in operations.items()}
        if server.returncode != 0:
            sys.exit(f"gunicorn did not stop cleanly:\n{server.log()}")
        # The in-process calls that count queries; WhiteNoise looks for collected static files.
        settings.ALLOWED_HOSTS = ["testserver"]
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        created = AccessCode.objects.filter(lock__public_id=our_create_device).count()
        assert created == WARMUP + REPEATS, f"{created} codes persisted"

        counts = {
            f"access_codes.list ({LISTED_CODES})": lambda s: s.access_codes.list(
                device_id=our_list_device
            ),
            "access_codes.get": lambda s: s.access_codes.get(access_code_id=got["ours"]),
            f"devices.list ({LOCKS})": lambda s: s.devices.list(),
            "access_codes.create": lambda s: s.access_codes.create(device_id=our_create_device),
        }
        report(results, {name: queries_of(key, call) for name, call in counts.items()})
        print(f"  {created} codes created on ours are in the database")


def report(results: dict, queries: dict) -> None:
    print(
        f"\n  {'call':<24} {'ours p50':>9} {'p95':>8} {'fake p50':>9} {'p95':>8} "
        f"{'ratio p50':>10} {'p95':>6} {'queries':>8}  target: ratio <= {TARGET_RATIO}"
    )
    met = 0
    for name, times in results.items():
        ours, fake = times["ours"], times["fake"]
        p50 = statistics.median(ours) / statistics.median(fake)
        p95 = percentile(ours, 0.95) / percentile(fake, 0.95)
        ok = p50 <= TARGET_RATIO and p95 <= TARGET_RATIO
        met += ok
        print(
            f"  {name:<24} {statistics.median(ours) * 1000:>6.1f} ms "
            f"{percentile(ours, 0.95) * 1000:>5.1f} ms {statistics.median(fake) * 1000:>6.1f} ms "
            f"{percentile(fake, 0.95) * 1000:>5.1f} ms {p50:>9.1f}x {p95:>5.1f}x "
            f"{queries[name]:>8}  {'met' if ok else 'NOT MET'}"
        )
    print(f"\n  {met} of {len(results)} calls meet the target.")


if __name__ == "__main__":
    main()
