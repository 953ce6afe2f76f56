"""What the tick costs with 100,000 access codes of which 1,000 are due (`make bench`).

Builds a throwaway database (a SQLite file in a temporary directory; with DATABASE_URL set,
a `test_` database next to the one it names, dropped afterwards), fills it in bulk, and
measures:

  (a) the tick: the due query and a drainer queued per worker (django-q2's ORM broker);
  (b) a full synchronous pass (`run_due_locks`) over the due locks, as `manage.py tick` does;

with wall time, SQL queries per lock, and the due query's plan (it must use `lock_due_tick`).

Shape: LOCKS simulated locks, CODES_PER_LOCK codes each (history, codes on the lock, codes
for later stays); DUE_LOCKS of them each hold one code whose time has come.
"""

import re
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from tests.benchmarks.common import (
    built_in,
    database,
    innkeepers_own,
    seconds,
    throwaway_database,
)

LOCKS = 10_000
CODES_PER_LOCK = 10
DUE_LOCKS = 1_000
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def build(now: datetime) -> None:
    from locks.models import AccessCode, Lock, Owner, Property, SimulatedCode, SimulatedDevice

    owner = Owner.objects.create(slug="bench", name="Benchmark Hotels")
    prop = Property.objects.create(owner=owner, name="Bench Hotel", time_zone="UTC")
    SimulatedDevice.objects.bulk_create(
        SimulatedDevice(owner=owner, device_id=f"bench-{n}", name=f"Room {n}") for n in range(LOCKS)
    )
    devices = dict(SimulatedDevice.objects.values_list("device_id", "pk"))
    locks = [
        Lock(
            owner=owner,
            property=prop,
            name=f"Room {n}",
            driver="simulated",
            device_id=f"bench-{n}",
            model_name="Simulated keypad deadbolt",
            supported_code_lengths=[4, 5, 6, 7, 8],
            code_constraints=["no_all_same_digits"],
            max_active_codes=20,
            last_read_at=now - timedelta(minutes=15),
            # Due locks are a minute overdue; the others are polled within the next 15 minutes.
            next_check_at=now - timedelta(minutes=1)
            if n < DUE_LOCKS
            else now + timedelta(minutes=1 + n % 15),
        )
        for n in range(LOCKS)
    ]
    Lock.objects.bulk_create(locks, batch_size=2000)
    locks = list(Lock.objects.order_by("pk"))

    codes, on_device = [], []
    for n, lock in enumerate(locks):
        device = devices[lock.device_id]
        for k in range(CODES_PER_LOCK):
            pin = f"{3000 + k * 137 + n % 7}"
            fields = {"owner": owner, "lock": lock, "code": pin, "name": f"Code {k}"}
            if k < CODES_PER_LOCK - 4:  # history: past stays, removed
                ends = now - timedelta(days=k + 1)
                fields |= {
                    "type": "time_bound",
                    "starts_at": ends - timedelta(days=2),
                    "ends_at": ends,
                    "status": "removed",
                    "removed_at": ends,
                    "kind": "guest",
                }
            elif k < CODES_PER_LOCK - 2:  # staff codes, on the lock
                fields |= {"status": "set", "device_ref": str(k), "kind": "staff"}
                on_device.append(SimulatedCode(device_id=device, slot=k, code=pin))
            elif k == CODES_PER_LOCK - 1 and n < DUE_LOCKS:  # a stay whose lead time began
                fields |= {
                    "type": "time_bound",
                    "starts_at": now + timedelta(minutes=20),
                    "ends_at": now + timedelta(days=2),
                    "kind": "guest",
                }
            else:  # a later stay
                starts = now + timedelta(days=3 + k)
                fields |= {
                    "type": "time_bound",
                    "starts_at": starts,
                    "ends_at": starts + timedelta(days=2),
                    "kind": "guest",
                }
            codes.append(AccessCode(**fields))
    AccessCode.objects.bulk_create(codes, batch_size=5000)
    SimulatedCode.objects.bulk_create(on_device, batch_size=5000)


def measured(fn, *, runs: int = 1, before=None):
    """(result, [seconds per run], SQL of the last run's queries)."""
    from django.db import connection

    times, result, queries = [], None, []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    for _ in range(runs):
        if before:
            before()
        queries.clear()
        with connection.execute_wrapper(record):
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    return result, times, queries


def shape(sql: str) -> str:
    """A query with its literals taken out, to count queries by kind."""
    sql = re.sub(r"'[^']*'|\b\d+(\.\d+)?\b", "?", sql)
    sql = re.sub(r"\((\?, )+\?\)", "(…)", sql)
    return sql[:110]


def main() -> None:
    with throwaway_database():
        from django_q.models import OrmQ

        from locks import scheduler
        from locks.models import AccessCode, Lock

        built = built_in(build, NOW)
        live = AccessCode.objects.filter(removed_at__isnull=True).count()
        print(f"Innkeeper tick benchmark on {database()}")
        print(
            f"  data: {Lock.objects.count():,} locks, {AccessCode.objects.count():,} access codes "
            f"({live:,} live), {DUE_LOCKS:,} due codes on {DUE_LOCKS:,} due locks; "
            f"built in {built:.1f} s"
        )

        due, times, queries = measured(lambda: scheduler.due_lock_ids(now=NOW), runs=20)
        print("\n(a) the tick")
        print(f"  due query: {len(due)} ids (one batch), {len(queries)} query, {seconds(times)}")
        plan = scheduler.due_lock_query(now=NOW).values_list("pk")[: scheduler.TICK_BATCH].explain()
        print("  plan: " + "\n        ".join(plan.splitlines()))
        print(f"  uses lock_due_tick: {'yes' if 'lock_due_tick' in plan else 'NO'}")

        def unqueue():
            OrmQ.objects.all().delete()

        queued, times, queries = measured(lambda: scheduler.tick(now=NOW), runs=3, before=unqueue)
        print(
            f"  tick ({DUE_LOCKS:,} due locks: due query + a drainer per worker, ORM broker): "
            f"{queued} drainers queued, {len(queries)} queries (target: at most 10), "
            f"{seconds(times)} (target: at most 1 s)"
        )
        unqueue()

        done, times, queries = measured(lambda: scheduler.run_due_locks(now=NOW))
        set_now = AccessCode.objects.filter(status="set", kind="guest").count()
        print("\n(b) a full synchronous pass (manage.py tick)")
        print(
            f"  {done} locks reconciled, {set_now} due codes now set, {len(queries)} queries "
            f"({len(queries) / done:.1f} per lock; "
            f"Innkeeper's own {len(innkeepers_own(queries)) / done:.1f}"
            f", target: at most 6), {seconds(times)}, {1000 * times[0] / done:.2f} ms per lock"
        )
        print("  queries per lock, by kind:")
        for sql, count in Counter(shape(sql) for sql in queries).most_common(12):
            print(f"    {count / done:5.1f}  {sql}")
        if set_now != DUE_LOCKS:
            sys.exit(f"Expected {DUE_LOCKS} due codes to be set, found {set_now}.")

        # The common pass: a poll that finds the lock as it should be. Only the locks just
        # reconciled are made due, so the pass is over the same 1,000.
        poll = NOW + timedelta(minutes=15)
        Lock.objects.filter(pk__gte=Lock.objects.order_by("pk")[DUE_LOCKS].pk).update(
            next_check_at=NOW + timedelta(days=1)
        )
        done, times, queries = measured(lambda: scheduler.run_due_locks(now=poll))
        print("\n(c) a poll pass that finds every lock as it should be")
        print(
            f"  {done} locks polled, {len(queries)} queries ({len(queries) / done:.1f} per lock; "
            f"Innkeeper's own {len(innkeepers_own(queries)) / done:.1f}, target: at most 4), "
            f"{seconds(times)}, {1000 * times[0] / done:.2f} ms per lock"
        )


if __name__ == "__main__":
    main()
