"""Real workers programming codes on slow locks: throughput, and what slow and offline locks cost.

`python -m tests.benchmarks.bench_workers` (in `make bench`). It needs PostgreSQL (eight
workers writing at once is more than SQLite takes): on SQLite it says so and exits 0. Run it as

    DATABASE_URL=postgres://innkeeper@127.0.0.1:5432/innkeeper_benchworkers \\
    REDIS_URL=redis://127.0.0.1:6379/13 python -m tests.benchmarks.bench_workers

(without REDIS_URL the tasks go through django-q2's ORM broker, on the same PostgreSQL).

The workers are production's: a django-q2 cluster (`Cluster`, as `manage.py qcluster` starts
it) with BENCH_WORKERS worker processes, fed by the tick (`locks.tasks.tick`, called by the
benchmark every minute as the `innkeeper-tick` schedule would; the schedules themselves are
removed, so nothing else runs), which queues a `locks.tasks.drain` per worker. The only thing
added is a record, from inside the workers, of each call to a simulated lock and each pass
(the worker processes are forked from this one, so they inherit the recording wrappers).

Every simulated lock answers each call after its `latency_ms` (BENCH_WORKERS_LATENCY seconds);
an offline lock answers, after the same latency, that it is offline. Every call to a lock has
a timeout (`locks.drivers.base.CALL_TIMEOUT_SECONDS`, 8 s: the Seam driver's HTTP timeout,
and the simulated driver's). A code costs three calls: read, write, confirm.

  (1) BENCH_WORKERS_CODES locks, each with one code to program now: the wall time until all
      are set, the calls made, the ideal (calls x latency / workers), their ratio (target 1.5);
  (2) the same, of which BENCH_WORKERS_SLOW locks answer in BENCH_WORKERS_SLOW_LATENCY
      seconds per call and BENCH_WORKERS_OFFLINE are offline: the time until the other codes
      are set against (1)'s time for the same codes (target: at most 10 % later), and the most
      workers on slow locks at once (target: at most half). Locks are polled every 15 minutes,
      so a slow lock has been seen before: (2) starts with one poll of every lock, then makes
      them all due with their codes, as the next poll would find them.
"""

import os
import sys
import tempfile
import time
from datetime import timedelta

from tests.benchmarks.common import configure, database, throwaway_database

CODES = int(os.environ.get("BENCH_WORKERS_CODES", "1000"))
LATENCY = float(os.environ.get("BENCH_WORKERS_LATENCY", "0.2"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "8"))
SLOW = int(os.environ.get("BENCH_WORKERS_SLOW", "10"))
SLOW_LATENCY = float(os.environ.get("BENCH_WORKERS_SLOW_LATENCY", "8"))
OFFLINE = int(os.environ.get("BENCH_WORKERS_OFFLINE", "10"))
TICK_EVERY = 60.0  # the `innkeeper-tick` schedule's minute
GIVE_UP = float(os.environ.get("BENCH_WORKERS_GIVE_UP", "900"))  # seconds per phase


class Record:
    """Calls and passes, written by the worker processes, one line each, to files of their own."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="innkeeper-bench-workers-")

    def write(self, kind: str, key: str, started: float, ended: float) -> None:
        path = os.path.join(self.folder, f"{os.getpid()}.log")
        with open(path, "a") as out:
            out.write(f"{kind} {key} {started:.4f} {ended:.4f}\n")

    def read(self, since: float) -> list[tuple[str, str, float, float]]:
        lines = []
        for name in os.listdir(self.folder):
            with open(os.path.join(self.folder, name)) as log:
                for line in log:
                    kind, key, started, ended = line.split()
                    if float(started) >= since:
                        lines.append((kind, key, float(started), float(ended)))
        return lines

    def remove(self) -> None:
        for name in os.listdir(self.folder):
            os.remove(os.path.join(self.folder, name))
        os.rmdir(self.folder)


def recording(record: Record) -> None:
    """Wrap a simulated lock's calls (`_device` starts each one) and the scheduler's passes."""
    from locks import scheduler
    from locks.drivers.simulated import SimulatedDriver

    device = SimulatedDriver._device

    def timed_device(driver, device_id):
        started = time.monotonic()
        try:
            return device(driver, device_id)
        finally:
            record.write("call", device_id, started, time.monotonic())

    run = scheduler.lock_run_claimed

    def timed_run(*, lock_id, token, now):
        started = time.monotonic()
        try:
            return run(lock_id=lock_id, token=token, now=now)
        finally:
            record.write("pass", str(lock_id), started, time.monotonic())

    SimulatedDriver._device = timed_device
    scheduler.lock_run_claimed = timed_run


def build(*, tag: str, latency: dict[int, float], offline: set[int], with_codes: bool):
    """CODES simulated locks (due now), each with two staff codes on it and, `with_codes`, a
    guest code whose programming time has come. Returns the locks' ids in their due order."""
    from django.utils import timezone

    from locks.models import AccessCode, Lock, Owner, Property, SimulatedCode, SimulatedDevice

    now = timezone.now()
    owner = Owner.objects.create(slug=f"bench-{tag}", name=f"Benchmark Hotels {tag}")
    prop = Property.objects.create(owner=owner, name="Bench Hotel", time_zone="UTC")
    SimulatedDevice.objects.bulk_create(
        SimulatedDevice(
            owner=owner,
            device_id=f"{tag}-{n}",
            name=f"Room {n}",
            latency_ms=round(1000 * latency.get(n, LATENCY)),
            online=n not in offline,
            supported_code_lengths=[4, 5, 6, 7, 8],
            code_constraints=["no_all_same_digits"],
        )
        for n in range(CODES)
    )
    devices = dict(SimulatedDevice.objects.filter(owner=owner).values_list("device_id", "pk"))
    Lock.objects.bulk_create(
        Lock(
            owner=owner,
            property=prop,
            name=f"Room {n}",
            driver="simulated",
            device_id=f"{tag}-{n}",
            model_name="Simulated keypad deadbolt",
            supported_code_lengths=[4, 5, 6, 7, 8],
            code_constraints=["no_all_same_digits"],
            max_active_codes=20,
            # The most overdue first: in the order of n.
            next_check_at=now - timedelta(minutes=1) + timedelta(milliseconds=n),
        )
        for n in range(CODES)
    )
    locks = list(Lock.objects.filter(owner=owner).order_by("next_check_at"))
    codes, on_device = [], []
    for n, lock in enumerate(locks):
        for k in (1, 2):
            pin = f"{5000 + 101 * k + n % 7}"
            codes.append(
                AccessCode(
                    owner=owner,
                    lock=lock,
                    code=pin,
                    name=f"Staff {k}",
                    kind="staff",
                    status="set",
                    device_ref=str(k),
                )
            )
            on_device.append(SimulatedCode(device_id=devices[lock.device_id], slot=k, code=pin))
    AccessCode.objects.bulk_create(codes, batch_size=5000)
    SimulatedCode.objects.bulk_create(on_device, batch_size=5000)
    if with_codes:
        guest_codes_add(locks, now)
    return [lock.pk for lock in locks]


def guest_codes_add(locks, now) -> None:
    from locks.models import AccessCode

    AccessCode.objects.bulk_create(
        (
            AccessCode(
                owner_id=lock.owner_id,
                lock=lock,
                code=f"8{n:05d}",  # six digits, never all the same below 88,888
                name=f"Guest {n}",
                kind="guest",
                type="time_bound",
                starts_at=now + timedelta(minutes=20),
                ends_at=now + timedelta(days=2),
            )
            for n, lock in enumerate(locks)
        ),
        batch_size=5000,
    )


def run_until(*, done, label: str) -> float:
    """Tick now and every minute until `done()` (checked every 0.2 s); the seconds it took."""
    from locks import tasks

    started = time.monotonic()
    next_tick = started
    while True:
        now = time.monotonic()
        if now >= next_tick:
            tasks.tick()
            next_tick += TICK_EVERY
        if done():
            return time.monotonic() - started
        if now - started > GIVE_UP:
            sys.exit(f"{label}: not done after {GIVE_UP:.0f} s; giving up.")
        time.sleep(0.2)


def guest_codes_set(lock_ids) -> int:
    from locks.models import AccessCode

    return AccessCode.objects.filter(lock_id__in=lock_ids, kind="guest", status="set").count()


def idle() -> bool:
    """No lock claimed and no task waiting: the workers are done."""
    from django_q.brokers import get_broker

    from locks.models import Lock

    return not Lock.objects.filter(claimed_until__isnull=False).exists() and not (
        get_broker().queue_size()
    )


def most_at_once(intervals: list[tuple[float, float]]) -> int:
    points = sorted([(a, 1) for a, _ in intervals] + [(b, -1) for _, b in intervals])
    busy = most = 0
    for _, step in points:
        busy += step
        most = max(most, busy)
    return most


def phase(record: Record, *, tag: str, slow: set[int], offline: set[int], watch: set[int]):
    """One scenario: build, (with slow locks) poll once, then program every code. Returns the
    seconds until the codes of the locks `watch` (positions in the due order) were set, the
    seconds after that until every code was, the records of the run, and the locks' ids."""
    from django.utils import timezone

    from locks.models import Lock

    latency = {n: SLOW_LATENCY for n in slow}
    ids = build(tag=tag, latency=latency, offline=offline, with_codes=not slow)
    watched = [pk for n, pk in enumerate(ids) if n in watch]
    if slow:
        started = time.monotonic()
        polled = run_until(
            done=lambda: (
                not Lock.objects.filter(
                    pk__in=ids, last_read_at__isnull=True, consecutive_failures=0
                ).exists()
                and idle()
            ),
            label="the poll before",
        )
        print(
            f"  first, a poll of every lock (how slow locks become known): {polled:.1f} s, "
            f"at most {most_slow(record.read(since=started), ids, slow)} workers on slow "
            "locks at once"
        )
        now = timezone.now()
        by_id = Lock.objects.in_bulk(ids)
        guest_codes_add([by_id[pk] for pk in ids], now)
        # As the next poll finds them: all due, in the same order as before.
        for n, pk in enumerate(ids):
            Lock.objects.filter(pk=pk).update(
                next_check_at=now - timedelta(minutes=1) + timedelta(milliseconds=n)
            )
    started = time.monotonic()
    seconds = run_until(done=lambda: guest_codes_set(watched) == len(watched), label=tag)
    # The other codes (the slow locks') after; and the workers idle before the next phase.
    rest = run_until(done=lambda: guest_codes_set(ids) >= len(ids) - len(offline), label=tag)
    run_until(done=idle, label=tag)
    return seconds, rest, record.read(since=started), ids


def where_the_time_went(records, seconds: float) -> str:
    """The workers' time: in passes (of which in calls to locks) and outside them."""
    passes = [b - a for kind, _, a, b in records if kind == "pass"]
    calls = sum(b - a for kind, _, a, b in records if kind == "call")
    busy = sum(passes)
    return (
        f"{len(passes):,} passes, {busy / len(passes):.3f} s each on average, of which "
        f"{calls / len(passes):.3f} s in calls to the lock; the workers were in passes "
        f"{100 * busy / (WORKERS * seconds):.0f} % of the time"
    )


def most_slow(records, ids, slow: set[int]) -> int:
    slow_ids = {str(ids[n]) for n in slow}
    return most_at_once(
        [(a, b) for kind, key, a, b in records if kind == "pass" and key in slow_ids]
    )


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "Innkeeper workers benchmark: needs PostgreSQL (eight workers writing at once); "
            "skipped on SQLite. Run it with DATABASE_URL=postgres://... (see its docstring)."
        )
        return
    os.environ["Q_WORKERS"] = str(WORKERS)
    configure()
    record = Record()
    with throwaway_database():
        from django.db import connections
        from django_q.brokers import get_broker
        from django_q.cluster import Cluster
        from django_q.models import Schedule

        Schedule.objects.all().delete()  # only the benchmark's ticks
        broker = get_broker()
        broker.purge_queue()
        recording(record)
        print(f"Innkeeper workers benchmark on {database()}, broker {type(broker).__name__}")
        print(
            f"  {WORKERS} workers (a django-q2 cluster), {CODES:,} locks with a code each, "
            f"{LATENCY * 1000:.0f} ms per call to a lock"
        )
        connections.close_all()  # the workers are forked: each opens its own connection
        cluster = Cluster(broker)
        cluster.start()
        try:
            time.sleep(2)  # the workers start
            # Slow and offline locks for (2), spread evenly through the due order.
            step = CODES // max(1, SLOW + OFFLINE)
            slow = {step * k + step // 2 for k in range(SLOW)}
            offline = {step * (SLOW + k) + step // 2 for k in range(OFFLINE)}
            others = set(range(CODES)) - slow - offline
            print("\n(1) every lock quick")
            others_set, rest, records, _ = phase(
                record, tag="quick", slow=set(), offline=set(), watch=others
            )
            seconds = others_set + rest
            calls = sum(kind == "call" for kind, *_ in records)
            ideal = calls * LATENCY / WORKERS
            ratio = seconds / ideal
            print(
                f"  all {CODES:,} codes set in {seconds:.1f} s; {calls:,} calls to locks "
                f"({calls / CODES:.2f} per code); ideal {calls:,} x {LATENCY:g} s / {WORKERS} = "
                f"{ideal:.1f} s; ratio {ratio:.2f} (target at most 1.5: "
                f"{'met' if ratio <= 1.5 else 'NOT met'})"
            )
            print("  " + where_the_time_went(records, seconds))
            if not SLOW and not OFFLINE:
                return
            print(
                f"\n(2) {len(slow)} slow locks ({SLOW_LATENCY:g} s per call) and {len(offline)} "
                f"offline among the {CODES:,}"
            )
            mixed, rest, records, ids = phase(
                record, tag="mixed", slow=slow, offline=offline, watch=others
            )
            delay = 100 * (mixed - others_set) / others_set
            print(
                f"  the other {len(others):,} codes set in {mixed:.1f} s, against "
                f"{others_set:.1f} s for the same locks' codes in (1): {delay:+.1f} % "
                "(target at most 10 %: "
                f"{'met' if delay <= 10 else 'NOT met'})"
            )
            print(f"  the slow locks' codes set {rest:.1f} s after that")
            busy = most_slow(records, ids, slow)
            print(
                f"  at most {busy} of {WORKERS} workers on slow locks at once (target at most "
                f"{WORKERS // 2}: {'met' if busy <= WORKERS // 2 else 'NOT met'})"
            )
        finally:
            cluster.stop()
            record.remove()


if __name__ == "__main__":
    main()
