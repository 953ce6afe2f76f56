"""Codes someone put on the lock by hand: seen, respected (PINs, slots), taken over or removed."""

from datetime import timedelta

import pytest

from locks import access_codes, simulator, unmanaged
from locks.errors import ServiceError
from locks.models import AccessCode, Event
from locks.selectors import live_codes_for_lock
from locks.tenancy import services as tenancy
from tests import factories
from tests.backups.lockside import lock_warnings, opens, pins_on_lock, run
from tests.reservations.front_desk import book


def found(lock, pin: str) -> AccessCode:
    return AccessCode.objects.get(lock=lock, code=pin, removed_at__isnull=True)


def test_a_code_added_at_the_keypad_is_listed_as_unmanaged(owner, lock, t0):
    simulator.simulated_add_unmanaged_code(lock=lock, code="5927", name="Gardener", now=t0)
    run(t0)
    (code,) = live_codes_for_lock(lock, managed=False)
    assert (code.name, code.code, code.status) == ("Gardener", "5927", "set")
    assert not live_codes_for_lock(lock).exists()  # not among the codes managed here
    assert Event.objects.filter(access_code=code, event_type="access_code.unmanaged.created")

    # Removed at the keypad again: it leaves the list, and nothing puts it back.
    simulator.simulated_remove_code(lock=lock, code="5927", now=t0)
    run(t0 + timedelta(minutes=16))
    assert not live_codes_for_lock(lock, managed=False).exists()
    assert not opens(lock, "5927", t0 + timedelta(minutes=17))


def test_its_pin_is_never_given_to_anyone_else(owner, room, lock, t0):
    simulator.simulated_add_unmanaged_code(lock=lock, code="5927", name="Gardener", now=t0)
    run(t0)
    with pytest.raises(ServiceError) as exc:
        access_codes.access_code_create(lock=lock, now=t0, code="5927")
    assert exc.value.type == "duplicate_access_code"
    assert "5927" not in exc.value.message

    tenancy.owner_settings_update(owner=owner, guest_pin_source="phone")
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), phone="+351912345927")
    assert stay.pin != "5927" and stay.pin_note


def test_it_takes_a_slot(owner, hotel, room, t0):
    lever = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Lever", now=t0, model="strict"
    )
    for pin in ("592748", "738194"):
        simulator.simulated_add_unmanaged_code(lock=lever, code=pin, name="By hand", now=t0)
    run(t0)
    codes = [
        access_codes.access_code_create(lock=lever, now=t0, name=f"Staff {n}")[0] for n in range(5)
    ]
    run(t0 + timedelta(minutes=1))

    statuses = sorted(AccessCode.objects.get(pk=c.pk).status for c in codes)
    assert statuses == ["set", "set", "set", "set", "unset"]
    waiting = AccessCode.objects.get(status="unset", lock=lever)
    assert waiting.has_error("no_space_for_access_code_on_device")
    assert "max_access_codes_reached" in lock_warnings(lever)
    assert len(pins_on_lock(lever)) == 6


def test_taken_over_it_is_kept_on_the_lock_like_any_managed_code(owner, lock, t0):
    simulator.simulated_add_unmanaged_code(lock=lock, code="5927", name="Gardener", now=t0)
    run(t0)
    code = unmanaged.unmanaged_code_take_over(access_code=found(lock, "5927"), now=t0)
    assert (code.is_managed, code.name) == (True, "Gardener")
    run(t0)
    code.refresh_from_db()
    assert code.status == "set" and code.is_managed
    assert Event.objects.filter(
        access_code=code, event_type="access_code.unmanaged.converted_to_managed"
    ).exists()

    # Now ours: removed at the keypad, it is put back.
    simulator.simulated_remove_code(lock=lock, code="5927", now=t0)
    run(t0 + timedelta(minutes=16))
    assert opens(lock, "5927", t0 + timedelta(minutes=17))


def test_removed_it_comes_off_the_lock(owner, lock, t0):
    simulator.simulated_add_unmanaged_code(lock=lock, code="7316", name="Old master", now=t0)
    run(t0)
    unmanaged.unmanaged_code_remove(access_code=found(lock, "7316"), now=t0 + timedelta(minutes=1))
    run(t0 + timedelta(minutes=1))
    assert not opens(lock, "7316", t0 + timedelta(minutes=2))
    assert AccessCode.objects.get(lock=lock, code="7316").status == "removed"
    # Its PIN is not handed out again soon: whoever knew it might come back.
    with pytest.raises(ServiceError):
        access_codes.access_code_create(lock=lock, now=t0 + timedelta(minutes=3), code="7316")


def test_a_managed_code_is_not_taken_over_or_removed_as_unmanaged(owner, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Cleaner")
    with pytest.raises(ServiceError, match="not one found on the lock"):
        unmanaged.unmanaged_code_take_over(access_code=code, now=t0)
    with pytest.raises(ServiceError, match="not one found on the lock"):
        unmanaged.unmanaged_code_remove(access_code=code, now=t0)
