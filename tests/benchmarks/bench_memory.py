"""A worker's memory draining the due locks, among 1,000 codes and among 100,000 (`make bench`).

`python -m tests.benchmarks.bench_memory`. Builds a throwaway database (as bench_tick does:
SQLite in a temporary folder, or a `test_` database next to DATABASE_URL's) with
BENCH_MEMORY_DUE_LOCKS due locks, each with one code whose programming time has come, then
starts a fresh worker process that runs the drainer task's function (`scheduler.drain`, what
`locks.tasks.drain` runs in a django-q2 worker) over them, and reports that process's peak
memory: its peak RSS, and the peak of Python's own allocations while it drains (tracemalloc).

Then the same again with the same due locks and codes, in a database of BENCH_MEMORY_CODES
codes: each due lock also holds its history (codes of past stays, removed), and other locks,
not due, hold history and later stays. Target: the worker's memory within 10 % at both sizes.
Simulated locks answer at once here: memory, not time, is measured.
"""

import json
import os
import subprocess
import sys
from datetime import timedelta

from tests.benchmarks.common import database, throwaway_database

DUE_LOCKS = int(os.environ.get("BENCH_MEMORY_DUE_LOCKS", "1000"))
CODES = int(os.environ.get("BENCH_MEMORY_CODES", "100000"))
HISTORY_PER_DUE_LOCK = 40  # at the larger size
CODES_PER_OTHER_LOCK = 10


def build(*, extra: int) -> None:
    """The due locks with a code each; with `extra`, that many more codes around them."""
    from django.utils import timezone

    from locks.models import AccessCode, Lock, Owner, Property, SimulatedDevice

    now = timezone.now()
    owner = Owner.objects.create(slug="bench", name="Benchmark Hotels")
    prop = Property.objects.create(owner=owner, name="Bench Hotel", time_zone="UTC")
    history = HISTORY_PER_DUE_LOCK if extra else 0
    others = max(0, extra - DUE_LOCKS * history) // CODES_PER_OTHER_LOCK
    total = DUE_LOCKS + others
    SimulatedDevice.objects.bulk_create(
        (
            SimulatedDevice(owner=owner, device_id=f"mem-{n}", name=f"Room {n}")
            for n in range(total)
        ),
        batch_size=5000,
    )
    Lock.objects.bulk_create(
        (
            Lock(
                owner=owner,
                property=prop,
                name=f"Room {n}",
                driver="simulated",
                device_id=f"mem-{n}",
                supported_code_lengths=[4, 5, 6, 7, 8],
                code_constraints=["no_all_same_digits"],
                max_active_codes=20,
                next_check_at=now - timedelta(minutes=1)
                if n < DUE_LOCKS
                else now + timedelta(days=1),
            )
            for n in range(total)
        ),
        batch_size=5000,
    )
    locks = list(Lock.objects.order_by("pk").values_list("pk", flat=True))

    def codes():
        for n, lock_id in enumerate(locks):
            base = {"owner": owner, "lock_id": lock_id, "type": "time_bound", "kind": "guest"}
            if n < DUE_LOCKS:
                yield AccessCode(
                    **base,
                    code=f"8{n:05d}",
                    name="Guest now",
                    starts_at=now + timedelta(minutes=20),
                    ends_at=now + timedelta(days=2),
                )
                past = history
            else:
                past = CODES_PER_OTHER_LOCK // 2
                for k in range(CODES_PER_OTHER_LOCK - past):  # later stays
                    starts = now + timedelta(days=3 + 3 * k)
                    yield AccessCode(
                        **base,
                        code=f"{4000 + 37 * k + n % 7}",
                        name=f"Guest {k}",
                        starts_at=starts,
                        ends_at=starts + timedelta(days=2),
                    )
            for k in range(past):  # past stays, removed
                ends = now - timedelta(days=1 + 2 * k)
                yield AccessCode(
                    **base,
                    code=f"{5000 + 41 * k + n % 7}",
                    name=f"Past guest {k}",
                    starts_at=ends - timedelta(days=2),
                    ends_at=ends,
                    status="removed",
                    removed_at=ends,
                )

    AccessCode.objects.bulk_create(codes(), batch_size=5000)


def worker() -> None:
    """The measured process: Django, then the drainer over every due lock; prints its figures."""
    import tracemalloc
    from time import monotonic

    import django

    django.setup()
    from django.db import connection

    from locks import scheduler

    if os.environ.get("BENCH_MEMORY_DATABASE_NAME"):
        connection.settings_dict["NAME"] = os.environ["BENCH_MEMORY_DATABASE_NAME"]
    scheduler.due_lock_ids(now=scheduler.timezone.now())  # connected, models loaded
    before = peak_rss_kib(reset=True)
    tracemalloc.start()
    done = scheduler.drain(until=monotonic() + 1800)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = peak_rss_kib()
    print(json.dumps({"locks": done, "rss_kib": rss, "rss_before_kib": before, "peak": peak}))


def peak_rss_kib(*, reset: bool = False) -> int:
    """This process's peak resident memory (Linux's VmHWM; `ru_maxrss` would count the parent's
    memory at the fork too). With `reset`, the peak so far, then starts it again from now."""
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    if reset:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # the peak is the current RSS again
    return peak


def measured() -> dict:
    from django.db import connection

    env = {**os.environ, "BENCH_MEMORY_DATABASE_NAME": connection.settings_dict["NAME"]}
    connection.close()
    run = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.bench_memory", "--worker"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        sys.exit(f"The worker failed:\n{run.stderr}")
    return json.loads(run.stdout.strip().splitlines()[-1])


def empty() -> None:
    from locks.models import AccessCode, Lock, Owner, SimulatedDevice

    AccessCode.objects.all().delete()
    Lock.objects.all().delete()
    SimulatedDevice.objects.all().delete()
    Owner.objects.all().delete()


def main() -> None:
    if "--worker" in sys.argv:
        worker()
        return
    with throwaway_database():
        from locks.models import AccessCode

        print(f"Innkeeper worker memory benchmark on {database()}")
        figures = {}
        for extra in (0, CODES - DUE_LOCKS):
            empty()
            build(extra=extra)
            codes = AccessCode.objects.count()
            figure = figures[codes] = measured()
            print(
                f"  {codes:,} codes, {DUE_LOCKS:,} due locks: the worker ran {figure['locks']:,} "
                f"passes; peak RSS {figure['rss_kib'] / 1024:.1f} MiB "
                f"({figure['rss_before_kib'] / 1024:.1f} MiB once started), Python's peak "
                f"while draining {figure['peak'] / 2**20:.2f} MiB"
            )
            if figure["locks"] != DUE_LOCKS:
                sys.exit(f"Expected {DUE_LOCKS} passes.")
        small, large = (figures[size] for size in sorted(figures))
        rss = large["rss_kib"] / small["rss_kib"]
        peak = large["peak"] / small["peak"]
        print(
            f"  ratio at {max(figures):,} codes to {min(figures):,}: peak RSS {rss:.2f}, Python's "
            f"peak {peak:.2f} (target within 10 %: {'met' if max(rss, peak) <= 1.1 else 'NOT met'})"
        )


if __name__ == "__main__":
    main()
