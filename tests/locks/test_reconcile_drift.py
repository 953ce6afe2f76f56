"""Someone fiddles with the lock: a code removed or added at the keypad, a factory reset."""

from datetime import timedelta

import pytest

from locks import pins, scheduler
from locks.access_codes import access_code_create
from locks.drivers.simulated import keypad_entry
from locks.errors import ServiceError
from locks.models import AccessCode, Event, SimulatedDevice
from locks.simulator import simulated_add_unmanaged_code, simulated_remove_code

Status = AccessCode.Status


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def pins_on(lock):
    return sorted(device_of(lock).codes.values_list("code", flat=True))


def event_types(code):
    return list(Event.objects.filter(access_code=code).values_list("event_type", flat=True))


def test_it_puts_back_a_code_removed_at_the_keypad_within_the_poll_interval(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, code="4831")
    scheduler.run_due_locks(now=t0)

    removed_at = t0 + timedelta(minutes=2)
    simulated_remove_code(lock=lock, code="4831", now=removed_at)
    for minute in range(2, 18):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    code.refresh_from_db()
    assert pins_on(lock) == ["4831"]
    assert keypad_entry(device_of(lock), "4831", t0 + timedelta(minutes=17)) is not None
    assert code.status == Status.SET
    assert event_types(code).count("access_code.deleted_external_to_seam") == 1
    assert not code.errors


def test_it_honours_a_removal_at_the_keypad_when_external_edits_are_allowed(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, code="4831", allow_external_modification=True)
    scheduler.run_due_locks(now=t0)

    simulated_remove_code(lock=lock, code="4831", now=t0 + timedelta(minutes=1))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=15))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=45))

    code.refresh_from_db()
    assert pins_on(lock) == []
    assert code.status == Status.REMOVED
    assert code.has_warning("external_modification_in_effect")
    assert "access_code.deleted_external_to_seam" in event_types(code)


def test_a_code_added_at_the_keypad_shows_up_as_unmanaged(lock, t0):
    simulated_add_unmanaged_code(lock=lock, code="8642", name="Owner's own", now=t0)
    scheduler.run_due_locks(now=t0)

    row = AccessCode.objects.get(lock=lock, is_managed=False)
    assert (row.code, row.name, row.status) == ("8642", "Owner's own", Status.SET)
    assert Event.objects.filter(
        access_code=row, event_type="access_code.unmanaged.created"
    ).exists()
    assert pins_on(lock) == ["8642"]


def test_it_keeps_one_unmanaged_row_per_code_over_many_polls(lock, t0):
    simulated_add_unmanaged_code(lock=lock, code="8642", name="Owner's own", now=t0)
    for hour in range(5):
        scheduler.run_due_locks(now=t0 + timedelta(hours=hour))

    assert AccessCode.objects.filter(lock=lock, is_managed=False).count() == 1


def test_an_unmanaged_code_removed_at_the_keypad_is_marked_removed(lock, t0):
    simulated_add_unmanaged_code(lock=lock, code="8642", name="Owner's own", now=t0)
    scheduler.run_due_locks(now=t0)

    simulated_remove_code(lock=lock, code="8642", now=t0 + timedelta(minutes=1))
    scheduler.run_due_locks(now=t0 + timedelta(minutes=15))

    row = AccessCode.objects.get(lock=lock, is_managed=False)
    assert row.status == Status.REMOVED


def test_a_generated_pin_never_collides_with_an_unmanaged_code(lock, t0, monkeypatch):
    simulated_add_unmanaged_code(lock=lock, code="8642", name="Owner's own", now=t0)
    scheduler.run_due_locks(now=t0)
    # The generator's first draw is the unmanaged PIN; it must draw again.
    digits = iter("8642" + "3917")
    monkeypatch.setattr(pins.secrets, "choice", lambda alphabet: next(digits))

    code, _ = access_code_create(lock=lock, now=t0 + timedelta(minutes=1))

    assert code.code == "3917"


def test_a_given_pin_equal_to_an_unmanaged_code_is_refused(lock, t0):
    simulated_add_unmanaged_code(lock=lock, code="8642", name="Owner's own", now=t0)
    scheduler.run_due_locks(now=t0)

    with pytest.raises(ServiceError, match="already in use"):
        access_code_create(lock=lock, now=t0 + timedelta(minutes=1), code="8642")


def test_a_managed_code_whose_pin_is_on_the_lock_is_adopted_without_a_write(lock, t0):
    starts = t0 + timedelta(days=2)
    code, _ = access_code_create(
        lock=lock, now=t0, code="4831", starts_at=starts, ends_at=starts + timedelta(days=1)
    )
    scheduler.run_due_locks(now=t0)
    # Someone typed the guest's PIN into the lock by hand just before we got to it.
    simulated_add_unmanaged_code(
        lock=lock, code="4831", name="typed in", now=starts - timedelta(minutes=31)
    )

    scheduler.run_due_locks(now=starts - timedelta(minutes=30))

    code.refresh_from_db()
    assert code.status == Status.SET
    assert device_of(lock).writes == 0
    assert not AccessCode.objects.filter(lock=lock, is_managed=False).exists()
