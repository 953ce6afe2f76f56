"""access_codes/create, get, list, update, delete, generate_code through Seam's own SDK."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from seam.exceptions import SeamHttpApiError, SeamHttpInvalidInputError

from locks.access_codes import access_code_create
from locks.models import AccessCode, ActionAttempt, SimulatedDevice
from tests.locks.seam_api import call, reconcile


def pins_on(lock):
    return set(
        SimulatedDevice.objects.get(device_id=lock.device_id).codes.values_list("code", flat=True)
    )


def test_it_creates_an_ongoing_code_that_the_lock_then_confirms(seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), name="Anna Smith", code="4826")
    assert code.status == "unset"
    assert code.type == "ongoing"
    assert code.device_id == str(lock.public_id)
    assert code.is_managed is True
    assert code.is_backup is False
    assert code.is_backup_access_code_available is False
    assert code.pulled_backup_access_code_id is None
    reconcile()
    assert seam.access_codes.get(access_code_id=code.access_code_id).status == "set"
    assert pins_on(lock) == {"4826"}


def test_it_answers_create_with_a_pending_action_attempt_that_finishes(client, key, lock):
    status, body = call(
        client, "POST", "access_codes/create", key, {"device_id": str(lock.public_id)}
    )
    assert status == 200 and body["ok"] is True
    attempt = body["action_attempt"]
    assert attempt["action_type"] == "CREATE_ACCESS_CODE" and attempt["status"] == "pending"
    reconcile()
    _, got = call(
        client, "GET", "action_attempts/get", key, action_attempt_id=attempt["action_attempt_id"]
    )
    assert got["action_attempt"]["status"] == "success"
    assert got["action_attempt"]["result"]["access_code"]["status"] == "set"


def test_it_creates_a_time_bound_code_that_waits_for_its_window(seam, lock):
    starts = timezone.now() + timedelta(days=2)
    code = seam.access_codes.create(
        device_id=str(lock.public_id),
        name="Res-12345",
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(days=3)).isoformat(),
    )
    assert code.type == "time_bound"
    assert code.starts_at.startswith(starts.strftime("%Y-%m-%dT%H:%M"))
    reconcile()
    assert seam.access_codes.get(access_code_id=code.access_code_id).status == "unset"
    assert pins_on(lock) == set()


def test_it_generates_a_pin_of_the_preferred_length(seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), preferred_code_length=6)
    assert len(code.code) == 6 and code.code.isdigit()


def test_it_gets_a_code_by_device_and_pin(seam, lock):
    created = seam.access_codes.create(device_id=str(lock.public_id), code="5931")
    found = seam.access_codes.get(device_id=str(lock.public_id), code="5931")
    assert found.access_code_id == created.access_code_id


def test_it_lists_codes_by_device_and_by_ids(seam, lock):
    a = seam.access_codes.create(device_id=str(lock.public_id), name="A")
    b = seam.access_codes.create(device_id=str(lock.public_id), name="B")
    listed = seam.access_codes.list(device_id=str(lock.public_id))
    assert {c.access_code_id for c in listed} == {a.access_code_id, b.access_code_id}
    only_b = seam.access_codes.list(access_code_ids=[b.access_code_id])
    assert [c.name for c in only_b] == ["B"]


def test_it_pages_through_a_long_list(seam, lock):
    made = {
        seam.access_codes.create(device_id=str(lock.public_id)).access_code_id for _ in range(5)
    }
    first = seam.access_codes.list(device_id=str(lock.public_id), limit=2)
    assert len(first) == 2 and first.pagination["has_next_page"] is True
    pages = seam.create_paginator(
        seam.access_codes.list, {"device_id": str(lock.public_id), "limit": 2}
    )
    assert {c.access_code_id for c in pages.flatten_to_list()} == made


def test_it_updates_name_window_and_pin(seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    reconcile()
    starts = timezone.now() + timedelta(hours=1)
    seam.access_codes.update(
        access_code_id=code.access_code_id,
        name="Renamed",
        code="7315",
        starts_at=starts.isoformat(),
        ends_at=(starts + timedelta(days=1)).isoformat(),
    )
    updated = seam.access_codes.get(access_code_id=code.access_code_id)
    assert (updated.name, updated.code, updated.type) == ("Renamed", "7315", "time_bound")
    reconcile()
    assert pins_on(lock) == set()  # the old PIN is off; the new one waits for its window


def test_it_deletes_a_code_which_shows_removing_then_is_forgotten(seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    reconcile()
    seam.access_codes.delete(access_code_id=code.access_code_id)
    assert seam.access_codes.get(access_code_id=code.access_code_id).status == "removing"
    assert [c.status for c in seam.access_codes.list(device_id=str(lock.public_id))] == ["removing"]
    reconcile()
    assert pins_on(lock) == set()
    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.get(access_code_id=code.access_code_id)
    assert exc.value.code == "access_code_not_found" and exc.value.status_code == 404
    assert list(seam.access_codes.list(device_id=str(lock.public_id))) == []


def test_it_generates_a_code_that_obeys_the_lock(seam, owner, hotel, t0):
    from tests import factories

    strict = factories.simulated_lock(owner=owner, property=hotel, now=t0, model="strict")
    for _ in range(10):
        generated = seam.access_codes.generate_code(device_id=str(strict.public_id))
        assert len(generated.code) == 6 and "0" not in generated.code
        assert not generated.code.startswith("12")
    assert AccessCode.objects.count() == 0


def test_it_refuses_a_bad_pin_and_writes_nothing(seam, lock):
    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.access_codes.create(device_id=str(lock.public_id), code="12ab")
    assert exc.value.get_validation_error_messages("code")
    assert AccessCode.objects.count() == 0
    assert ActionAttempt.objects.count() == 0


def test_it_refuses_a_pin_already_on_the_lock_with_409(seam, lock):
    seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.create(device_id=str(lock.public_id), code="4826")
    assert (exc.value.status_code, exc.value.code) == (409, "duplicate_access_code")
    assert AccessCode.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"code": 4826}, "code"),
        ({"starts_at": "next tuesday", "ends_at": "2030-01-01T00:00:00Z"}, "starts_at"),
        ({"starts_at": "2030-01-02T00:00:00Z"}, "ends_at"),
        ({"starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}, "ends_at"),
        ({"starts_at": "2020-01-01T00:00:00Z", "ends_at": "2020-01-02T00:00:00Z"}, "ends_at"),
        ({"preferred_code_length": "long"}, "preferred_code_length"),
        ({"name": ["a"]}, "name"),
    ],
)
def test_it_answers_bad_create_input_with_invalid_input(client, key, lock, body, field):
    status, answer = call(
        client, "POST", "access_codes/create", key, {"device_id": str(lock.public_id), **body}
    )
    assert status == 400
    assert answer["ok"] is False and answer["error"]["type"] == "invalid_input"
    assert field in answer["error"]["validation_errors"]
    assert AccessCode.objects.count() == 0


def test_it_answers_an_unknown_device_with_device_not_found(client, key, lock):
    for device_id in ("4f1b6c1e-8a53-4f1b-9c55-9a7b5e1c0d11", "not-a-uuid"):
        status, body = call(client, "POST", "access_codes/create", key, {"device_id": device_id})
        assert (status, body["error"]["type"]) == (404, "device_not_found")


def test_it_requires_device_id(client, key):
    status, body = call(client, "POST", "access_codes/create", key, {})
    assert status == 400 and "device_id" in body["error"]["validation_errors"]


def test_it_refuses_malformed_json_and_non_json(client, key, lock):
    status, body = call(client, "POST", "access_codes/create", key, "{not json")
    assert (status, body["error"]["type"]) == (400, "invalid_input")
    response = client.post(
        "/api/access_codes/create",
        data="device_id=x",
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 400 and response.json()["error"]["type"] == "invalid_input"
    status, body = call(client, "POST", "access_codes/create", key, "[1, 2]")
    assert (status, body["error"]["type"]) == (400, "invalid_input")


def test_it_refuses_bad_update_input_and_changes_nothing(client, key, seam, lock):
    code = seam.access_codes.create(device_id=str(lock.public_id), code="4826", name="Kept")
    bad = [
        {"ends_at": "2020-01-01T00:00:00Z", "starts_at": "2019-01-01T00:00:00Z"},
        {"code": "1111"},
        {"type": "forever"},
        {"is_managed": False},
    ]
    for body in bad:
        status, answer = call(
            client,
            "PATCH",
            "access_codes/update",
            key,
            {"access_code_id": code.access_code_id, **body},
        )
        assert (status, answer["error"]["type"]) == (400, "invalid_input"), body
    row = AccessCode.objects.get()
    assert (row.name, row.code, row.type) == ("Kept", "4826", "ongoing")


def test_it_takes_delete_by_query_string_or_body(client, key, seam, lock):
    a = seam.access_codes.create(device_id=str(lock.public_id))
    b = seam.access_codes.create(device_id=str(lock.public_id))
    status, body = call(
        client,
        "DELETE",
        "access_codes/delete",
        key,
        access_code_id=a.access_code_id,
        _strict="true",
    )
    assert status == 200 and body["action_attempt"]["action_type"] == "DELETE_ACCESS_CODE"
    status, _ = call(
        client, "DELETE", "access_codes/delete", key, {"access_code_id": b.access_code_id}
    )
    assert status == 200
    assert AccessCode.objects.filter(deleted_at__isnull=False).count() == 2


def test_it_answers_unknown_ids_with_access_code_not_found(client, key):
    for method, path in [
        ("GET", "access_codes/get"),
        ("PATCH", "access_codes/update"),
        ("DELETE", "access_codes/delete"),
    ]:
        status, body = call(client, method, path, key, access_code_id="nope")
        assert (status, body["error"]["type"]) == (404, "access_code_not_found"), path


def test_it_accepts_both_names_for_external_modification(seam, lock):
    old = seam.access_codes.create(device_id=str(lock.public_id), allow_external_modification=True)
    new = seam.access_codes.create(
        device_id=str(lock.public_id), is_external_modification_allowed=True
    )
    assert old.is_external_modification_allowed and new.is_external_modification_allowed


@pytest.mark.parametrize("codes_on_lock", [0, 20])
def test_creating_a_code_costs_the_same_queries_however_many_the_lock_holds(
    seam, lock, t0, codes_on_lock
):
    for n in range(codes_on_lock):
        access_code_create(lock=lock, now=t0, name=f"Guest {n}")
    seam.devices.list()  # the key's first use of the day is recorded once

    with CaptureQueriesContext(connection) as captured:
        seam.access_codes.create(device_id=str(lock.public_id), name="Ana", code="4827")

    queries = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    # The key, the lock, the lock again (locked), the PINs taken (live and quarantined in one),
    # the code, its audit entry, its event, its action attempt, the lock's next check. The
    # transaction (BEGIN, COMMIT) and the queueing on commit (bench_api counts them: 12 in all)
    # are outside a test.
    assert len(queries) == 9, "\n".join(q[:100] for q in queries)


def own_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]


@pytest.mark.parametrize("codes_on_lock", [1, 50])
def test_getting_and_listing_codes_cost_two_queries_however_many_the_lock_holds(
    seam, lock, t0, codes_on_lock
):
    codes = [
        access_code_create(lock=lock, now=t0, name=f"Guest {n}")[0] for n in range(codes_on_lock)
    ]
    seam.devices.list()  # the key's first use of the day is recorded once

    with CaptureQueriesContext(connection) as captured:  # the key, the code with its lock's id
        assert seam.access_codes.get(access_code_id=str(codes[-1].pk)).name == codes[-1].name
    assert len(own_queries(captured)) == 2, own_queries(captured)
    with CaptureQueriesContext(connection) as captured:  # the key, the codes with their lock's id
        listed = seam.access_codes.list(device_id=str(lock.public_id))
    assert len(listed) == codes_on_lock
    assert {c.device_id for c in listed} == {str(lock.public_id)}
    assert len(own_queries(captured)) == 2, own_queries(captured)


def test_listing_a_device_without_codes_tells_it_from_an_unknown_one(seam, client, key, lock):
    with CaptureQueriesContext(connection) as captured:  # and the lock, to tell them apart
        assert seam.access_codes.list(device_id=str(lock.public_id)) == []
    assert len(own_queries(captured)) <= 4, own_queries(captured)
    for device_id in ("6b1c8e2e-8f0a-4a43-9d9c-1f3c2a9b7e10", "nope"):
        status, body = call(client, "GET", "access_codes/list", key, device_id=device_id)
        assert (status, body["error"]["type"]) == (404, "device_not_found"), device_id
