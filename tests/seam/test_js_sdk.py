"""Seam's JavaScript SDK (npm `seam`, pinned in package-lock.json) against a live Innkeeper.

js_sdk_suite.mjs makes the calls, as a property-management system written in JavaScript would;
these tests start the app on a free loopback port (pytest-django's live server), hand the script
an API key and the owner's locks, send it one step at a time, let the lock confirm the codes
between steps, and check what the SDK answered. The SDK's version, 1.225.0, is the last without
@seamapi/cli among its dependencies (hundreds of packages, AI clients among them); it is made
from the same API description as the Python SDK 3.x the other API tests run (the same parameters),
and runs on Node.js 20 although it asks for 22.

Without node or the package the tests skip locally, but fail in CI (CI=true): there they must
run.
"""

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

import pytest
from django.utils import timezone

from locks.models import AccessCode, Lock
from locks.outgoing.delivery import endpoint_send_due
from locks.outgoing.endpoints import webhook_create
from locks.records import lock_event_record
from tests import factories
from tests.locks.seam_api import api_key_for, reconcile

pytestmark = pytest.mark.django_db(transaction=True)

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "js_sdk_suite.mjs"
# Installed beside the tests by .ci/fake-seam.sh, from this folder's package-lock.json.
PACKAGE = HERE / "node_modules" / "seam"
STEP_SECONDS = 30


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"Seam's JavaScript SDK is needed in CI: {reason}", pytrace=False)
    pytest.skip(reason)


class JsSdk:
    """The script's process: `result(step)` answers what the step returned, `error(step)`
    the SDK's error it raised; either fails the test when the step did the other."""

    def __init__(self, process: subprocess.Popen, stderr):
        self.process = process
        self.stderr = stderr
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.answers.put(line)
        self.answers.put("")  # the script exited

    def run(self, step: str, given: dict | None = None) -> dict:
        line = step if given is None else f"{step} {json.dumps(given)}"
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        try:
            line = self.answers.get(timeout=STEP_SECONDS)
        except queue.Empty:
            pytest.fail(f"the JavaScript SDK's step {step} did not answer in {STEP_SECONDS}s")
        if not line:
            self.process.wait(timeout=10)
            self.stderr.seek(0)
            pytest.fail(
                f"the JavaScript SDK's script exited ({self.process.returncode}) at step {step}:\n"
                + self.stderr.read()
            )
        answer = json.loads(line)
        assert answer["step"] == step
        return answer

    def result(self, step: str, given: dict | None = None):
        answer = self.run(step, given)
        assert "error" not in answer, f"{step} raised {answer.get('error')}"
        return answer["result"]

    def error(self, step: str, given: dict | None = None) -> dict:
        answer = self.run(step, given)
        assert "error" in answer, f"{step} answered {answer.get('result')} instead of an error"
        return answer["error"]


@pytest.fixture
def entrance(owner, hotel, t0):
    """The building's entrance, a second simulated keypad lock."""
    return factories.simulated_lock(owner=owner, property=hotel, name="Entrance", now=t0)


@pytest.fixture
def js_sdk(live_server, owner, lock, entrance):
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed")
    if not PACKAGE.exists():
        _unavailable("the npm package seam is not installed (make test runs npm ci)")
    env = {
        **os.environ,
        "SEAM_ENDPOINT": f"{live_server.url}/api",
        "SEAM_API_KEY": api_key_for(owner),
        "SEAM_DEVICE_IDS": f"{lock.public_id},{entrance.public_id}",
    }
    with tempfile.TemporaryFile("w+") as stderr:
        process = subprocess.Popen(
            [node, str(SCRIPT)],
            cwd=HERE,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        try:
            yield JsSdk(process, stderr)
        finally:
            process.stdin.close()  # the script exits when stdin closes
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_js_sdk_creates_gets_lists_updates_and_deletes_a_code(js_sdk, lock):
    created = js_sdk.result("create")
    assert (created["name"], created["code"]) == ("Anna Smith", "4826")
    assert created["device_id"] == str(lock.public_id)
    assert (created["status"], created["type"]) == ("unset", "ongoing")

    reconcile()  # the lock confirms the new PIN
    got = js_sdk.result("get")
    assert got["access_code_id"] == created["access_code_id"]
    assert (got["name"], got["code"], got["status"]) == ("Anna Smith", "4826", "set")

    listed = js_sdk.result("list")
    assert [(c["access_code_id"], c["code"]) for c in listed] == [
        (created["access_code_id"], "4826")
    ]

    updated = js_sdk.result("update")
    assert (updated["name"], updated["code"]) == ("Anna Jones", "4826")
    assert AccessCode.objects.get().name == "Anna Jones"

    assert js_sdk.result("delete")["status"] == "removing"
    reconcile()  # the lock confirms the PIN is off
    gone = js_sdk.error("get")
    assert gone["class"] == "SeamHttpApiError"
    assert (gone["code"], gone["status"]) == ("access_code_not_found", 404)
    assert js_sdk.result("list") == []


def test_the_js_sdk_raises_its_own_error_classes(js_sdk):
    bad_pin = js_sdk.error("create_with_a_bad_pin")
    assert bad_pin["class"] == "SeamHttpInvalidInputError"
    assert bad_pin["sdk_classes"] == ["SeamHttpApiError", "SeamHttpInvalidInputError"]
    assert (bad_pin["code"], bad_pin["status"]) == ("invalid_input", 400)
    assert list(bad_pin["validation_errors"]) == ["code"]
    assert AccessCode.objects.count() == 0

    stranger = js_sdk.error("list_with_an_unknown_key")
    assert stranger["class"] == "SeamHttpUnauthorizedError"
    assert (stranger["code"], stranger["status"]) == ("unauthorized", 401)


def test_the_js_sdk_puts_one_pin_on_the_room_door_and_the_entrance(js_sdk, lock, entrance):
    codes = js_sdk.result("create_multiple")
    assert sorted(c["device_id"] for c in codes) == sorted(
        [str(lock.public_id), str(entrance.public_id)]
    )
    assert len({c["code"] for c in codes}) == 1
    assert len({c["common_code_key"] for c in codes}) == 1 and codes[0]["common_code_key"]
    assert {c["name"] for c in codes} == {"Ben Jones"}
    listed = js_sdk.result("list")  # the room door's codes
    assert [c["access_code_id"] for c in listed] == [
        c["access_code_id"] for c in codes if c["device_id"] == str(lock.public_id)
    ]


def test_the_js_sdk_creates_a_webhook(js_sdk):
    webhook = js_sdk.result("webhooks_create")
    assert webhook["webhook_id"]
    assert webhook["url"] == "https://pms.example.com/seam-webhooks"
    assert sorted(webhook["event_types"]) == [
        "access_code.removed_from_device",
        "access_code.set_on_device",
    ]
    assert webhook["secret"]


def test_the_js_sdks_verifier_accepts_innkeepers_webhooks_and_rejects_a_forged_one(
    js_sdk, owner, lock, receiver
):
    endpoint = webhook_create(owner=owner, url=receiver.url)
    door = Lock.objects.select_related("owner").get(pk=lock.pk)
    event = lock_event_record(lock=door, event_type="device.low_battery", now=timezone.now())
    endpoint_send_due(endpoint_id=endpoint.pk)
    [got] = receiver.received
    given = {"secret": endpoint.secret, "body": got.body, "headers": got.headers}

    assert js_sdk.result("verify_webhook", given) == {
        "event_id": str(event.id),
        "event_type": "device.low_battery",
    }
    forged = {**given, "body": got.body.replace("low_battery", "connected")}
    assert "signature" in js_sdk.error("verify_webhook", forged)["message"].lower()
