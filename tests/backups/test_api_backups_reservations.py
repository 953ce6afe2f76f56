"""reservations/give_backup: a guest who cannot get in gets a backup code on each door."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backups.services import backup_pool_enable
from locks.drivers.simulated import keypad_entry
from locks.models import AccessCode, SimulatedDevice
from tests import factories
from tests.locks.seam_api import call, reconcile
from tests.reservations.reservations_api import created, next_year, update


@pytest.fixture
def street(owner, hotel):
    """The hotel's street entrance: every guest of the hotel needs it."""
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Street door", now=timezone.now()
    )


def fill_pools(*locks) -> None:
    for lock in locks:
        backup_pool_enable(lock=lock, now=timezone.now())
    reconcile()
    reconcile()


def stay_now(client, key, room) -> dict:
    """A stay that began an hour ago: its guest code goes on the doors in the next pass."""
    began = timezone.now() - timedelta(hours=1)
    return created(
        client, key, room, check_in=began.isoformat(), check_out=next_year(1, 5).isoformat()
    )


def give(client, key, stay: dict, **extra) -> dict:
    status, body = call(
        client,
        "POST",
        "reservations/give_backup",
        key,
        {"reservation_id": stay["reservation_id"], **extra},
    )
    assert status == 200, body
    return body


def test_every_door_gets_a_backup_that_ends_with_the_stay(client, key, room, lock, street):
    fill_pools(lock, street)
    stay = stay_now(client, key, room)

    body = give(client, key, stay)

    doors = {d["display_name"]: d for d in body["doors"]}
    assert set(doors) == {"Room 101 door", "Street door"}
    for door, lock_ in ((doors["Room 101 door"], lock), (doors["Street door"], street)):
        backup = door["backup_access_code"]
        assert door["error"] is None and door["device_id"] == str(lock_.public_id)
        assert backup["is_backup"] is True and backup["code"].isdigit()
        assert backup["ends_at"] == body["reservation"]["guest_code"]["ends_at"]
        device = SimulatedDevice.objects.get(device_id=lock_.device_id)
        assert keypad_entry(device, backup["code"], timezone.now()) is not None
    # The stay's doors say which backup stands in for their guest code.
    given = {d["backup_access_code"]["access_code_id"] for d in body["doors"]}
    on_doors = body["reservation"]["guest_code"]["doors"]
    assert len(on_doors) == 2
    assert {d["backup_access_code_id"] for d in on_doors} == given
    assert {d["access_code_id"] for d in on_doors}.isdisjoint(given)


def test_asking_again_gives_the_same_backups(client, key, room, lock, street):
    fill_pools(lock, street)
    stay = stay_now(client, key, room)
    first = give(client, key, stay)
    again = give(client, key, stay)
    assert again["doors"] == first["doors"]
    assert AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).count() == 2


def test_only_the_doors_in_trouble_when_not_every_door(client, key, room, lock, street):
    fill_pools(lock, street)
    stay = stay_now(client, key, room)
    reconcile()
    assert give(client, key, stay, every_door=False)["doors"] == []  # both doors are fine
    call(client, "POST", "devices/simulate/disconnect", key, {"device_id": str(street.public_id)})
    reconcile()

    body = give(client, key, stay, every_door=False)

    assert [d["display_name"] for d in body["doors"]] == ["Street door"]
    [room_door] = [
        d
        for d in body["reservation"]["guest_code"]["doors"]
        if d["device_id"] == str(lock.public_id)
    ]
    assert room_door["backup_access_code_id"] is None


def test_a_door_without_a_backup_says_why(client, key, room, lock, street):
    fill_pools(lock)  # the street door has no pool
    stay = stay_now(client, key, room)

    doors = {d["display_name"]: d for d in give(client, key, stay)["doors"]}

    assert doors["Room 101 door"]["backup_access_code"]["code"].isdigit()
    assert doors["Street door"]["backup_access_code"] is None
    assert "No backup code is ready on “Street door”" in doors["Street door"]["error"]["message"]


def test_a_cancelled_stay_has_nothing_to_stand_in_for(client, key, room, lock):
    fill_pools(lock)
    stay = stay_now(client, key, room)
    call(client, "POST", "reservations/cancel", key, {"reservation_id": stay["reservation_id"]})
    status, body = call(
        client, "POST", "reservations/give_backup", key, {"reservation_id": stay["reservation_id"]}
    )
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert not AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).exists()


def test_the_backups_follow_the_stay_and_leave_with_it(client, key, room, lock):
    fill_pools(lock)
    stay = stay_now(client, key, room)
    [door] = give(client, key, stay)["doors"]
    backup_id = door["backup_access_code"]["access_code_id"]

    status, moved = update(client, key, stay, check_out=next_year(1, 9).isoformat())
    assert status == 200
    _, got = call(client, "GET", "access_codes/get", key, access_code_id=backup_id)
    assert got["access_code"]["ends_at"] == moved["reservation"]["guest_code"]["ends_at"]

    call(client, "POST", "reservations/cancel", key, {"reservation_id": stay["reservation_id"]})
    _, got = call(client, "GET", "access_codes/get", key, access_code_id=backup_id)
    assert got["access_code"]["status"] == "removing"
    reconcile()
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    assert keypad_entry(device, door["backup_access_code"]["code"], timezone.now()) is None
