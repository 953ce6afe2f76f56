"""Lock events read from the driver's feed: stored once, on the right door, code and stay."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command

from locks import access_codes, door_events, remote, simulator
from locks.drivers.base import ACCESS_DENIED, KEYCODE, UNLOCKED, EventBatch, LockEventReading
from locks.drivers.simulated import SimulatedDriver, simulated_event_log
from locks.errors import ServiceError
from locks.models import Event, SimulatedDevice
from locks.reconcile import lock_reconcile


def device(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def hub_read(owner, now):
    return door_events.account_events_read(account=simulator.simulated_hub(owner), now=now)


def test_an_entry_is_put_on_the_code_that_held_the_slot_then(owner, lock, t0):
    old, _ = access_codes.access_code_create(lock=lock, now=t0, name="Old guest", code="4826")
    lock_reconcile(lock=lock, now=t0)
    access_codes.access_code_delete(access_code=old, now=t0)
    lock_reconcile(lock=lock, now=t0)
    new, _ = access_codes.access_code_create(lock=lock, now=t0, name="New guest", code="5937")
    lock_reconcile(lock=lock, now=t0)
    new.refresh_from_db()
    old.refresh_from_db()
    assert new.device_ref == old.device_ref  # the slot was reused

    _, entry = simulator.simulated_keypad_entry(lock=lock, code="5937", now=t0)

    assert entry.access_code_id == new.pk
    assert entry.data == {"method": "keycode", "is_backup": False}


def test_reading_the_feed_again_stores_nothing_twice(owner, lock, t0):
    simulator.simulated_keypad_entry(lock=lock, code="1357", now=t0)

    assert hub_read(owner, t0 + timedelta(minutes=1)) == []
    simulator.simulated_hub(owner).refresh_from_db()
    batch = SimulatedDriver().read_events(owner.slug, None)  # the whole log, from its start
    assert door_events.events_store(owner=owner, driver_key="simulated", batch=batch) == []
    assert Event.objects.filter(lock=lock, event_type=ACCESS_DENIED).count() == 1


def test_a_feed_longer_than_a_page_is_read_whole(owner, lock, t0):
    for n in range(SimulatedDriver.EVENTS_PAGE + 5):
        simulated_event_log(device(lock), ACCESS_DENIED, KEYCODE, t0 + timedelta(seconds=n))

    new = hub_read(owner, t0 + timedelta(minutes=5))

    assert len(new) == SimulatedDriver.EVENTS_PAGE + 5
    assert [e.occurred_at for e in new] == sorted(e.occurred_at for e in new)


def test_events_of_a_device_that_is_no_door_here_are_left_out(owner, other_owner, lock, t0):
    batch = EventBatch(
        [LockEventReading("x1", "not-a-door", UNLOCKED, t0, KEYCODE, "1")], cursor="x1"
    )
    assert door_events.events_store(owner=owner, driver_key="simulated", batch=batch) == []


def test_a_feed_that_cannot_be_read_warns_on_the_account_and_is_read_again(
    owner, lock, t0, monkeypatch
):
    simulated_event_log(device(lock), ACCESS_DENIED, KEYCODE, t0)

    def down(self, account, cursor):
        raise door_events.DriverError("The hub did not answer.")

    with monkeypatch.context() as patch:
        patch.setattr(SimulatedDriver, "read_events", down)
        assert hub_read(owner, t0) == []
    hub = simulator.simulated_hub(owner)
    assert [w["message"] for w in hub.warnings] == [
        "The locks' events could not be read: The hub did not answer."
    ]

    assert len(hub_read(owner, t0 + timedelta(minutes=1))) == 1
    assert simulator.simulated_hub(owner).warnings == []


def test_the_tick_command_reads_the_feeds_with_no_worker_running(owner, lock, t0):
    simulated_event_log(device(lock), ACCESS_DENIED, KEYCODE, t0)
    out = StringIO()

    call_command("tick", stdout=out)

    assert "Read 1 new lock event." in out.getvalue()
    assert Event.objects.filter(lock=lock, event_type=ACCESS_DENIED).exists()


def test_a_remote_unlock_turns_the_bolt_and_says_who_and_why_once(owner, lock, t0):
    lock.refresh_from_db()
    assert lock.can_remotely_unlock and lock.locked is True

    attempt, event = remote.lock_turn(
        lock=lock, unlock=True, now=t0, by="Rui Alves", reason="Guest's phone is dead or lost"
    )
    hub_read(owner, t0 + timedelta(minutes=1))  # the hub's own report of it comes in later

    assert attempt.status == "success" and attempt.action_type == "UNLOCK_DOOR"
    assert device(lock).locked is False
    lock.refresh_from_db()
    assert lock.locked is False
    (only,) = Event.objects.filter(lock=lock, event_type=UNLOCKED)
    assert only == event and only.driver_event_ref.startswith("simulated:")
    assert only.data["by"] == "Rui Alves" and only.data["method"] == "remote"
    assert only.message == "Unlocked remotely by Rui Alves: Guest's phone is dead or lost"


def test_an_offline_lock_or_one_without_remote_unlock_is_refused_with_the_reason(lock, t0):
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    lock_reconcile(lock=lock, now=t0)  # the pass finds it offline
    lock.refresh_from_db()
    with pytest.raises(ServiceError, match="Room 101 door is offline"):
        remote.lock_turn(lock=lock, unlock=True, now=t0, by="Rui")

    lock.online, lock.can_remotely_unlock = True, False
    with pytest.raises(ServiceError, match="cannot be unlocked remotely"):
        remote.lock_turn(lock=lock, unlock=True, now=t0, by="Rui")
    assert device(lock).locked is True
    assert not Event.objects.filter(lock=lock, event_type=UNLOCKED).exists()


def test_a_lock_that_fails_to_turn_gives_an_attempt_in_error_and_no_event(lock, t0):
    simulator.simulated_refuse_writes(lock=lock, until=t0 + timedelta(minutes=5), now=t0)
    lock.refresh_from_db()

    attempt, event = remote.lock_turn(lock=lock, unlock=True, now=t0, by="Rui")

    assert event is None and attempt.status == "error"
    assert attempt.error["message"] == "The lock is busy or jammed and did not turn."
    assert device(lock).locked is True


def test_a_remote_lock_then_unlock_are_each_stored_once_and_the_bolt_ends_open(owner, lock, t0):
    lock.refresh_from_db()
    remote.lock_turn(lock=lock, unlock=False, now=t0, by="Rui")
    remote.lock_turn(lock=lock, unlock=True, now=t0 + timedelta(seconds=20), by="Rui")

    hub_read(owner, t0 + timedelta(minutes=1))

    turns = Event.objects.filter(lock=lock, event_type__in=["lock.locked", "lock.unlocked"])
    assert sorted(turns.values_list("event_type", flat=True)) == ["lock.locked", "lock.unlocked"]
    assert all(t.driver_event_ref.startswith("simulated:") for t in turns)
    lock.refresh_from_db()
    assert lock.locked is False and device(lock).locked is False
