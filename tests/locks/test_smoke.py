from datetime import timedelta

from locks import scheduler
from locks.access_codes import access_code_create
from locks.models import AccessCode, SimulatedDevice


def test_a_code_due_now_reaches_the_lock_in_one_pass(lock, t0):
    code, _ = access_code_create(lock=lock, now=t0, name="Staff")
    scheduler.run_due_locks(now=t0)
    code.refresh_from_db()
    assert code.status == AccessCode.Status.SET
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    assert list(device.codes.values_list("code", flat=True)) == [code.code]


def test_a_future_code_waits_until_its_lead_time(lock, t0):
    code, _ = access_code_create(
        lock=lock, now=t0, starts_at=t0 + timedelta(minutes=35), ends_at=t0 + timedelta(days=1)
    )
    scheduler.run_due_locks(now=t0)
    code.refresh_from_db()
    assert code.status == AccessCode.Status.UNSET
    scheduler.run_due_locks(now=t0 + timedelta(minutes=5))
    code.refresh_from_db()
    assert code.status == AccessCode.Status.SET
