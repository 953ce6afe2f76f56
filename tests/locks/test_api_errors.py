"""The API answers in Seam's shape, always: a bug is a 500, a failing database a 503, in JSON."""

from django.db import OperationalError
from django.test import RequestFactory

from locks import selectors
from locks.api.errors import server_error
from tests.locks.seam_api import call


def test_an_unexpected_error_answers_seams_500_body_not_an_html_page(client, key, monkeypatch):
    def broken(owner):
        raise RuntimeError("a bug")

    monkeypatch.setattr(selectors, "devices_for", broken)

    status, body = call(client, "GET", "devices/list", key)

    assert status == 500
    assert body["ok"] is False
    assert body["error"]["type"] == "internal_server_error"
    assert "a bug" not in body["error"]["message"]  # no internals leak to the caller


def test_a_locked_database_answers_503_and_asks_to_try_again(client, key, monkeypatch):
    def locked(owner):
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "devices_for", locked)
    response = client.get("/api/devices/list", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["type"] == "service_unavailable"


def test_an_error_outside_any_endpoint_still_answers_json_under_the_api():
    api = server_error(RequestFactory().get("/api/locks/list"))
    page = server_error(RequestFactory().get("/locks/"))

    assert (api.status_code, api["Content-Type"]) == (500, "application/json")
    assert b"internal_server_error" in api.content
    assert page.status_code == 500 and b"internal_server_error" not in page.content


def test_an_id_too_large_for_the_database_is_refused_as_invalid_input(client, key, lock):
    status, body = call(client, "GET", "properties/list", key, property_ids="9" * 20)

    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "property_ids" in body["error"]["validation_errors"]


def test_a_unit_id_too_large_is_refused_when_creating_a_stay(client, key, lock):
    status, body = call(
        client,
        "POST",
        "reservations/create",
        key,
        {
            "unit_id": 2**63,
            "guest_name": "Ada",
            "check_in": "2027-01-02",
            "check_out": "2027-01-04",
        },
    )

    assert (status, body["error"]["type"]) == (400, "invalid_input")
    assert "unit_id" in body["error"]["validation_errors"]


def test_a_query_with_too_many_parameters_is_refused_as_invalid_input(client, key, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"access_code_ids=a1b2c3d4-0000-4000-8000-{n:012}" for n in range(11))
    response = client.get(f"/api/access_codes/list?{query}", HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 400
    assert response.json()["error"]["type"] == "invalid_input"
    assert "at most 10 parameters" in response.json()["error"]["message"]
