"""What a minute's read of the locks' event feed costs at 10,000 doors (`make bench`).

An estate of LOCKS simulated doors, each with a stay arriving today and its guest code on the
lock. The hub's log then holds a minute of events: guests coming in with their PIN, wrong PINs
(some of them three in a row at one door: lockouts), hands on thumb-turns. One read of the feed
(`locks.door_events.account_events_read`, what the every-minute task does) stores them,
attributes them to codes and stays, records arrivals and raises lockouts. Measured for a small
and a large minute, in one run: queries and time per event should not grow with the batch.
"""

from datetime import UTC, datetime, timedelta

from tests.benchmarks.common import built_in, database, seconds, throwaway_database

LOCKS = 10_000
NOW = datetime(2026, 6, 1, 15, 0, tzinfo=UTC)
MINUTES = (("a quiet minute", 30), ("a busy minute", 600))


def build(now: datetime) -> None:
    from locks.models import AccessCode, Lock, Owner, Property, SimulatedCode, SimulatedDevice, Unit
    from locks.simulator import simulated_hub
    from reservations.models import Reservation

    owner = Owner.objects.create(slug="bench", name="Benchmark Hotels")
    prop = Property.objects.create(owner=owner, name="Bench Hotel", time_zone="UTC")
    hub = simulated_hub(owner)
    Unit.objects.bulk_create(Unit(property=prop, name=f"Room {n}") for n in range(LOCKS))
    units = list(Unit.objects.order_by("pk"))
    SimulatedDevice.objects.bulk_create(
        SimulatedDevice(owner=owner, device_id=f"bench-{n}", name=f"Room {n}") for n in range(LOCKS)
    )
    devices = dict(SimulatedDevice.objects.values_list("device_id", "pk"))
    Lock.objects.bulk_create(
        (
            Lock(
                owner=owner,
                property=prop,
                unit=units[n],
                account=hub,
                name=f"Room {n} door",
                driver="simulated",
                device_id=f"bench-{n}",
                next_check_at=now + timedelta(days=1),
            )
            for n in range(LOCKS)
        ),
        batch_size=2000,
    )
    locks = list(Lock.objects.order_by("pk"))
    Reservation.objects.bulk_create(
        (
            Reservation(
                owner=owner,
                unit=units[n],
                property=prop,
                guest_name=f"Guest {n}",
                check_in=now - timedelta(minutes=30),
                check_out=now + timedelta(days=2),
                pin=f"{4000 + n % 5000}",
            )
            for n in range(LOCKS)
        ),
        batch_size=2000,
    )
    stays = list(Reservation.objects.order_by("unit_id"))
    AccessCode.objects.bulk_create(
        (
            AccessCode(
                owner=owner,
                lock=lock,
                reservation=stay,
                kind="guest",
                type="time_bound",
                name=stay.guest_name,
                code=stay.pin,
                starts_at=stay.check_in,
                ends_at=stay.check_out,
                status="set",
                device_ref="1",
            )
            for lock, stay in zip(locks, stays, strict=True)
        ),
        batch_size=5000,
    )
    SimulatedCode.objects.bulk_create(
        (
            SimulatedCode(device_id=devices[lock.device_id], slot=1, code=stay.pin)
            for lock, stay in zip(locks, stays, strict=True)
        ),
        batch_size=5000,
    )


def log_a_minute(first_lock: int, events: int, at: datetime) -> None:
    """`events` things happening at doors from `first_lock` on, in tens: six guests coming in
    with their PIN, three wrong PINs at one more door (a lockout), a hand on its thumb-turn."""
    from locks.models import SimulatedDevice, SimulatedEvent

    devices = list(SimulatedDevice.objects.order_by("pk")[first_lock : first_lock + events])
    rows = []
    for n in range(events):
        r = n % 10
        if r < 6:
            kind, method, slot, device = "lock.unlocked", "keycode", 1, devices[n]
        elif r < 9:
            kind, method, slot, device = "lock.access_denied", "keycode", None, devices[n - r + 9]
        else:
            kind, method, slot, device = "lock.locked", "manual", None, devices[n]
        when = at + timedelta(seconds=r)
        rows.append(
            SimulatedEvent(
                device=device, event_type=kind, method=method, slot=slot, occurred_at=when
            )
        )
    SimulatedEvent.objects.bulk_create(rows)


def main() -> None:
    with throwaway_database():
        from locks.door_events import account_events_read
        from locks.models import DriverAccount, Event, Lock
        from reservations.models import EntryAlert, Reservation
        from tests.benchmarks.bench_tick import measured

        built = built_in(build, NOW)
        print(f"Innkeeper lock events benchmark on {database()}")
        doors = Lock.objects.count()
        print(f"  data: {doors:,} doors, each with a stay arriving; built in {built:.1f} s")
        hub = DriverAccount.objects.get(driver="simulated")
        first, at, per_event = 0, NOW, []
        for label, events in MINUTES:
            log_a_minute(first, events, at)
            hub.refresh_from_db()
            new, times, queries = measured(lambda at=at: account_events_read(account=hub, now=at))
            arrived = Reservation.objects.filter(arrived_at__isnull=False).count()
            lockouts = EntryAlert.objects.count()
            per_event.append(times[0] / events)
            print(
                f"\n  {label}: {events} events, {len(new)} stored; {arrived:,} arrivals and "
                f"{lockouts} lockouts so far"
            )
            print(
                f"    one read of the feed: {len(queries)} queries ({len(queries) / events:.2f} "
                f"per event), {seconds(times)}, {1000 * times[0] / events:.2f} ms per event"
            )
            first, at = first + events, at + timedelta(minutes=1)
        ratio = per_event[1] / per_event[0]
        print(f"\n  time per event, busy / quiet minute: {ratio:.2f}x (target: at most 1.5x)")
        with_webhooks(hub, first, at, per_event[1])
        print(f"  events stored: {Event.objects.count():,}")


def with_webhooks(hub, first: int, at: datetime, busy_per_event: float) -> None:
    """A busy minute again, the owner with two webhook endpoints (on a local receiver): what
    writing the deliveries adds to the read, then what sending them all costs."""
    from django.test import override_settings

    from locks.door_events import account_events_read
    from locks.models import Owner, WebhookDelivery
    from locks.outgoing.delivery import webhooks_send_due
    from locks.outgoing.endpoints import webhook_create
    from tests.benchmarks.bench_tick import measured
    from tests.locks.webhook_receiver import Receiver

    events = MINUTES[1][1]
    with override_settings(OUTBOUND_ALLOWED_NETWORKS=["127.0.0.0/8"]), Receiver() as receiver:
        owner = Owner.objects.get(slug="bench")
        for path in ("/pms", "/analytics"):
            webhook_create(owner=owner, url=receiver.base_url + path)
        log_a_minute(first, events, at)
        hub.refresh_from_db()
        _, times, queries = measured(lambda: account_events_read(account=hub, now=at))
        deliveries = WebhookDelivery.objects.count()
        print(
            f"\n  a busy minute with 2 webhook endpoints: {events} events, {deliveries:,} "
            f"deliveries written; {len(queries)} queries, {1000 * times[0] / events:.2f} ms "
            f"per event ({times[0] / events / busy_per_event:.2f}x the busy minute without)"
        )
        sent, times, queries = measured(webhooks_send_due)
        delivered = WebhookDelivery.objects.filter(status="delivered").count()
        print(
            f"    sending them (manage.py tick's path, a thread per endpoint): {sent:,} "
            f"attempts, {delivered:,} delivered, {len(receiver.received):,} received, "
            f"{seconds(times)}, {1000 * times[0] / max(sent, 1):.2f} ms per delivery"
        )


if __name__ == "__main__":
    main()
