"""How Seam's answers map onto ours, from recorded responses (no server needed)."""

import json
from datetime import UTC, datetime

import httpx
import pytest
from seam import Seam
from seam.exceptions import SeamHttpApiError, SeamHttpInvalidInputError, SeamHttpUnauthorizedError
from seam.resources import AccessCode, Device

from locks.drivers import CodeSpec
from locks.drivers.seam import CODES_LIMIT, SeamDriver, code_on_lock, device_info, driver_error

SCHLAGE = {
    "device_id": "9f1c0c1e-5d2a-4a3e-8f6e-0d6b5b0c7a11",
    "device_type": "schlage_lock",
    "display_name": "Schlage Encode",
    "capabilities_supported": ["access_code", "lock"],
    "can_program_offline_access_codes": True,
    "errors": [],
    "warnings": [{"warning_code": "max_access_codes_reached", "message": "Slots are full."}],
    "properties": {
        "online": True,
        "locked": True,
        "battery_level": 0.42,
        "appearance": {"name": "Room 12 door"},
        "model": {"display_name": "Encode Plus"},
        "supported_code_lengths": [6, 4, 8],
        "max_active_codes_supported": 30,
        "code_constraints": [
            {"constraint_type": "no_zeros"},
            {"constraint_type": "cannot_start_with_12"},
            {"constraint_type": "name_length", "max_length": 14},
        ],
    },
}
AUGUST_BRIDGE_DOWN = {
    "device_id": "august_device_9",
    "device_type": "august_lock",
    "display_name": "Smart Device",
    "capabilities_supported": ["lock"],
    "errors": [{"error_code": "device_disconnected", "message": "Device disconnected"}],
    "properties": {"online": True, "battery": {"level": 0.9, "status": "full"}},
}


@pytest.mark.parametrize("parse", [dict, Device.from_dict], ids=["recorded", "sdk"])
def test_a_device_maps_to_what_we_keep_about_a_lock(parse):
    info = device_info(parse(SCHLAGE))
    assert info.name == "Room 12 door"
    assert info.model_name == "Encode Plus"
    assert (info.online, info.battery_level, info.max_active_codes) == (True, 0.42, 30)
    assert info.supported_code_lengths == [4, 6, 8]
    # Vendor-specific constraints are left to Seam to enforce.
    assert info.code_constraints == ["no_zeros", "cannot_start_with_12"]
    assert info.supports_native_scheduling
    assert "access_code" in info.capabilities


@pytest.mark.parametrize("parse", [dict, Device.from_dict], ids=["recorded", "sdk"])
def test_a_disconnected_lock_without_a_keypad_is_listed_offline(parse):
    info = device_info(parse(AUGUST_BRIDGE_DOWN))
    assert (info.online, info.battery_level, info.capabilities) == (False, 0.9, ("lock",))
    assert not info.supports_native_scheduling  # no sign of it: codes go on just in time
    assert info.supported_code_lengths == [] and info.max_active_codes is None


def recorded_code(status, **fields):
    return {
        "access_code_id": "b7a2d7b4-6c8e-4b51-9a43-3b0d1e2f4c55",
        "device_id": "august_device_1",
        "code": "4821",
        "name": "Anna Smith, Res-12345",
        "type": "time_bound",
        "starts_at": "2026-06-03T15:00:00.000Z",
        "ends_at": "2026-06-05T11:00:00.000Z",
        "status": status,
        "errors": [],
        "warnings": [],
        "is_managed": True,
        **fields,
    }


@pytest.mark.parametrize(
    ("status", "fields", "confirmed", "scheduled", "held"),
    [
        ("unset", {}, False, False, True),
        ("unset", {"is_scheduled_on_device": True}, True, True, False),
        (
            "setting",
            {"warnings": [{"warning_code": "delay_in_setting_on_device"}]},
            False,
            False,
            False,
        ),
        ("setting", {"errors": [{"error_code": "failed_to_set_on_device"}]}, False, False, False),
        ("unknown", {}, False, False, False),
        ("set", {}, True, False, False),
        ("set", {"is_scheduled_on_device": True}, True, False, False),
        ("removing", {}, True, False, False),
    ],
)
@pytest.mark.parametrize("parse", [dict, AccessCode.from_dict], ids=["recorded", "sdk"])
def test_a_code_is_confirmed_once_seam_says_set_or_stored_on_the_lock(
    parse, status, fields, confirmed, scheduled, held
):
    on_lock = code_on_lock(parse(recorded_code(status, **fields)))
    assert (on_lock.confirmed, on_lock.scheduled_on_device, on_lock.held_by_cloud) == (
        confirmed,
        scheduled,
        held,
    )
    assert (on_lock.ref, on_lock.code) == ("b7a2d7b4-6c8e-4b51-9a43-3b0d1e2f4c55", "4821")
    assert on_lock.starts_at == datetime(2026, 6, 3, 15, tzinfo=UTC)
    assert on_lock.ends_at == datetime(2026, 6, 5, 11, tzinfo=UTC)


def test_an_ongoing_code_has_no_window():
    on_lock = code_on_lock(recorded_code("set", type="ongoing", starts_at=None, ends_at=None))
    assert (on_lock.starts_at, on_lock.ends_at) == (None, None)


def api_error(status, kind, message="Cannot set duplicate access code 4821 named Guest"):
    return SeamHttpApiError({"type": kind, "message": message}, status, "req-1")


@pytest.mark.parametrize(
    ("exc", "error_code", "permanent"),
    [
        (SeamHttpUnauthorizedError("req-1"), "account_disconnected", True),
        (api_error(404, "device_not_found"), "device_removed", True),
        (api_error(409, "duplicate_access_code"), "duplicate_code_on_device", True),
        (api_error(400, "duplicate_code_on_device"), "duplicate_code_on_device", True),
        (api_error(400, "code_constraints_violated"), "code_constraints_violated", True),
        (
            SeamHttpInvalidInputError(
                {
                    "type": "invalid_input",
                    "message": "code 4821 is invalid",
                    "validation_errors": {"code": {"_errors": ["must not contain 0"]}},
                },
                400,
                "req-1",
            ),
            "code_constraints_violated",
            True,
        ),
        (api_error(400, "invalid_input"), "", True),
        (api_error(429, "rate_limited"), "provider_issue", False),
        (api_error(503, "service_unavailable"), "provider_issue", False),
        (api_error(500, "internal_server_error"), "provider_issue", False),
        (httpx.ReadTimeout("timed out"), "provider_issue", False),
        (httpx.ConnectError("refused"), "provider_issue", False),
    ],
)
def test_seam_errors_map_to_permanent_or_retryable(exc, error_code, permanent):
    error = driver_error(exc)
    assert (error.error_code, error.permanent) == (error_code, permanent)
    assert "4821" not in error.message  # Seam's own messages can quote the PIN


@pytest.mark.parametrize(
    ("exc", "error_code"),
    [
        (api_error(400, "device_offline"), "device_disconnected"),
        (api_error(400, "device_disconnected"), "device_disconnected"),
        (api_error(400, "hub_disconnected"), "device_disconnected"),
        (api_error(408, "request_timeout"), "provider_issue"),
    ],
)
def test_an_offline_lock_or_a_slow_answer_is_retryable_not_a_refusal(exc, error_code):
    error = driver_error(exc)
    assert (error.error_code, error.permanent) == (error_code, False)
    assert "4821" not in error.message


@pytest.mark.parametrize("parse", [dict, AccessCode.from_dict], ids=["recorded", "sdk"])
def test_errors_and_warnings_seam_adds_to_a_code_come_in_our_words(parse):
    seam_said = recorded_code(
        "setting",
        errors=[
            {"error_code": "duplicate_code_on_device", "message": "Code 4821 is on the device"},
            {"error_code": "failed_to_set_on_device", "message": "Could not set 4821"},
        ],
        warnings=[
            {"warning_code": "delay_in_setting_code_on_device", "message": "4821 is slow"},
            {"warning_code": "something_new_4821", "message": "4821"},
        ],
    )
    on_lock = code_on_lock(parse(seam_said))
    assert [e["error_code"] for e in on_lock.errors] == [
        "duplicate_code_on_device",
        "failed_to_set_on_device",
    ]
    # The older name is read as the current one; an unknown one keeps its name, not its text.
    assert [w["warning_code"] for w in on_lock.warnings] == [
        "delay_in_setting_on_device",
        "something_new_4821",
    ]
    assert all(i["message"] for i in (*on_lock.errors, *on_lock.warnings))
    said = " ".join(i["message"] for i in (*on_lock.errors, *on_lock.warnings))
    assert "4821" not in said.replace("something new 4821", "")


class RecordedSeam:
    """Seam's HTTP answers from recorded pages, and the requests the driver sent."""

    def __init__(self, pages: dict):
        self.pages = pages  # (path, page_cursor or None) -> body
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        body = json.loads(request.content) if request.content else {}
        cursor = request.url.params.get("page_cursor") or body.get("page_cursor")
        answer = self.pages.get((request.url.path, cursor), {"ok": True})
        return httpx.Response(200, json=answer)

    def driver(self) -> SeamDriver:
        driver = SeamDriver(api_key="seam_test_key", endpoint="http://seam.test")
        driver._client = Seam(
            api_key="seam_test_key",
            endpoint="http://seam.test",
            wait_for_action_attempt=False,
            httpx_options={"transport": httpx.MockTransport(self)},
        )
        return driver


def recorded_codes(first: int, count: int, **fields) -> list[dict]:
    return [
        recorded_code(
            "set", access_code_id=f"code-{n}", code=f"{1000 + n}", name=f"Guest {n}", **fields
        )
        for n in range(first, first + count)
    ]


def page(codes, cursor=None) -> dict:
    pagination = {"has_next_page": cursor is not None, "next_page_cursor": cursor}
    return {"access_codes": codes, "pagination": pagination, "ok": True}


def test_every_page_of_a_locks_codes_is_read_managed_and_unmanaged():
    seam = RecordedSeam(
        {
            ("/access_codes/list", None): page(recorded_codes(0, CODES_LIMIT), "c2"),
            ("/access_codes/list", "c2"): page(recorded_codes(CODES_LIMIT, 3)),
            ("/access_codes/unmanaged/list", None): page(
                recorded_codes(900, 2, is_managed=False), "u2"
            ),
            ("/access_codes/unmanaged/list", "u2"): page(recorded_codes(902, 1, is_managed=False)),
        }
    )

    codes = seam.driver().list_codes("august_device_1")

    assert len(codes) == CODES_LIMIT + 3 + 3
    assert {c.ref for c in codes} >= {"code-502", "code-902"}


def test_a_list_without_pagination_is_one_page():
    seam = RecordedSeam(
        {
            ("/access_codes/list", None): {"access_codes": recorded_codes(0, 2)},
            ("/access_codes/unmanaged/list", None): {"access_codes": []},
        }
    )
    assert len(seam.driver().list_codes("august_device_1")) == 2


def test_a_code_goes_to_seam_time_bound_with_its_window_and_preference():
    created = {"access_code": recorded_code("unset"), "ok": True}
    seam = RecordedSeam({("/access_codes/create", None): created})
    spec = CodeSpec(
        code="4821",
        name="Anna Smith",
        starts_at=datetime(2026, 6, 3, 15, tzinfo=UTC),
        ends_at=datetime(2026, 6, 5, 11, tzinfo=UTC),
        prefer_native_scheduling=False,
    )

    ref = seam.driver().set_code("august_device_1", spec)

    (sent,) = [json.loads(r.content) for r in seam.requests if r.url.path.endswith("create")]
    assert ref == created["access_code"]["access_code_id"]
    assert (sent["starts_at"], sent["ends_at"]) == (
        "2026-06-03T15:00:00+00:00",
        "2026-06-05T11:00:00+00:00",
    )
    assert sent["prefer_native_scheduling"] is False


def test_a_new_window_is_an_update_of_the_same_code():
    seam = RecordedSeam({("/access_codes/update", None): {"ok": True}})
    spec = CodeSpec(
        code="4821",
        name="Anna Smith",
        starts_at=datetime(2026, 6, 3, 15, tzinfo=UTC),
        ends_at=datetime(2026, 6, 6, 11, tzinfo=UTC),
    )

    assert seam.driver().update_code("august_device_1", "code-7", spec) == "code-7"
    (sent,) = [json.loads(r.content) for r in seam.requests]
    assert (sent["access_code_id"], sent["ends_at"]) == ("code-7", "2026-06-06T11:00:00+00:00")
    assert "code" not in sent  # the PIN stays as it is


def test_every_lock_that_takes_codes_keeps_its_schedule_on_seam():
    info = device_info(dict(SCHLAGE, can_program_offline_access_codes=False))
    assert info.supports_native_scheduling
