"""/api/schema/ tells a client generator the truth: required parameters, real answers, errors."""

import pytest


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    return response.json()


def resolve(schema, ref_or_schema: dict) -> dict:
    ref = ref_or_schema.get("$ref")
    if ref is None:
        return ref_or_schema
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


def answer(schema, path: str, method: str, status: int) -> dict:
    response = schema["paths"][path][method]["responses"][str(status)]
    return resolve(schema, response["content"]["application/json"]["schema"])


def test_a_delete_answers_200_with_an_action_attempt_not_204(schema):
    for path in ("/api/access_codes/delete", "/api/access_codes/unmanaged/delete"):
        for method in ("delete", "post"):
            responses = schema["paths"][path][method]["responses"]
            assert "204" not in responses
            body = answer(schema, path, method, 200)
            assert {"action_attempt", "ok"} <= set(body["required"])
            attempt = resolve(schema, body["properties"]["action_attempt"])
            assert "action_attempt_id" in attempt["properties"]


def test_each_answer_names_what_it_holds(schema):
    created = answer(schema, "/api/access_codes/create", "post", 200)
    assert {"access_code", "action_attempt", "ok"} <= set(created["properties"])
    listed = answer(schema, "/api/reservations/list", "get", 200)
    assert {"reservations", "pagination"} <= set(listed["required"])
    code = resolve(schema, created["properties"]["access_code"])
    assert code["properties"]["ends_at"]["nullable"] is True  # an ongoing code has no end


def test_errors_are_documented_in_seams_shape(schema):
    operation = schema["paths"]["/api/access_codes/create"]["post"]
    assert {"400", "401", "404", "409", "500", "503"} <= set(operation["responses"])
    body = answer(schema, "/api/access_codes/create", "post", 409)
    assert body["required"] == ["error", "ok"]
    error = resolve(schema, body["properties"]["error"])
    assert {"type", "message"} <= set(error["required"])
    assert "validation_errors" in error["properties"]


def test_an_endpoint_that_looks_nothing_up_does_not_promise_a_404(schema):
    assert "404" not in schema["paths"]["/api/devices/list"]["get"]["responses"]
    assert "404" in schema["paths"]["/api/devices/get"]["get"]["responses"]


def test_required_parameters_are_required_for_every_method(schema):
    query = schema["paths"]["/api/access_codes/delete"]["delete"]["parameters"]
    assert {p["name"]: p.get("required", False) for p in query}["access_code_id"] is True
    for method in ("post", "patch", "put"):
        body = schema["paths"]["/api/access_codes/update"][method]["requestBody"]
        assert body["required"] is True
        content = resolve(schema, body["content"]["application/json"]["schema"])
        assert "access_code_id" in content["required"], method
    create = schema["paths"]["/api/reservations/create"]["post"]["requestBody"]
    required = resolve(schema, create["content"]["application/json"]["schema"])["required"]
    assert {"unit_id", "guest_name", "check_in", "check_out"} <= set(required)


def test_the_linked_code_endpoints_take_the_sdks_methods_and_answer_lists(schema):
    for method in ("put", "post"):
        body = answer(schema, "/api/access_codes/create_multiple", method, 200)
        assert {"access_codes", "action_attempts", "ok"} <= set(body["required"])
    assert "patch" in schema["paths"]["/api/access_codes/update_multiple"]
    assert "patch" in schema["paths"]["/api/devices/update"]
    assert "get" in schema["paths"]["/api/connected_accounts/get"]
