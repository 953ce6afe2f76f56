"""The seam driver against Seam's own fake server, through our services and the scheduler."""

from datetime import timedelta

import pytest

from locks import devices, scheduler
from locks.access_codes import access_code_create
from locks.drivers import CodeSpec, DriverError, get_driver
from locks.errors import ServiceError
from locks.models import AccessCode, DriverAccount, Lock
from locks.services import lock_register
from tests.seam.fake_server import API_KEY, free_port

Status = AccessCode.Status


def inbox_by_device(owner):
    return {d.device_id: d for d in devices.inbox(owner)}


def register(owner, hotel, workspace, device_id, now):
    devices.account_discover(account=workspace, now=now)
    return devices.device_register(
        owner=owner, device=inbox_by_device(owner)[device_id], property=hotel, now=now
    )


def run(now, *rows):
    scheduler.run_due_locks(now=now)
    for row in rows:
        row.refresh_from_db()


def test_discovery_puts_the_seeded_locks_in_the_inbox(owner, workspace, t0):
    devices.account_discover(account=workspace, now=t0)

    waiting = inbox_by_device(owner)
    assert {"august_device_1", "august_device_2", "schlage_device_id"} <= set(waiting)
    front = waiting["august_device_1"]
    assert (front.name, front.online, front.battery_level) == ("Front Door", True, 1.0)
    assert front.takes_codes
    workspace.refresh_from_db()
    assert workspace.errors == []


def test_a_registered_lock_gets_its_code_time_bound_and_seam_removes_it_at_the_end(
    owner, hotel, workspace, fake_seam, t0
):
    door = register(owner, hotel, workspace, "august_device_1", t0)
    assert (door.name, door.driver, door.account) == ("Front Door", "seam", workspace)
    assert door.supports_native_scheduling  # Seam keeps the schedule of a lock that takes codes
    starts = t0 + timedelta(days=5)
    code, _ = access_code_create(
        lock=door, now=t0, name="Anna Smith", starts_at=starts, ends_at=starts + timedelta(days=2)
    )

    run(t0, code)
    assert code.status == Status.UNSET
    assert fake_seam.codes("august_device_1") == []  # more than 72 hours ahead

    run(starts - timedelta(hours=72), code)
    (on_fake,) = fake_seam.codes("august_device_1")
    assert (on_fake["code"], on_fake["name"], on_fake["type"]) == (
        code.code,
        "Anna Smith",
        "time_bound",
    )
    assert (on_fake["starts_at"], on_fake["ends_at"]) == (
        "2026-06-06T12:00:00.000Z",
        "2026-06-08T12:00:00.000Z",
    )
    assert code.device_ref == on_fake["access_code_id"]
    # Seam holds it (`unset`) and programs the lock itself: nothing is late.
    assert (code.status, code.is_held_by_cloud) == (Status.UNSET, True)
    run(starts - timedelta(hours=2), code)
    assert (code.errors, code.warnings) == ([], [])

    fake_seam.set_status(on_fake["access_code_id"], "set")
    run(starts, code)
    assert (code.status, code.is_held_by_cloud) == (Status.SET, False)

    # At its end Seam takes it off by itself; Innkeeper sends no delete of its own.
    run(code.ends_at, code)
    assert fake_seam.codes("august_device_1") != []
    fake_seam.http.post(
        "/access_codes/delete", json={"access_code_id": on_fake["access_code_id"]}
    ).raise_for_status()
    door.refresh_from_db()
    run(door.next_check_at, code)
    assert code.status == Status.REMOVED
    assert code.errors == []


def test_a_pin_already_on_the_lock_is_refused(owner, hotel, workspace, fake_seam, t0):
    door = register(owner, hotel, workspace, "august_device_1", t0)
    fake_seam.add_unmanaged("august_device_1", "4829", "Cleaner")
    run(t0)

    with pytest.raises(ServiceError, match="taken|already|in use"):
        access_code_create(lock=door, now=t0, code="4829")

    # A PIN that reaches Seam anyway (set by someone else since) is refused by Seam itself.
    driver = get_driver("seam", now=t0, **workspace.credentials)
    driver.set_code("august_device_1", CodeSpec(code="5173", name="Other app"))
    with pytest.raises(DriverError) as refused:
        driver.set_code("august_device_1", CodeSpec(code="5173", name="Guest"))
    assert (refused.value.error_code, refused.value.permanent) == ("duplicate_code_on_device", True)
    assert "5173" not in refused.value.message


def test_an_unknown_device_is_reported_removed(owner, hotel, workspace, t0):
    with pytest.raises(ServiceError, match="no longer knows this lock"):
        lock_register(
            owner=owner,
            property=hotel,
            driver="seam",
            device_id="no_such_device",
            now=t0,
            account=workspace,
        )

    door = register(owner, hotel, workspace, "august_device_1", t0)
    Lock.objects.filter(pk=door.pk).update(device_id="removed_from_seam")
    run(t0 + timedelta(minutes=1), door)
    assert door.has_error("device_removed")
    assert not door.online


def test_an_outage_keeps_the_lock_retrying_without_holding_up_other_locks(
    owner, hotel, workspace, fake_seam, t0
):
    front = register(owner, hotel, workspace, "august_device_1", t0)
    back = register(owner, hotel, workspace, "august_device_2", t0)
    # Same workspace, reached through an address where nothing answers: Seam is down for it.
    unreachable = DriverAccount.objects.create(
        owner=owner,
        driver="seam",
        name="Seam (down)",
        account_ref="outage",
        credentials={"api_key": API_KEY, "endpoint": f"http://127.0.0.1:{free_port()}"},
    )
    Lock.objects.filter(pk=front.pk).update(account=unreachable)
    front_code, _ = access_code_create(lock=front, now=t0)
    back_code, _ = access_code_create(lock=back, now=t0)

    run(t0 + timedelta(minutes=1), front, back, front_code, back_code)
    assert front.has_error("provider_issue")
    assert "Could not reach Seam" in front.last_error
    assert front.next_check_at > t0 + timedelta(minutes=1)  # backs off, then tries again
    assert front_code.status == Status.UNSET
    assert [c["code"] for c in fake_seam.codes("august_device_2")] == [back_code.code]
    assert back_code.status == Status.SETTING and back.errors == []

    Lock.objects.filter(pk=front.pk).update(account=workspace)
    run(front.next_check_at, front, front_code)
    assert not front.has_error("provider_issue")
    assert [c["code"] for c in fake_seam.codes("august_device_1")] == [front_code.code]
