"""A lock's slot limit: codes that do not fit wait, say why, and go on when a slot frees."""

from datetime import timedelta

from locks import scheduler
from locks.access_codes import access_code_create, access_code_delete
from locks.models import AccessCode, Lock, SimulatedDevice
from locks.simulator import simulated_add_unmanaged_code
from tests import factories

Status = AccessCode.Status


def two_slot_lock(owner, hotel, t0):
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Storeroom", now=t0, max_active_codes=2
    )


def device_of(lock):
    return SimulatedDevice.objects.get(device_id=lock.device_id)


def fresh(*codes):
    for code in codes:
        code.refresh_from_db()
    return codes


def test_a_code_that_does_not_fit_waits_with_a_clear_error_instead_of_a_failed_write(
    owner, hotel, t0
):
    lock = two_slot_lock(owner, hotel, t0)
    first, _ = access_code_create(lock=lock, now=t0, name="first")
    second, _ = access_code_create(lock=lock, now=t0, name="second")
    third, _ = access_code_create(lock=lock, now=t0, name="third")

    scheduler.run_due_locks(now=t0)

    fresh(first, second, third)
    assert [first.status, second.status] == [Status.SET, Status.SET]
    assert third.status == Status.UNSET
    assert third.has_error("no_space_for_access_code_on_device")
    assert "slots" in third.errors[0]["message"]
    assert device_of(lock).writes == 2
    assert Lock.objects.get(pk=lock.pk).has_warning("max_access_codes_reached")


def test_a_waiting_code_is_not_retried_against_a_full_lock(owner, hotel, t0):
    lock = two_slot_lock(owner, hotel, t0)
    for name in ("first", "second", "third"):
        access_code_create(lock=lock, now=t0, name=name)

    for minute in range(0, 120):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    third = AccessCode.objects.get(lock=lock, name="third")
    assert device_of(lock).writes == 2
    assert not third.has_error("failed_to_set_on_device")
    assert not third.has_warning("delay_in_setting_on_device")


def test_guest_codes_take_the_slots_first(owner, hotel, t0):
    lock = two_slot_lock(owner, hotel, t0)
    staff, _ = access_code_create(lock=lock, now=t0, kind="staff")
    backup, _ = access_code_create(lock=lock, now=t0, kind="backup")
    guest, _ = access_code_create(lock=lock, now=t0, kind="guest")

    scheduler.run_due_locks(now=t0)

    fresh(staff, backup, guest)
    assert (guest.status, staff.status) == (Status.SET, Status.SET)
    assert backup.has_error("no_space_for_access_code_on_device")


def test_a_waiting_code_is_programmed_when_a_slot_frees(owner, hotel, t0):
    lock = two_slot_lock(owner, hotel, t0)
    first, _ = access_code_create(lock=lock, now=t0, name="first")
    access_code_create(lock=lock, now=t0, name="second")
    third, _ = access_code_create(lock=lock, now=t0, name="third")
    scheduler.run_due_locks(now=t0)

    later = t0 + timedelta(hours=1)
    access_code_delete(access_code=first, now=later)
    scheduler.run_due_locks(now=later)

    fresh(first, third)
    assert first.status == Status.REMOVED
    assert third.status == Status.SET
    assert third.errors == []
    on_lock = set(device_of(lock).codes.values_list("code", flat=True))
    assert third.code in on_lock and first.code not in on_lock


def test_a_stay_ending_frees_its_slot_for_the_waiting_code(owner, hotel, t0):
    lock = two_slot_lock(owner, hotel, t0)
    leaving, _ = access_code_create(
        lock=lock, now=t0, starts_at=t0, ends_at=t0 + timedelta(hours=3)
    )
    access_code_create(lock=lock, now=t0)
    waiting, _ = access_code_create(lock=lock, now=t0)

    for minute in range(0, 4 * 60, 5):
        scheduler.run_due_locks(now=t0 + timedelta(minutes=minute))

    fresh(leaving, waiting)
    assert leaving.status == Status.REMOVED
    assert waiting.status == Status.SET


def test_codes_nobody_here_manages_use_up_slots_too(owner, hotel, t0):
    lock = two_slot_lock(owner, hotel, t0)
    simulated_add_unmanaged_code(lock=lock, code="8642", name="Owner's", now=t0)
    simulated_add_unmanaged_code(lock=lock, code="9753", name="Cleaner", now=t0)
    code, _ = access_code_create(lock=lock, now=t0)

    scheduler.run_due_locks(now=t0)

    code.refresh_from_db()
    assert code.has_error("no_space_for_access_code_on_device")
    assert device_of(lock).writes == 0


def test_the_lock_warning_clears_once_nothing_waits_for_a_slot(owner, hotel, t0):
    lock = two_slot_lock(owner, hotel, t0)
    first, _ = access_code_create(lock=lock, now=t0)
    access_code_create(lock=lock, now=t0)
    third, _ = access_code_create(lock=lock, now=t0)
    scheduler.run_due_locks(now=t0)

    later = t0 + timedelta(hours=1)
    access_code_delete(access_code=third, now=later)
    access_code_delete(access_code=first, now=later)
    scheduler.run_due_locks(now=later)

    assert not Lock.objects.get(pk=lock.pk).has_warning("max_access_codes_reached")
