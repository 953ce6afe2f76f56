"""A Seam lock's door events, end to end: read from the workspace's feed by `door_events`, stored
once, attributed to our code and so the stay; *Unlock now* through Seam. Against Seam's fake
(its unlock and lock record their own events; what a keypad reports is recorded into it as Seam
would), and against recorded answers for a feed longer than a page and an unlock that fails."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone

from locks import devices, remote
from locks.door_events import EVENTS_UNREAD, account_events_read
from locks.drivers import seam_events
from locks.errors import ServiceError
from locks.models import ActionAttempt, Event
from locks.services import lock_register
from reservations.models import EntryAlert
from tests.reservations.front_desk import book
from tests.seam.recorded_seam import DEVICE_ID, recorded, recorded_event
from tests.seam.test_seam_events import NOW, many_events
from tests.seam.test_seam_fake_server import run

MINUTE = timedelta(minutes=1)


def seam_time(at) -> str:
    """A time as Seam writes it."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def at_the_door(fake_seam, event_type, device_id, at, **fields):
    """What Seam records when the lock reports it, a moment after it happened."""
    fake_seam.add_event(
        event_type=event_type,
        workspace_id="seed_workspace_1",
        connected_account_id="john_connected_account_id",
        device_id=device_id,
        occurred_at=seam_time(at),
        created_at=seam_time(at + timedelta(seconds=2)),
        **fields,
    )


@pytest.fixture
def now():
    # The fake stamps its own events with the wall clock: so do these tests.
    return timezone.now()


@pytest.fixture
def door(owner, hotel, room, workspace, now):
    return register_in(owner, hotel, room, workspace, now)


def register_in(owner, hotel, room, workspace, now):
    devices.account_discover(account=workspace, now=now)
    (waiting,) = [d for d in devices.inbox(owner) if d.device_id == "august_device_1"]
    return devices.device_register(owner=owner, device=waiting, property=hotel, unit=room, now=now)


def stay_with_its_code_on_seam(owner, room, door, now, **fields):
    stay = book(owner, room, now, check_in=now + timedelta(hours=1), **fields)
    (code,) = stay.access_codes.all()
    run(now, code)
    assert code.device_ref  # Seam's access_code_id, from the fake
    return stay, code


def test_a_guest_typing_their_pin_at_a_seam_lock_is_their_stays_arrival(
    owner, room, door, workspace, fake_seam, now
):
    stay, code = stay_with_its_code_on_seam(owner, room, door, now)
    entered = now + 2 * MINUTE
    at_the_door(
        fake_seam,
        "lock.unlocked",
        "august_device_1",
        entered,
        method="keycode",
        access_code_id=code.device_ref,
        code=code.code,
    )

    (event,) = account_events_read(account=workspace, now=entered + MINUTE)

    assert (event.event_type, event.lock, event.access_code) == ("lock.unlocked", door, code)
    assert event.reservation == stay
    assert event.data == {"method": "keycode", "is_backup": False}
    assert event.occurred_at == entered.replace(microsecond=entered.microsecond // 1000 * 1000)
    assert code.code not in (event.message + str(event.data))
    stay.refresh_from_db()
    assert (stay.arrived_at, stay.first_entry) == (event.occurred_at, event)

    # Read again, and the minute after: nothing is stored twice.
    assert account_events_read(account=workspace, now=entered + 2 * MINUTE) == []
    assert account_events_read(account=workspace, now=entered + 3 * MINUTE) == []
    assert Event.objects.filter(event_type="lock.unlocked").count() == 1


def test_three_wrong_pins_at_a_seam_lock_at_check_in_raise_a_lockout(
    owner, room, door, workspace, fake_seam, now
):
    stay, _ = stay_with_its_code_on_seam(owner, room, door, now)
    for minute in range(3):
        at_the_door(
            fake_seam, "lock.access_denied", "august_device_1", stay.check_in + minute * MINUTE
        )

    denied = account_events_read(account=workspace, now=stay.check_in + 3 * MINUTE)

    assert [e.data["method"] for e in denied] == ["keycode"] * 3
    (alert,) = EntryAlert.objects.filter(reservation=stay, kind=EntryAlert.Kind.LOCKOUT)
    assert (alert.lock, alert.attempts) == (door, 3)


def test_unlock_now_opens_the_seam_door_and_its_report_is_not_stored_twice(
    owner, door, workspace, fake_seam, now
):
    assert (door.locked, door.can_remotely_unlock, door.can_remotely_lock) == (True, True, True)

    attempt, ours = remote.lock_turn(
        lock=door, unlock=True, now=now, by="Bob", reason="Guest's phone is dead or lost"
    )

    assert attempt.status == ActionAttempt.Status.SUCCESS
    assert fake_seam.device("august_device_1")["properties"]["locked"] is False
    (reported,) = [e for e in fake_seam.events() if e["event_type"] == "lock.unlocked"]
    # Seam's report of it, read on the next minute, is our record of it (who, why).
    assert account_events_read(account=workspace, now=now + MINUTE) == []
    ours.refresh_from_db()
    assert ours.driver_event_ref == f"seam:{reported['event_id']}"
    assert ours.data["by"] == "Bob"
    assert Event.objects.filter(event_type="lock.unlocked").count() == 1

    remote.lock_turn(lock=door, unlock=False, now=now + 2 * MINUTE, by="Bob")
    assert fake_seam.device("august_device_1")["properties"]["locked"] is True
    door.refresh_from_db()
    assert door.locked is True


def test_a_feed_seam_cannot_serve_is_read_from_the_same_place_once_it_can(
    owner, door, workspace, fake_seam, now
):
    fake_seam.http.post(
        "/_fake/simulate_workspace_outage",
        json={"workspace_id": "seed_workspace_1", "routes": ["/events/list"]},
    ).raise_for_status()
    at_the_door(fake_seam, "lock.unlocked", "august_device_1", now, method="manual")

    assert account_events_read(account=workspace, now=now + MINUTE) == []
    workspace.refresh_from_db()
    (warning,) = [w for w in workspace.warnings if w["warning_code"] == EVENTS_UNREAD]
    assert "Seam's service failed (HTTP 503)" in warning["message"]

    fake_seam.reset()  # Seam is back (and has the entry again)
    at_the_door(fake_seam, "lock.unlocked", "august_device_1", now, method="manual")
    (entry,) = account_events_read(account=workspace, now=now + 2 * MINUTE)
    assert entry.data["method"] == "manual"
    workspace.refresh_from_db()
    assert not [w for w in workspace.warnings if w["warning_code"] == EVENTS_UNREAD]


# --- against recorded answers ---------------------------------------------------------------


@pytest.fixture
def room_12(owner, hotel, recorded_workspace):
    """Room 12's Schlage, registered from Seam's recorded answer for it."""
    return lock_register(
        owner=owner,
        property=hotel,
        driver="seam",
        device_id=DEVICE_ID,
        now=NOW,
        account=recorded_workspace,
    )


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest-first", "oldest-first"])
def test_a_feed_over_many_pages_is_stored_whole_and_once(
    room_12, recorded_workspace, recorded_seam, monkeypatch, newest_first
):
    monkeypatch.setattr(seam_events, "PAGE_SIZE", 20)
    recorded_seam.events = many_events(67, start=NOW - timedelta(minutes=30))
    recorded_seam.newest_first = newest_first

    stored = account_events_read(account=recorded_workspace, now=NOW)

    assert len(stored) == 67 and {e.lock for e in stored} == {room_12}
    assert len(recorded_seam.asked) >= 4  # a page at a time
    recorded_seam.events.append(recorded_event("05", event_id="next", created_at=NOW.isoformat()))
    (after,) = account_events_read(account=recorded_workspace, now=NOW + MINUTE)
    assert after.driver_event_ref == "seam:next"
    assert Event.objects.filter(lock=room_12, driver_event_ref__startswith="seam:").count() == 68


def test_an_unlock_the_seam_lock_fails_is_an_attempt_in_error_and_no_event(room_12, recorded_seam):
    recorded_seam.answers.update(recorded("unlock_door_failed"))
    assert (room_12.locked, room_12.can_remotely_unlock, room_12.can_remotely_lock) == (
        False,
        True,
        False,
    )

    attempt, event = remote.lock_turn(lock=room_12, unlock=True, now=NOW, by="Bob")

    assert (attempt.status, event) == (ActionAttempt.Status.ERROR, None)
    assert attempt.error["message"] == "The lock did not unlock: Seam reports the attempt failed."
    # Seam says this lock cannot be locked remotely: refused before asking.
    with pytest.raises(ServiceError, match="cannot be locked remotely"):
        remote.lock_turn(lock=room_12, unlock=False, now=NOW, by="Bob")
