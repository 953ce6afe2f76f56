"""Settings read from the environment, strictly, and checks that refuse a dangerous production."""

import logging
import os
import subprocess
import sys
from datetime import timedelta

import httpx
import pytest
from django.conf import settings
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from config.settings import envbool, envint
from locks import scheduler
from locks.drivers import seam as seam_driver

GOOD_KEY = "k" * 50


def innkeeper_errors():
    return sorted(e.id for e in run_checks() if e.id.startswith("innkeeper."))


@override_settings(DEBUG=False, SECRET_KEY="", ALLOWED_HOSTS=["inn.example.com"])
def test_production_without_a_secret_key_fails_the_checks():
    assert innkeeper_errors() == ["innkeeper.E001"]


@override_settings(DEBUG=False, SECRET_KEY="too-short", ALLOWED_HOSTS=["inn.example.com"])
def test_production_with_a_short_secret_key_fails_the_checks():
    assert innkeeper_errors() == ["innkeeper.E001"]


@override_settings(DEBUG=False, SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=[])
def test_production_without_allowed_hosts_fails_the_checks():
    errors = [e for e in run_checks() if e.id == "innkeeper.E002"]
    assert len(errors) == 1
    assert "ALLOWED_HOSTS" in errors[0].hint


@override_settings(DEBUG=False, SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS=["inn.example.com"])
def test_a_sound_production_configuration_passes():
    assert innkeeper_errors() == []


@override_settings(DEBUG=True, SECRET_KEY="dev", ALLOWED_HOSTS=[])
def test_development_is_not_held_to_production_rules():
    assert innkeeper_errors() == []


def test_manage_py_check_refuses_a_production_start_without_a_key():
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "ALLOWED_HOSTS")}
    env["DEBUG"] = "False"

    run = subprocess.run(
        [sys.executable, "manage.py", "check"],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode != 0
    assert "innkeeper.E001" in run.stderr
    assert "innkeeper.E002" in run.stderr


@pytest.mark.parametrize(
    ("raw", "value"),
    [("True", True), ("true", True), ("1", True), ("False", False), ("false", False), ("0", False)],
)
def test_envbool_reads_true_and_false(monkeypatch, raw, value):
    monkeypatch.setenv("INNKEEPER_FLAG", raw)
    assert envbool("INNKEEPER_FLAG", "False") is value


@pytest.mark.parametrize("junk", ["yes", "on", "", "TRUE ", "2", "Flase"])
def test_envbool_refuses_anything_else(monkeypatch, junk):
    monkeypatch.setenv("INNKEEPER_FLAG", junk)
    with pytest.raises(ImproperlyConfigured, match="INNKEEPER_FLAG must be True or False"):
        envbool("INNKEEPER_FLAG", "False")


def test_envbool_uses_its_default_when_unset(monkeypatch):
    monkeypatch.delenv("INNKEEPER_FLAG", raising=False)
    assert envbool("INNKEEPER_FLAG", "True") is True


def test_envint_refuses_junk(monkeypatch):
    monkeypatch.setenv("INNKEEPER_WORKERS", "four")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        envint("INNKEEPER_WORKERS", "2")


def test_the_task_queue_avoids_django_q2s_known_traps():
    q = settings.Q_CLUSTER
    assert q["timeout"] < q["retry"]  # else a slow task is handed to a second worker
    assert q["max_attempts"] >= 1  # 0 would redeliver a failing task forever
    assert q["ack_failures"] is True
    assert q["catch_up"] is False  # a tick missed while down is not replayed many times over
    # A worker renews its lease before each call to the lock once a third of it has gone: the
    # slowest call (the Seam driver's timeout) must end before the rest runs out.
    assert timedelta(seconds=seam_driver.TIMEOUT_SECONDS) < scheduler.LEASE * 2 / 3


def test_a_pin_in_an_outgoing_url_is_not_logged(caplog):
    caplog.set_level(logging.DEBUG)
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"ok": True}))
    with httpx.Client(transport=transport) as client:
        client.get("https://connect.getseam.com/access_codes/get?device_id=d1&code=482913")

    assert "482913" not in caplog.text
