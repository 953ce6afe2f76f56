"""The Seam driver reads what its locks report at their doors, and turns their bolts: against
recorded Seam answers (tests/seam/recorded/), served on loopback and read through the SDK."""

from datetime import UTC, datetime, timedelta

import pytest
from seam.resources import Device

from locks.drivers import DriverError, get_driver
from locks.drivers.base import (
    ACCESS_DENIED,
    KEYCODE,
    LOCKED,
    MANUAL,
    REMOTE,
    UNKNOWN,
    UNLOCKED,
)
from locks.drivers.seam import device_info
from locks.drivers.seam_events import PAGE_SIZE
from tests.seam.recorded_seam import (
    API_KEY,
    DEVICE_ID,
    RecordedSeam,
    recorded,
    recorded_event,
)

# Five minutes after the last recorded event.
NOW = datetime(2026, 6, 3, 14, 35, tzinfo=UTC)
ANNA_CODE = "b7a2d7b4-6c8e-4b51-9a43-3b0d1e2f4c55"


def driver_for(server, now=NOW):
    return get_driver("seam", now=now, api_key=API_KEY, endpoint=server.base_url)


def read_all(server, cursor=None, now=NOW, reads=10):
    """Every batch from `cursor` while the driver says there is more; the last cursor."""
    driver, batches = driver_for(server, now), []
    for _ in range(reads):
        batch = driver.read_events("workspace", cursor)
        batches.append(batch)
        cursor = batch.cursor
        if not batch.more:
            return batches, cursor
    raise AssertionError(f"still more after {reads} reads")


def by_ref(batch):
    return {e.ref[-2:]: e for e in batch.events}


def test_seams_door_events_are_read_as_what_the_lock_reported(recorded_seam):
    (batch,), _ = read_all(recorded_seam)
    events = by_ref(batch)

    entry = events["03"]  # Anna's PIN at Room 12's keypad
    assert (entry.event_type, entry.method, entry.code_ref) == (UNLOCKED, KEYCODE, ANNA_CODE)
    assert (entry.device_id, entry.occurred_at) == (
        DEVICE_ID,
        datetime(2026, 6, 3, 14, 3, 5, 512775, tzinfo=UTC),
    )
    assert entry.ref == "9d2e6f1a-3b4c-4d5e-8f70-1a2b3c4d5e03"  # Seam's event id
    # Wrong PINs (Seam says why, or not) are denied keypad attempts; a card refused is not.
    assert [(events[n].event_type, events[n].method) for n in ("01", "02", "08")] == [
        (ACCESS_DENIED, KEYCODE),
        (ACCESS_DENIED, KEYCODE),
        (ACCESS_DENIED, UNKNOWN),
    ]
    assert (events["05"].event_type, events["05"].method) == (UNLOCKED, MANUAL)
    assert (events["07"].event_type, events["07"].method) == (UNLOCKED, REMOTE)
    # An auto-relock and a phone's Bluetooth key are none of a PIN, a hand or our command.
    assert (events["04"].event_type, events["04"].method) == (LOCKED, UNKNOWN)
    assert events["10"].method == UNKNOWN
    assert "06" not in events  # device.connected is no door event
    # Oldest first, by when they happened at the door.
    times = [e.occurred_at for e in batch.events]
    assert times == sorted(times)
    # Seam quotes the PIN typed; nothing read keeps it.
    assert "4821" not in repr(batch) and "1357" not in repr(batch)


def test_the_first_read_looks_back_an_hour_by_when_seam_got_each_event(recorded_seam):
    (batch,), _ = read_all(recorded_seam)
    events = by_ref(batch)

    assert "11" not in events  # Seam got it at 12:40, nearly two hours ago
    # A lock back online reported its 13:05 entry at 14:25: it is read.
    assert events["09"].occurred_at == datetime(2026, 6, 3, 13, 5, tzinfo=UTC)
    (asked,) = recorded_seam.asked
    assert sorted(asked["event_types"]) == ["lock.access_denied", "lock.locked", "lock.unlocked"]
    assert float(asked["limit"]) == PAGE_SIZE


def test_the_next_read_gets_what_came_since_and_never_misses_a_late_one(recorded_seam):
    _, cursor = read_all(recorded_seam)
    # Seam gets two more: one now, and one it made visible late, dated a minute before the
    # newest event the last read saw.
    recorded_seam.events += [
        recorded_event("05", event_id="late", created_at="2026-06-03T14:29:01.000000Z"),
        recorded_event("05", event_id="new-1", created_at="2026-06-03T14:36:00.000000Z"),
    ]

    (batch,), cursor = read_all(recorded_seam, cursor, now=NOW + timedelta(minutes=2))

    refs = {e.ref for e in batch.events}
    assert {"late", "new-1"} <= refs
    assert not {ref[-2:] for ref in refs} & {"01", "03"}  # long before: not read again
    (again,), _ = read_all(recorded_seam, cursor, now=NOW + timedelta(minutes=3))
    assert "new-1" in {e.ref for e in again.events}  # read again (overlap), stored once by ref


def many_events(count: int, *, start: datetime) -> list[dict]:
    """`count` keypad entries at Room 12, three to each instant Seam records (so a page can
    end inside one instant)."""
    return [
        recorded_event(
            "03",
            event_id=f"entry-{n:04}",
            occurred_at=(start + timedelta(seconds=n // 3)).isoformat(),
            created_at=(start + timedelta(seconds=n // 3)).isoformat(),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest-first", "oldest-first"])
def test_a_feed_longer_than_a_page_is_read_whole_a_page_at_a_time(newest_first):
    events = many_events(2 * PAGE_SIZE + 203, start=NOW - timedelta(minutes=40))
    with RecordedSeam(events, newest_first=newest_first) as seam:
        batches, cursor = read_all(seam)

        refs = [e.ref for b in batches for e in b.events]
        assert set(refs) == {e["event_id"] for e in events}
        assert all(len(b.events) <= PAGE_SIZE for b in batches)
        assert all(len(b.cursor) <= 100 for b in batches)  # what DriverAccount keeps
        assert [b.more for b in batches][-1] is False and len(batches) <= 5

        # What Seam gets while the feed is read is read next.
        seam.events.append(recorded_event("05", event_id="after", created_at=NOW.isoformat()))
        later, _ = read_all(seam, cursor, now=NOW + timedelta(minutes=1))
        assert "after" in {e.ref for b in later for e in b.events}


def test_an_event_seam_gets_between_two_pages_is_not_lost():
    events = many_events(PAGE_SIZE + 10, start=NOW - timedelta(minutes=40))
    with RecordedSeam(events) as seam:  # newest first: the first page is the newest
        driver = driver_for(seam)
        first = driver.read_events("workspace", None)
        assert first.more
        seam.events.append(recorded_event("05", event_id="meanwhile", created_at=NOW.isoformat()))

        rest, _ = read_all(seam, first.cursor)

        refs = {e.ref for b in [first, *rest] for e in b.events}
        assert {e["event_id"] for e in events} <= refs
        later, _ = read_all(seam, rest[-1].cursor, now=NOW + timedelta(minutes=1))
        assert "meanwhile" in refs | {e.ref for b in later for e in b.events}


@pytest.mark.parametrize("parse", [dict, Device.from_dict], ids=["recorded", "sdk"])
def test_a_device_says_its_bolt_and_what_it_can_be_told_remotely(parse):
    info = device_info(parse(recorded("devices_get")["device"]))
    assert (info.locked, info.can_remotely_unlock, info.can_remotely_lock) == (False, True, False)

    bare = device_info(parse({"device_id": "d1", "properties": {"online": True}}))
    assert (bare.locked, bare.can_remotely_unlock, bare.can_remotely_lock) == (None, False, False)


def test_an_unlock_the_lock_does_not_carry_out_is_an_error_in_plain_words(recorded_seam):
    answers = recorded("unlock_door_failed")
    recorded_seam.answers.update(answers)

    with pytest.raises(DriverError) as failed:
        driver_for(recorded_seam).unlock(DEVICE_ID)

    assert failed.value.message == "The lock did not unlock: Seam reports the attempt failed."
    assert not failed.value.permanent  # worth trying again
    seams_words = answers["action_attempts/get"]["action_attempt"]["error"]["message"]
    assert seams_words not in failed.value.message


def test_a_feed_seam_will_not_answer_is_an_error_in_plain_words(recorded_seam):
    refused = get_driver("seam", now=NOW, api_key="seam_wrong_key", endpoint=recorded_seam.base_url)
    with pytest.raises(DriverError) as error:
        refused.read_events("workspace", None)
    assert error.value.permanent
    assert "reconnect the Seam workspace" in error.value.message
