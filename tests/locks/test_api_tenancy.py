"""A key of one owner never sees or changes another owner's locks, codes or attempts."""

import pytest
from django.utils import timezone

from locks import access_codes
from locks.api.urls import ROUTES
from locks.models import AccessCode, SimulatedDevice, WebhookEndpoint
from locks.outgoing.endpoints import webhook_create
from tests.locks.seam_api import call, call_with
from tests.reservations import test_api_reservations_tenancy as reservations


@pytest.fixture
def their_code(other_lock):
    code, attempt = access_codes.access_code_create(
        lock=other_lock, now=timezone.now(), code="4826"
    )
    return code, attempt


def test_their_devices_are_not_listed(client, key, lock, other_lock):
    for path in ("devices/list", "locks/list"):
        _, body = call(client, "GET", path, key)
        assert [d["device_id"] for d in body["devices"]] == [str(lock.public_id)]


@pytest.mark.parametrize(
    "method, path, extra",
    [
        ("GET", "devices/get", {}),
        ("GET", "locks/get", {}),
        ("POST", "access_codes/create", {}),
        ("GET", "access_codes/list", {}),
        ("GET", "access_codes/get", {"code": "4826"}),
        ("GET", "access_codes/generate_code", {}),
        ("GET", "access_codes/unmanaged/list", {}),
        ("POST", "access_codes/simulate/create_unmanaged_access_code", {"code": "7315"}),
        ("POST", "devices/simulate/connect", {}),
        ("POST", "devices/simulate/disconnect", {}),
        ("POST", "devices/simulate/factory_reset", {}),
        ("POST", "devices/simulate/remove_code", {"code": "4826"}),
        ("POST", "locks/simulate/keypad_code_entry", {"code": "4826"}),
        ("POST", "locks/unlock_door", {"reason": "Let me in"}),
        ("POST", "locks/lock_door", {}),
        ("GET", "events/list", {"since": "2020-01-01T00:00:00Z"}),
        ("GET", "events/get", {}),
        ("GET", "action_attempts/list", {}),
        ("PATCH", "devices/update", {"name": "Mine now", "custom_metadata": {"a": "b"}}),
    ],
)
def test_their_device_answers_404(client, key, lock, other_lock, their_code, method, path, extra):
    body = {"device_id": str(other_lock.public_id), **extra}
    status, answer = call_with(client, method, path, key, body)
    assert (status, answer["error"]["type"]) == (404, "device_not_found")
    device = SimulatedDevice.objects.get(device_id=other_lock.device_id)
    assert device.online and not device.wiped and device.locked
    assert AccessCode.objects.filter(lock=other_lock).count() == 1
    assert not other_lock.events.filter(event_type__startswith="lock.").exists()
    other_lock.refresh_from_db()
    assert (other_lock.name, other_lock.custom_metadata) == ("Hilltop front door", {})


@pytest.mark.parametrize(
    "method, path, extra",
    [
        ("GET", "access_codes/get", {}),
        ("PATCH", "access_codes/update", {"name": "Mine now"}),
        ("DELETE", "access_codes/delete", {}),
        ("POST", "access_codes/pull_backup_access_code", {}),
        ("GET", "access_codes/unmanaged/get", {}),
        ("PATCH", "access_codes/unmanaged/convert_to_managed", {}),
        ("DELETE", "access_codes/unmanaged/delete", {}),
        ("PATCH", "access_codes/unmanaged/update", {"is_managed": True}),
        ("GET", "events/list", {"since": "2020-01-01T00:00:00Z"}),
    ],
)
def test_their_code_answers_404(client, key, lock, their_code, method, path, extra):
    code, _ = their_code
    body = {"access_code_id": str(code.pk), **extra}
    status, answer = call_with(client, method, path, key, body)
    assert (status, answer["error"]["type"]) == (404, "access_code_not_found")
    code.refresh_from_db()
    assert code.name == "" and code.deleted_at is None


def test_their_code_is_not_listed_by_id(client, key, lock, their_code):
    code, _ = their_code
    _, body = call(client, "GET", "access_codes/list", key, access_code_ids=str(code.pk))
    assert body["access_codes"] == []


def test_their_action_attempt_answers_404(client, key, their_code):
    _, attempt = their_code
    status, body = call(
        client, "GET", "action_attempts/get", key, action_attempt_id=str(attempt.pk)
    )
    assert (status, body["error"]["type"]) == (404, "action_attempt_not_found")


def test_their_events_are_not_listed(client, key, lock, their_code):
    _, body = call(client, "GET", "events/list", key, since="2020-01-01T00:00:00Z")
    assert {e["device_id"] for e in body["events"]} == {str(lock.public_id)}


def test_their_doors_take_no_linked_codes_and_their_links_are_not_found(
    client, key, lock, other_lock
):
    status, body = call(
        client,
        "PUT",
        "access_codes/create_multiple",
        key,
        {"device_ids": [str(lock.public_id), str(other_lock.public_id)]},
    )
    assert (status, body["error"]["type"]) == (404, "device_not_found")
    assert not AccessCode.objects.exists()

    access_codes.access_code_create(lock=other_lock, now=timezone.now(), common_code_key="k1")
    status, body = call(
        client, "PATCH", "access_codes/update_multiple", key, {"common_code_key": "k1", "name": "x"}
    )
    assert (status, body["error"]["type"]) == (404, "access_code_not_found")
    assert AccessCode.objects.get().name == ""


def test_their_events_attempts_and_accounts_are_not_found(client, key, lock, their_code):
    code, attempt = their_code
    event = code.events.get()
    status, body = call(client, "GET", "events/get", key, event_id=str(event.pk))
    assert (status, body["error"]["type"]) == (404, "event_not_found")
    status, body = call(
        client, "GET", "action_attempts/list", key, action_attempt_ids=str(attempt.pk)
    )
    assert (status, body["error"]["type"]) == (404, "action_attempts_not_found")
    theirs = code.lock.account_id
    status, body = call(client, "GET", "connected_accounts/get", key, connected_account_id=theirs)
    assert (status, body["error"]["type"]) == (404, "connected_account_not_found")
    _, body = call(client, "GET", "connected_accounts/list", key)
    assert [a["connected_account_id"] for a in body["connected_accounts"]] == [str(lock.account_id)]


def test_their_webhooks_are_not_listed_got_changed_or_deleted(client, key, other_owner):
    theirs = webhook_create(owner=other_owner, url="https://hilltop.example.com/hooks")
    _, body = call(client, "GET", "webhooks/list", key)
    assert body["webhooks"] == []
    asks = (
        ("GET", "webhooks/get", None),
        ("PUT", "webhooks/update", {"webhook_id": str(theirs.pk), "event_types": ["lock.*"]}),
        ("DELETE", "webhooks/delete", None),
    )
    for method, path, body in asks:
        query = {} if body else {"webhook_id": str(theirs.pk)}
        status, answer = call(client, method, path, key, body, **query)
        assert (status, answer["error"]["type"]) == (404, "webhook_not_found"), path
    theirs.refresh_from_db()
    assert theirs.event_types == []
    # Creating one makes it ours, never theirs.
    status, _ = call(client, "POST", "webhooks/create", key, {"url": "https://pms.example.com/h"})
    assert status == 200
    assert WebhookEndpoint.objects.filter(owner=other_owner).count() == 1


def test_every_endpoint_is_in_an_outsider_check():
    # The tests above that do not take a parametrized path; the reservations' own lists are in
    # `test_their_stays_units_and_properties_are_never_listed`.
    checked = {"devices/list", "locks/list", "action_attempts/get", "properties/list"}
    checked |= {"access_codes/create_multiple", "access_codes/update_multiple"}
    checked |= {"connected_accounts/list", "connected_accounts/get"}
    checked |= {f"webhooks/{verb}" for verb in ("create", "list", "get", "update", "delete")}
    parametrized = (
        test_their_device_answers_404,
        test_their_code_answers_404,
        reservations.test_their_reservation_answers_404,
        reservations.test_their_unit_answers_404,
    )
    for test in parametrized:
        (params,) = [m for m in test.pytestmark if m.name == "parametrize"]
        checked |= {path for _, path, _ in params.args[1]}
    (paths,) = [m for m in reservations.test_their_property_answers_404.pytestmark]
    checked |= set(paths.args[1])
    assert set(ROUTES) - checked == set()
