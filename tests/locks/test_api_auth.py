"""API keys: Bearer auth, revoked and unknown keys, the schema, and the create_api_key command."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from seam.exceptions import SeamHttpUnauthorizedError

from locks.models import ApiKey, hash_api_key
from locks.tenancy import services as tenancy
from tests.locks.seam_api import call, seam_client


def test_it_answers_with_a_key(client, key, lock):
    status, body = call(client, "GET", "devices/list", key)
    assert status == 200 and body["ok"] is True


def test_it_notes_when_a_key_was_last_used(client, key, lock):
    call(client, "GET", "devices/list", key)
    used = ApiKey.objects.get().last_used_at
    assert used is not None
    call(client, "GET", "devices/list", key)
    assert ApiKey.objects.get().last_used_at == used  # not rewritten on every request


@pytest.mark.parametrize(
    "header",
    [None, "Bearer", "Bearer seam_ik_unknown", "Basic c2VhbV9pazp4", "Bearer a b"],
)
def test_it_refuses_a_missing_or_unknown_key_with_401(client, lock, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get("/api/devices/list", **headers)
    assert response.status_code == 401
    body = response.json()
    assert body["ok"] is False and body["error"]["type"] == "unauthorized"
    assert "Authorization" in body["error"]["message"] or "key" in body["error"]["message"]


def test_it_refuses_a_revoked_key(client, key, owner):
    tenancy.api_key_revoke(api_key=ApiKey.objects.get(), now=timezone.now())
    status, body = call(client, "GET", "devices/list", key)
    assert (status, body["error"]["type"]) == (401, "unauthorized")
    assert "revoked" in body["error"]["message"]


def test_the_sdk_reports_a_bad_key_as_unauthorized(owner):
    with seam_client("seam_ik_not_a_real_key") as seam, pytest.raises(SeamHttpUnauthorizedError):
        seam.devices.list()


def test_it_keeps_only_a_hash_of_the_key(key):
    stored = ApiKey.objects.get()
    assert stored.key_hash == hash_api_key(key) and key not in stored.key_hash


def test_the_schema_is_open_and_lists_the_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/access_codes/create" in paths and "/api/events/list" in paths
    assert {"get", "post"} <= set(paths["/api/access_codes/get"])


def test_an_unknown_route_answers_a_seam_404(client, key):
    for path in ("nothing/here", "access_codes/explode"):
        status, body = call(client, "POST", path, key)
        assert (status, body["error"]["type"]) == (404, "not_found")


def test_a_wrong_method_answers_a_seam_405(client, key):
    status, body = call(client, "PUT", "access_codes/create", key)
    assert (status, body["error"]["type"]) == (405, "method_not_allowed")


def test_the_command_prints_a_working_key(client, owner, lock, capsys):
    call_command("create_api_key", "seaside", "--name", "PMS")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("seam_ik_")
    assert ApiKey.objects.get().name == "PMS"
    status, _ = call(client, "GET", "devices/list", secret)
    assert status == 200


def test_the_command_refuses_an_unknown_owner(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("create_api_key", "nobody")


def test_a_key_is_not_touched_again_within_a_minute(client, key):
    ApiKey.objects.update(last_used_at=timezone.now() - timedelta(minutes=5))
    call(client, "GET", "devices/list", key)
    assert ApiKey.objects.get().last_used_at > timezone.now() - timedelta(minutes=1)
