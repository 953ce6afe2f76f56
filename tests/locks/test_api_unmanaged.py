"""Codes found on a lock, through the API: get, convert to managed, delete (Seam's calls)."""

import pytest
from django.utils import timezone
from seam.exceptions import SeamHttpApiError

from locks import access_codes, simulator
from locks.drivers.simulated import keypad_entry
from locks.models import AccessCode, SimulatedDevice
from tests.locks.seam_api import call, call_with, reconcile


def found_on(lock, pin: str, name: str = "Gardener") -> AccessCode:
    simulator.simulated_add_unmanaged_code(lock=lock, code=pin, name=name, now=timezone.now())
    reconcile()
    return AccessCode.objects.get(lock=lock, code=pin, is_managed=False, removed_at__isnull=True)


def opens(lock, pin: str) -> bool:
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    return keypad_entry(device, pin, timezone.now()) is not None


def test_an_unmanaged_code_is_got_by_id_or_by_its_pin(seam, lock):
    code = found_on(lock, "5927")
    by_id = seam.access_codes.unmanaged.get(access_code_id=str(code.pk))
    by_pin = seam.access_codes.unmanaged.get(device_id=str(lock.public_id), code="5927")
    assert by_id.access_code_id == by_pin.access_code_id == str(code.pk)
    assert (by_id.name, by_id.is_managed, by_id.status) == ("Gardener", False, "set")


def test_converting_one_keeps_it_on_the_lock_and_manages_it(seam, lock):
    code = found_on(lock, "5927")
    seam.access_codes.unmanaged.convert_to_managed(
        access_code_id=str(code.pk), allow_external_modification=True
    )
    reconcile()

    managed = seam.access_codes.get(access_code_id=str(code.pk))
    assert (managed.is_managed, managed.status, managed.code) == (True, "set", "5927")
    assert managed.is_external_modification_allowed
    assert seam.access_codes.unmanaged.list(device_id=str(lock.public_id)) == []
    assert opens(lock, "5927")
    # Once managed, it is not an unmanaged code any more.
    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.unmanaged.get(access_code_id=str(code.pk))
    assert exc.value.code == "access_code_not_found"


def test_deleting_one_takes_it_off_the_lock(client, key, seam, lock):
    code = found_on(lock, "7316", name="Old master")
    status, body = call(
        client, "DELETE", "access_codes/unmanaged/delete", key, None, access_code_id=code.pk
    )
    assert status == 200 and body["action_attempt"]["status"] == "pending"
    reconcile()

    assert not opens(lock, "7316")
    assert seam.access_codes.unmanaged.list(device_id=str(lock.public_id)) == []
    attempt = seam.action_attempts.get(
        action_attempt_id=body["action_attempt"]["action_attempt_id"]
    )
    assert attempt.status == "success"


def test_the_sdk_deletes_one_too(seam, lock):
    code = found_on(lock, "7316")
    seam.access_codes.unmanaged.delete(access_code_id=str(code.pk))
    reconcile()
    assert not opens(lock, "7316")


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "access_codes/unmanaged/get"),
        ("PATCH", "access_codes/unmanaged/convert_to_managed"),
        ("DELETE", "access_codes/unmanaged/delete"),
    ],
)
def test_a_managed_code_is_not_an_unmanaged_one(client, key, lock, method, path):
    managed, _ = access_codes.access_code_create(lock=lock, now=timezone.now(), code="4826")
    body = {"access_code_id": str(managed.pk)}
    status, answer = call_with(client, method, path, key, body)
    assert (status, answer["error"]["type"]) == (404, "access_code_not_found")
    managed.refresh_from_db()
    assert managed.deleted_at is None and managed.kind == "other"


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "access_codes/unmanaged/get"),
        ("PATCH", "access_codes/unmanaged/convert_to_managed"),
        ("DELETE", "access_codes/unmanaged/delete"),
    ],
)
def test_another_owners_unmanaged_code_answers_404(client, key, lock, other_lock, method, path):
    theirs = found_on(other_lock, "5927")
    body = {"access_code_id": str(theirs.pk)}
    status, answer = call_with(client, method, path, key, body)
    assert (status, answer["error"]["type"]) == (404, "access_code_not_found")
    theirs.refresh_from_db()
    assert not theirs.is_managed and theirs.deleted_at is None
    assert opens(other_lock, "5927")
    status, answer = call(
        client,
        "GET",
        "access_codes/unmanaged/get",
        key,
        device_id=other_lock.public_id,
        code="5927",
    )
    assert (status, answer["error"]["type"]) == (404, "device_not_found")
