"""The driver's verdict decides: a permanent refusal waits for a change, a transient one retries."""

from datetime import timedelta

import pytest

from locks import scheduler
from locks.access_codes import access_code_create, access_code_update
from locks.drivers import DriverError
from locks.drivers.simulated import SimulatedDriver
from locks.models import AccessCode, Event, Lock, SimulatedDevice

Status = AccessCode.Status
MINUTE = timedelta(minutes=1)


@pytest.fixture
def refusing(monkeypatch):
    """The simulated lock refuses every set for good, and counts the tries."""
    tries = []

    def refuse(self, device_id, spec):
        tries.append(spec.name)
        raise DriverError("The lock refused the code for good.", permanent=True)

    monkeypatch.setattr(SimulatedDriver, "set_code", refuse)
    return tries


def event_types(code):
    return list(Event.objects.filter(access_code=code).values_list("event_type", flat=True))


def test_a_write_refused_for_good_is_not_sent_again_and_says_so_at_once(lock, t0, refusing):
    code, _ = access_code_create(lock=lock, now=t0, name="Guest")

    for minute in range(90):
        scheduler.run_due_locks(now=t0 + minute * MINUTE)

    code.refresh_from_db()
    assert refusing == ["Guest"]
    assert code.status == Status.UNSET
    assert code.has_error("failed_to_set_on_device")
    assert "refused the code for good" in code.errors[0]["message"]
    assert not code.has_warning("delay_in_setting_on_device")
    assert event_types(code).count("access_code.failed_to_set_on_device") == 1


def test_a_refused_write_is_tried_again_once_the_code_is_changed(lock, t0, refusing, monkeypatch):
    code, _ = access_code_create(lock=lock, now=t0, name="Guest")
    scheduler.run_due_locks(now=t0)
    scheduler.run_due_locks(now=t0 + 5 * MINUTE)
    assert refusing == ["Guest"]

    monkeypatch.undo()  # the lock takes codes again: the change is what makes us try
    access_code_update(access_code=code, now=t0 + 10 * MINUTE, name="Guest, room 101")
    scheduler.run_due_locks(now=t0 + 10 * MINUTE)

    code.refresh_from_db()
    assert code.status == Status.SET
    assert code.errors == []


def test_a_lock_unreachable_for_good_is_retried_at_the_longest_back_off(lock, t0):
    SimulatedDevice.objects.filter(device_id=lock.device_id).delete()

    scheduler.run_due_locks(now=t0)

    lock = Lock.objects.get(pk=lock.pk)
    assert lock.has_error("device_removed")
    assert lock.next_check_at == t0 + timedelta(minutes=15)
