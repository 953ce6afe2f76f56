from datetime import timedelta

from backups.services import backup_pool_enable, backup_pull
from locks.access_codes import access_code_create
from locks.drivers.simulated import keypad_entry
from locks.models import AccessCode, SimulatedDevice
from locks.scheduler import run_due_locks


def test_an_enabled_pool_fills_and_a_pulled_backup_opens_the_door_until_the_stay_ends(lock, t0):
    backup_pool_enable(lock=lock, now=t0)
    run_due_locks(now=t0)
    run_due_locks(now=t0 + timedelta(minutes=1))
    ready = AccessCode.objects.filter(lock=lock, kind="backup", status="set")
    assert ready.count() == 5

    guest, _ = access_code_create(
        lock=lock, now=t0, name="Guest", starts_at=t0, ends_at=t0 + timedelta(days=1)
    )
    backup = backup_pull(access_code=guest, now=t0 + timedelta(minutes=2))
    assert backup_pull(access_code=guest, now=t0 + timedelta(minutes=3)).pk == backup.pk
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    assert keypad_entry(device, backup.code, t0 + timedelta(hours=1)) is not None

    run_due_locks(now=t0 + timedelta(minutes=5))
    assert (
        AccessCode.objects.filter(
            lock=lock, kind="backup", pulled_at__isnull=True, status="set"
        ).count()
        == 5
    )
    run_due_locks(now=t0 + timedelta(days=1, minutes=1))
    assert keypad_entry(device, backup.code, t0 + timedelta(days=1, minutes=2)) is None
