"""32 clerks giving backups at once on PostgreSQL: latency, throughput, backups issued twice.

Needs PostgreSQL (`DATABASE_URL=postgres://...`): SQLite serialises writers, so clerks cannot
pull at once there; on SQLite it says so and exits 0 (`make bench` stays green).

Builds a `test_` database next to the one DATABASE_URL names (dropped afterwards) with one
owner, ROOMS room doors and ENTRANCES shared entrances, every pool full and on the lock, and a
stay per clerk and round with a guest code on its room door (and, in the second scenario, on a
shared entrance too). Then CLERKS processes (as gunicorn's workers are; each its own database
connection), released together ROUNDS times, each call what the front desk's "Send backup
code" button calls, `backups.services.reservation_backups_give` (a backup on every door of the
stay). Between rounds the pools are topped up again (untimed), as the locks' passes would.

  (a) rooms: each clerk's stay is on its own room door (a different lock per clerk);
  (b) shared entrance: each stay also has a code on one of ENTRANCES entrances, so
      CLERKS / ENTRANCES clerks pull from the same lock at the same instant.

Each scenario first times one clerk alone (20 clicks one after another: what a click costs, and
so how long CLERKS clicks at once would take on this machine's cores if they only queued for the
CPU, waiting for nothing else). Then it prints p50/p95/p99 of a click, throughput, what the
clerks' connections waited on in PostgreSQL (sampled from pg_stat_activity: a row lock is one
clerk queueing behind another), and the backups issued twice (given to two stays or to two
codes: checked in the database and in what the clerks were given). The target: p99 at most
100 ms, none issued twice.
"""

import multiprocessing
import os
import random
import statistics
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.benchmarks.common import database, throwaway_database

CLERKS = int(os.environ.get("BENCH_BACKUPS_CLERKS", "32"))  # at most 40: the entrances' pools
ROUNDS = 20
ROOMS = 50
POOL = 10  # per room door (the product's default is 5)
ENTRANCES = 2
ENTRANCE_POOL = 20  # the largest pool: CLERKS / ENTRANCES pulls from each entrance per round
TARGET_P99 = 0.100
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SAMPLE_EVERY = 0.005  # seconds between looks at pg_stat_activity


def build(now: datetime) -> dict:
    from locks.models import Lock, Owner, Property, Unit

    owner = Owner.objects.create(slug="bench", name="Benchmark Hotels", backup_pool_size=POOL)
    prop = Property.objects.create(owner=owner, name="Bench Hotel", time_zone="UTC")
    Unit.objects.bulk_create(Unit(property=prop, name=f"Room {n}") for n in range(ROOMS))
    units = list(Unit.objects.filter(property=prop).order_by("pk"))

    def door(name, unit, size):
        return Lock(
            owner=owner,
            property=prop,
            unit=unit,
            name=name,
            driver="simulated",
            device_id=f"bench-{name}",
            model_name="Simulated keypad deadbolt",
            supported_code_lengths=[4, 5, 6, 7, 8],
            code_constraints=["no_all_same_digits"],
            max_active_codes=50,
            backup_pool_enabled=True,
            backup_pool_size=size,
            last_read_at=now - timedelta(minutes=5),
            next_check_at=now + timedelta(minutes=10),
        )

    Lock.objects.bulk_create(
        [door(f"Room {n} door", unit, POOL) for n, unit in enumerate(units)]
        + [door(f"Entrance {n}", None, ENTRANCE_POOL) for n in range(ENTRANCES)]
    )
    rooms = list(Lock.objects.filter(unit__isnull=False).order_by("pk"))
    entrances = list(Lock.objects.filter(unit__isnull=True).order_by("pk"))
    refill(now)
    return {"owner": owner, "units": units, "rooms": rooms, "entrances": entrances}


def refill(now: datetime) -> int:
    """Top every pool up to its size with backups on the lock (what the passes would do)."""
    from django.db.models import Count, Q

    from locks.models import AccessCode, Lock

    ready = Q(
        access_codes__kind=AccessCode.Kind.BACKUP,
        access_codes__pulled_at__isnull=True,
        access_codes__removed_at__isnull=True,
    )
    locks = Lock.objects.annotate(ready=Count("access_codes", filter=ready))
    new = []
    for lock in locks:
        for _ in range(lock.backup_pool_size - lock.ready):
            new.append(
                AccessCode(
                    owner_id=lock.owner_id,
                    lock=lock,
                    name="Backup code",
                    code=f"{random.randrange(10**5, 10**6)}",
                    kind=AccessCode.Kind.BACKUP,
                    is_pool_backup=True,
                    status=AccessCode.Status.SET,
                    device_ref=f"b{random.getrandbits(40)}",
                )
            )
    AccessCode.objects.bulk_create(new, batch_size=1000)
    return len(new)


def stays(
    built: dict,
    now: datetime,
    *,
    shared: bool,
    rng: random.Random,
    rounds: int = ROUNDS,
    clerks: int = CLERKS,
) -> list[list]:
    """`rounds` × `clerks` stays arriving today, each with its guest codes; ids per round."""
    from locks.models import AccessCode
    from reservations.models import Reservation

    rooms, entrances = built["rooms"], built["entrances"]
    plan, codes = [], []
    for r in range(rounds):
        doors = rng.sample(range(ROOMS), clerks)  # one clerk per room door in a round
        batch = [
            Reservation(
                owner=built["owner"],
                unit_id=rooms[d].unit_id,
                property_id=rooms[d].property_id,  # bulk_create skips save(), which keeps it
                guest_name=f"Guest {r}-{c}",
                check_in=now - timedelta(hours=1),
                check_out=now + timedelta(days=2),
            )
            for c, d in enumerate(doors)
        ]
        Reservation.objects.bulk_create(batch)
        plan.append([stay.pk for stay in batch])
        for c, (stay, d) in enumerate(zip(batch, doors, strict=True)):
            locks = [rooms[d]] + ([entrances[c % len(entrances)]] if shared else [])
            codes += [
                AccessCode(
                    owner=built["owner"],
                    lock=lock,
                    reservation=stay,
                    name=f"{stay.guest_name}'s code",
                    code=f"{random.randrange(10**5, 10**6)}",
                    type=AccessCode.Type.TIME_BOUND,
                    starts_at=stay.check_in,
                    ends_at=stay.check_out,
                    kind=AccessCode.Kind.GUEST,
                    status=AccessCode.Status.SET,
                    device_ref=f"g{random.getrandbits(40)}",
                )
                for lock in locks
            ]
    AccessCode.objects.bulk_create(codes, batch_size=2000)
    return plan


def clerk(n: int, plan: list[list], now: datetime, start, done, results) -> None:
    """One clerk (a process of its own): a click per round, released with the others."""
    from django.db import connection

    from backups.services import reservation_backups_give
    from reservations.models import Reservation

    connection.ensure_connection()
    for stay_ids in plan:
        stay = Reservation.objects.select_related("owner").get(pk=stay_ids[n])
        start.wait()
        began = time.perf_counter()
        try:
            given = reservation_backups_give(reservation=stay, now=now, every_door=True)
            outcome = [(str(d.lock.pk), str(d.backup.pk) if d.backup else None) for d in given]
        except Exception as exc:  # noqa: BLE001 - reported, and counted as a failure
            outcome = repr(exc)
        results.put((time.perf_counter() - began, str(stay.pk), outcome))
        done.wait()
    connection.close()


def alone(plan: list[list], now: datetime) -> None:
    """One clerk, click after click: what a click costs with nobody else pulling."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from backups.services import reservation_backups_give
    from reservations.models import Reservation

    times, cpu, queries = [], [], []
    for stay_id in plan[0]:
        stay = Reservation.objects.select_related("owner").get(pk=stay_id)
        with CaptureQueriesContext(connection) as captured:
            began, used = time.perf_counter(), time.process_time()
            reservation_backups_give(reservation=stay, now=now, every_door=True)
            times.append(time.perf_counter() - began)
            cpu.append(time.process_time() - used)
        queries.append(len(captured))
    alone = statistics.median(times)
    print(
        f"  one clerk alone, {len(times)} clicks one after another: median {alone * 1000:.1f} ms "
        f"({statistics.median(cpu) * 1000:.1f} ms of it Python's CPU), "
        f"{statistics.median(queries):.0f} queries a click"
    )
    print(
        f"  {CLERKS} clicks at once on {os.cpu_count()} cores, if they only queued for the CPU: "
        f"the last ends after about {CLERKS * alone / os.cpu_count() * 1000:.0f} ms "
        f"({CLERKS} × {alone * 1000:.1f} ms ÷ {os.cpu_count()})"
    )


def waits_sampled(stop: threading.Event, seen: Counter) -> None:
    """What the clerks' busy connections wait on, every SAMPLE_EVERY (a thread, with its own
    connection): a row lock (Lock), the WAL (LWLock, IO), ..."""
    from django.db import connection

    with connection.cursor() as cursor:
        while not stop.is_set():
            cursor.execute(
                "SELECT wait_event_type, wait_event, left(query, 60) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                "AND state = 'active' AND wait_event_type IS NOT NULL"
            )
            for row in cursor.fetchall():
                seen[row] += 1
            time.sleep(SAMPLE_EVERY)
    connection.close()


def scenario(plan: list[list], now: datetime) -> dict:
    from django.db import connections

    ctx = multiprocessing.get_context("fork")
    start, done = ctx.Barrier(CLERKS + 1), ctx.Barrier(CLERKS + 1)
    results = ctx.Queue()
    connections.close_all()  # no connection crosses the fork
    workers = [
        ctx.Process(target=clerk, args=(n, plan, now, start, done, results)) for n in range(CLERKS)
    ]
    for worker in workers:
        worker.start()
    stop, seen = threading.Event(), Counter()
    sampler = threading.Thread(target=waits_sampled, args=(stop, seen))
    sampler.start()
    outcomes, busy = [], 0.0
    for _ in range(ROUNDS):
        start.wait()
        began = time.perf_counter()
        for _ in range(CLERKS):
            outcomes.append(results.get(timeout=120))
        busy += time.perf_counter() - began
        done.wait()
        refill(now)
    stop.set()
    sampler.join()
    for worker in workers:
        worker.join(timeout=60)
    return report(outcomes, busy, seen)


def twice_in_database() -> tuple[int, int]:
    """Backups linked to two codes, and pulled backups on two stays' codes (both must be 0)."""
    from django.db.models import Count, F

    from locks.models import AccessCode

    linked = (
        AccessCode.objects.filter(pulled_backup__isnull=False)
        .values("pulled_backup")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    # A pulled backup belongs to the stay of the code it stands in for, and to no other.
    astray = (
        AccessCode.objects.filter(pulled_for__isnull=False)
        .exclude(reservation=F("pulled_for__reservation"))
        .count()
    )
    return linked, astray


def report(outcomes: list, busy: float, seen: Counter) -> dict:
    from locks.models import AccessCode

    times = sorted(o[0] for o in outcomes)
    failed = [o for o in outcomes if isinstance(o[2], str)]
    given = Counter()
    refused = 0
    for _, _stay, doors in outcomes:
        if isinstance(doors, str):
            continue
        for _lock, backup in doors:
            if backup is None:
                refused += 1
            else:
                given[backup] += 1  # a click's doors are distinct locks: one backup each
    clicked_twice = sum(1 for n in given.values() if n > 1)
    linked, astray = twice_in_database()
    pulled = AccessCode.objects.filter(kind=AccessCode.Kind.BACKUP, pulled_at__isnull=False)
    unlinked = pulled.filter(pulled_for__isnull=True).count()
    twice = clicked_twice + linked + astray

    def pct(p):
        return times[min(len(times) - 1, int(round(p / 100 * len(times))) - 1)]

    p50, p95, p99 = pct(50), pct(95), pct(99)
    print(
        f"  {len(outcomes)} clicks ({CLERKS} clerks × {ROUNDS} rounds), "
        f"{sum(given.values())} backups given, {refused} doors refused, {len(failed)} failed"
    )
    print(
        f"  latency of a click: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms "
        f"(mean {statistics.mean(times) * 1000:.0f} ms)"
    )
    print(f"  throughput: {len(outcomes) / busy:.0f} clicks/s while the clerks were pulling")
    locks = sum(n for (kind, _, _), n in seen.items() if kind == "Lock")
    print(
        f"  clerks waiting on a row lock: {locks} samples; on anything: {sum(seen.values())} "
        f"(pg_stat_activity every {SAMPLE_EVERY * 1000:g} ms)"
    )
    for (kind, event, query), count in seen.most_common(5):
        print(f"    {count:5d}  {kind}/{event}: {query}")
    print(
        f"  backups issued twice: {twice} (given to two clicks: {clicked_twice}; linked to two "
        f"codes: {linked}; on another stay: {astray}); pulled but given to nobody: {unlinked}"
    )
    met = p99 <= TARGET_P99 and twice == 0 and not failed
    print(
        f"  target (p99 at most {TARGET_P99 * 1000:.0f} ms, none issued twice): "
        f"{'met' if met else 'NOT met'}"
    )
    for failure in failed[:3]:
        print(f"    failure: {failure[2]}")
    return {"met": met, "twice": twice, "failed": len(failed) + unlinked}


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            f"bench_backups: {CLERKS} clerks pulling at once needs PostgreSQL (SQLite serialises "
            "writers); set DATABASE_URL=postgres://... to run it. Skipped."
        )
        return
    with throwaway_database():
        from django.db import connection

        rng = random.Random(12)
        print(f"Innkeeper backups benchmark on {database()}")
        print(
            f"  {ROOMS} room doors (pool {POOL}), {ENTRANCES} shared entrances "
            f"(pool {ENTRANCE_POOL}); {CLERKS} clerk processes × {ROUNDS} rounds, released "
            f"together; {os.cpu_count()} cores"
        )
        built = build(NOW)
        scenarios = {
            "(a) rooms: each clerk pulls on a door of its own": False,
            f"(b) shared entrance: every click also pulls on one of {ENTRANCES} entrances "
            f"({CLERKS // ENTRANCES} clerks per entrance at once)": True,
        }
        plans = {
            name: (
                stays(built, NOW, shared=shared, rng=rng, rounds=1, clerks=20),
                stays(built, NOW, shared=shared, rng=rng),
            )
            for name, shared in scenarios.items()
        }
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        outcomes = []
        for name, (single, plan) in plans.items():
            print(f"\n{name}")
            alone(single, NOW)
            refill(NOW)
            outcomes.append(scenario(plan, NOW))
        if any(o["twice"] or o["failed"] for o in outcomes):
            sys.exit("A backup was issued twice, or a click failed.")


if __name__ == "__main__":
    main()
