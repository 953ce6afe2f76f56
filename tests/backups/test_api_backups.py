"""Backups through the API, in Seam's dialect: the pool switch, pulls, and what a device shows."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from seam.exceptions import SeamHttpApiError

from backups.services import backup_pool_enable
from locks import access_codes
from locks.drivers.simulated import keypad_entry
from locks.models import AccessCode, Event, SimulatedDevice
from tests import factories
from tests.locks.seam_api import call, reconcile


def ready_backups(lock) -> list[AccessCode]:
    return list(
        AccessCode.objects.filter(
            lock=lock, kind="backup", pulled_at__isnull=True, deleted_at__isnull=True, status="set"
        )
    )


def fill_pool(lock) -> list[AccessCode]:
    backup_pool_enable(lock=lock, now=timezone.now())
    reconcile()
    reconcile()
    backups = ready_backups(lock)
    assert len(backups) == 5
    return backups


def stay_window(days: int = 3) -> dict:
    starts = timezone.now() + timedelta(hours=1)
    return {
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(days=days)).isoformat(),
    }


def test_use_backup_access_code_pool_on_create_turns_the_pool_on(seam, lock):
    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.properties.supports_backup_access_code_pool is True
    assert device.properties.backup_access_code_pool_enabled is False

    seam.access_codes.create(
        device_id=str(lock.public_id),
        name="Anna",
        use_backup_access_code_pool=True,
        **stay_window(),
    )
    reconcile()
    reconcile()
    assert len(ready_backups(lock)) == 5
    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.properties.backup_access_code_pool_enabled is True
    assert device.errors == [] and device.warnings == []
    listed = seam.access_codes.list(device_id=str(lock.public_id))
    backups = [c for c in listed if c.is_backup]
    assert len(backups) == 5 and {c.code for c in backups} == {None}  # hidden until pulled


def test_use_backup_access_code_pool_on_update_turns_the_pool_on_once(client, key, seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), name="Anna", **stay_window())
    for _ in range(2):
        status, _ = call(
            client,
            "PATCH",
            "access_codes/update",
            key,
            {"access_code_id": code.access_code_id, "use_backup_access_code_pool": True},
        )
        assert status == 200
    reconcile()
    reconcile()
    assert len(ready_backups(lock)) == 5
    assert Event.objects.filter(lock=lock, event_type="device.backup_pool_enabled").count() == 1


def test_false_leaves_the_pool_as_it_is(seam, lock):
    fill_pool(lock)
    seam.access_codes.create(device_id=str(lock.public_id), use_backup_access_code_pool=False)
    lock.refresh_from_db()
    assert lock.backup_pool_enabled and len(ready_backups(lock)) == 5


# --- pulling -------------------------------------------------------------------------------------


def test_a_pull_hands_out_a_healthy_backup_until_the_code_ends(client, key, seam, lock):
    backups = fill_pool(lock)
    code = seam.access_codes.create(device_id=str(lock.public_id), name="Anna", **stay_window())
    assert seam.access_codes.get(access_code_id=code.access_code_id).is_backup_access_code_available

    backup = seam.access_codes.pull_backup_access_code(access_code_id=code.access_code_id)

    assert backup.access_code_id in {str(b.pk) for b in backups}
    assert backup.code == AccessCode.objects.get(pk=backup.access_code_id).code
    assert (backup.is_backup, backup.type, backup.status) == (True, "time_bound", "set")
    assert backup.ends_at == code.ends_at
    original = seam.access_codes.get(access_code_id=code.access_code_id)
    assert original.pulled_backup_access_code_id == backup.access_code_id
    assert [w.warning_code for w in original.warnings] == ["using_backup_access_code"]
    [event] = seam.events.list(
        since="2020-01-01T00:00:00Z", event_type="access_code.backup_access_code_pulled"
    )
    assert event.access_code_id == code.access_code_id
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    assert keypad_entry(device, backup.code, timezone.now()) is not None
    reconcile()
    assert len(ready_backups(lock)) == 5  # refilled


def test_pulling_again_answers_the_same_backup_under_both_keys(client, key, seam, lock):
    fill_pool(lock)
    code = seam.access_codes.create(device_id=str(lock.public_id), **stay_window())
    first = seam.access_codes.pull_backup_access_code(access_code_id=code.access_code_id)
    status, body = call(
        client,
        "POST",
        "access_codes/pull_backup_access_code",
        key,
        {"access_code_id": code.access_code_id},
    )
    assert status == 200 and body["ok"] is True
    assert body["access_code"] == body["backup_access_code"]
    assert body["access_code"]["access_code_id"] == first.access_code_id
    assert body["access_code"]["code"] == first.code
    assert AccessCode.objects.filter(lock=lock, pulled_at__isnull=False).count() == 1


def test_an_empty_pool_answers_409_and_the_device_says_so(seam, lock):
    backup_pool_enable(lock=lock, now=timezone.now())  # on, but nothing on the lock yet
    code = seam.access_codes.create(device_id=str(lock.public_id), **stay_window())
    assert not seam.access_codes.get(
        access_code_id=code.access_code_id
    ).is_backup_access_code_available

    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.pull_backup_access_code(access_code_id=code.access_code_id)

    assert (exc.value.status_code, exc.value.code) == (409, "no_backup_access_code_available")
    original = seam.access_codes.get(access_code_id=code.access_code_id)
    assert original.pulled_backup_access_code_id is None and original.warnings == []
    device = seam.devices.get(device_id=str(lock.public_id))
    assert [e.error_code for e in device.errors] == ["empty_backup_access_code_pool"]
    assert device.errors[0].is_device_error is True


def test_a_lock_without_a_pool_has_no_backup_to_give(seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), **stay_window())
    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.pull_backup_access_code(access_code_id=code.access_code_id)
    assert exc.value.status_code == 409


@pytest.mark.parametrize("which", ["ongoing", "backup"])
def test_only_a_time_bound_code_gets_a_backup(client, key, seam, lock, which):
    backups = fill_pool(lock)
    if which == "ongoing":
        access_code_id = seam.access_codes.create(device_id=str(lock.public_id)).access_code_id
    else:
        timed = seam.access_codes.create(device_id=str(lock.public_id), **stay_window())
        pulled = seam.access_codes.pull_backup_access_code(access_code_id=timed.access_code_id)
        access_code_id = pulled.access_code_id  # a backup cannot get a backup of its own
    status, body = call(
        client,
        "POST",
        "access_codes/pull_backup_access_code",
        key,
        {"access_code_id": access_code_id},
    )
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "access_code_id" in body["error"]["validation_errors"]
    pulled_now = AccessCode.objects.filter(pk__in=[b.pk for b in backups], pulled_at__isnull=False)
    assert pulled_now.count() == (0 if which == "ongoing" else 1)


def test_an_unknown_code_answers_404(client, key, lock):
    status, body = call(
        client,
        "POST",
        "access_codes/pull_backup_access_code",
        key,
        {"access_code_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert (status, body["error"]["type"]) == (404, "access_code_not_found")


def test_an_outsider_cannot_pull_or_see_their_backups(client, key, lock, other_lock):
    theirs = fill_pool(other_lock)
    now = timezone.now()
    their_code, _ = access_codes.access_code_create(
        lock=other_lock,
        now=now,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(days=2),
    )
    status, body = call(
        client,
        "POST",
        "access_codes/pull_backup_access_code",
        key,
        {"access_code_id": str(their_code.pk)},
    )
    assert (status, body["error"]["type"]) == (404, "access_code_not_found")
    their_code.refresh_from_db()
    assert their_code.pulled_backup_id is None and len(ready_backups(other_lock)) == 5
    _, listed = call(
        client, "POST", "access_codes/list", key, {"access_code_ids": [str(b.pk) for b in theirs]}
    )
    assert listed["access_codes"] == []


# --- what codes and devices say --------------------------------------------------------------


def test_availability_is_looked_up_once_per_page(client, key, owner, hotel, lock):
    now = timezone.now()
    street = factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=now)
    fill_pool(lock)  # the street door has no pool
    window = {"starts_at": now + timedelta(hours=1), "ends_at": now + timedelta(days=2)}
    ids = []
    for door in (lock, street):
        for n in range(4):
            code, _ = access_codes.access_code_create(
                lock=door, now=now, name=f"{door.name} {n}", **window
            )
            ids.append(str(code.pk))
    ongoing, _ = access_codes.access_code_create(lock=lock, now=now, name="Cleaner")
    ids.append(str(ongoing.pk))

    def listed(limit: int) -> tuple[dict, int]:
        with CaptureQueriesContext(connection) as queries:
            status, body = call(
                client, "POST", "access_codes/list", key, {"access_code_ids": ids, "limit": limit}
            )
        assert status == 200
        return {c["name"]: c["is_backup_access_code_available"] for c in body["access_codes"]}, len(
            queries
        )

    listed(1)  # the key's first use is written down once: not part of the count
    few, few_queries = listed(2)
    available, all_queries = listed(100)
    assert len(few) == 2 and all_queries == few_queries
    assert available == {
        **{f"Room 101 door {n}": True for n in range(4)},
        **{f"Street door {n}": False for n in range(4)},
        "Cleaner": False,
    }


def test_a_device_shows_its_pool_and_its_trouble_in_seams_shape(seam, owner, hotel, t0):
    now = timezone.now()
    strict = factories.simulated_lock(owner=owner, property=hotel, model="strict", now=now)
    for n in range(3):
        access_codes.access_code_create(lock=strict, now=now, name=f"Staff {n}")
    reconcile()
    fill = backup_pool_enable(lock=strict, now=now)
    assert fill.backup_pool_enabled
    reconcile()
    reconcile()

    device = seam.devices.get(device_id=str(strict.public_id))
    props = device.properties
    assert props.supports_backup_access_code_pool is True
    assert props.backup_access_code_pool_enabled is True
    [warning] = device.warnings
    assert warning.warning_code == "partial_backup_access_code_pool"
    assert warning.message.startswith("3 of 5 backup codes ready")
    assert warning.created_at
