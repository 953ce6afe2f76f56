"""The dashboard's plain words: every Seam issue code explained, times on the property's clock."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from locks.models import AccessCode, Event
from locks.words import (
    code_lengths,
    code_state,
    constraint_words,
    event_sentence,
    explain,
    local_time,
    window,
)

LISBON = ZoneInfo("Europe/Lisbon")

SEAM_CODES = [
    ("error_code", "failed_to_set_on_device"),
    ("error_code", "failed_to_remove_from_device"),
    ("error_code", "duplicate_code_on_device"),
    ("error_code", "no_space_for_access_code_on_device"),
    ("error_code", "conflicting_external_modification"),
    ("error_code", "code_modified_external_to_seam"),
    ("error_code", "code_constraints_violated"),
    ("error_code", "provider_issue"),
    ("warning_code", "delay_in_setting_on_device"),
    ("warning_code", "delay_in_setting_code_on_device"),
    ("warning_code", "external_modification_in_effect"),
    ("warning_code", "using_backup_access_code"),
    ("error_code", "device_disconnected"),
    ("error_code", "device_offline"),
    ("error_code", "device_removed"),
    ("error_code", "account_disconnected"),
    ("warning_code", "max_access_codes_reached"),
]


@pytest.mark.parametrize("key, seam_code", SEAM_CODES)
def test_it_explains_every_seam_code_and_says_what_to_do(key, seam_code):
    about = explain({key: seam_code, "message": "raw"})
    assert about["what"] and about["what"] != "raw"
    assert about["todo"]
    assert about["is_error"] == (key == "error_code")


def test_it_falls_back_to_the_message_for_an_unknown_code():
    about = explain({"error_code": "something_new", "message": "The hub is updating."})
    assert about["what"] == "The hub is updating."


def test_it_shows_times_on_the_property_clock_with_the_zone():
    summer = datetime(2026, 7, 1, 14, 0, tzinfo=UTC)
    winter = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert local_time(summer, LISBON) == "Wed 1 Jul, 15:00 WEST"
    assert local_time(winter, LISBON) == "Tue 1 Dec, 15:00 WET"


def time_bound(starts_at: datetime, ends_at: datetime) -> AccessCode:
    return AccessCode(type="time_bound", starts_at=starts_at, ends_at=ends_at)


def test_it_writes_a_window_once_per_zone():
    code = time_bound(
        datetime(2026, 7, 1, 14, 0, tzinfo=UTC), datetime(2026, 7, 3, 10, 0, tzinfo=UTC)
    )
    assert window(code, LISBON) == "Wed 1 Jul, 15:00 → Fri 3 Jul, 11:00 WEST"


def test_it_names_both_zones_when_the_clocks_change_during_a_stay():
    code = time_bound(
        datetime(2026, 10, 24, 14, 0, tzinfo=UTC), datetime(2026, 10, 26, 11, 0, tzinfo=UTC)
    )
    assert window(code, LISBON) == "Sat 24 Oct, 15:00 WEST → Mon 26 Oct, 11:00 WET"


def test_it_says_an_ongoing_code_has_no_end():
    assert window(AccessCode(type="ongoing"), LISBON) == "Always (no end date)"


def test_it_says_code_lengths_and_rules_in_words():
    assert code_lengths([4, 5, 6, 7, 8]) == "4 to 8 digits"
    assert code_lengths([4, 6]) == "4 or 6 digits"
    assert code_lengths([6]) == "6 digits"
    assert constraint_words("no_zeros") == "Must not contain the digit 0"


def test_a_future_code_is_scheduled_then_being_programmed(lock, t0):
    code = AccessCode(
        lock=lock,
        type="time_bound",
        starts_at=t0 + timedelta(minutes=35),
        ends_at=t0 + timedelta(days=1),
    )
    scheduled = code_state(code, lock, t0)
    assert scheduled["label"] == "Scheduled"
    assert scheduled["tone"] == "blue"
    assert "in 5 min" in scheduled["detail"]
    assert code_state(code, lock, t0 + timedelta(minutes=6))["label"] == "Being programmed"
    code.status = "set"
    assert code_state(code, lock, t0 + timedelta(minutes=6))["label"] == "On the lock"


def test_a_code_with_an_error_is_red(lock, t0):
    code = AccessCode(lock=lock, type="ongoing", status="set")
    code.add_error("provider_issue", "Refused.", t0)
    assert code_state(code, lock, t0)["tone"] == "red"


def test_it_tells_events_in_words(lock, t0):
    code = AccessCode(lock=lock, name="Anna")
    event = Event(
        event_type="access_code.pin_revealed", access_code=code, data={"revealed_by": "alice"}
    )
    assert event_sentence(event) == "PIN of “Anna” shown to alice"
    assert event_sentence(Event(event_type="device.disconnected")) == "Lock went offline"
    assert event_sentence(Event(event_type="x.y", message="Something")) == "Something"


def test_a_code_kept_off_the_lock_by_an_error_says_the_error_in_red(lock, t0):
    code = AccessCode(lock=lock, type="ongoing", status="unset")
    code.add_warning("delay_in_setting_on_device", "Taking long.", t0)
    code.add_error("failed_to_set_on_device", "Not programmed after 60 minutes.", t0)

    state = code_state(code, lock, t0)

    assert (state["label"], state["tone"]) == ("Could not be programmed", "red")
    assert state["detail"] == "This code could not be put on the lock."
