"""`manage.py check --deploy` passes with production settings (what CI and a deploy step run),
HTTPS is on by default outside DEBUG, and behind a TLS-terminating proxy the site is served with
HSTS and its Content-Security-Policy, plain http being redirected.

The checks run in their own process, on an environment of their own: the tests' settings
(tests/environment.py) turn the https redirect off for the test client.
"""

import os
import subprocess
import sys

import httpx
import pytest
from django.db import connection

from tests.production_server import BASE_DIR, database_url_for, production_server

SECRET_KEY = "x7Jq-production-like-secret-key-of-more-than-fifty-characters-9f2c"
FIELD_ENCRYPTION_KEY = "cHJvZHVjdGlvbi1saWtlLWZpZWxkLWtleS0wMDAwMDA="
FIELD_HASH_KEY = "production-like-hash-key-of-more-than-fifty-characters-7d1e"


def production_env(tmp_path, **extra: str) -> dict[str, str]:
    """A production environment: no DEBUG, long secret and field keys, the site's host; nothing
    of the tests' own environment but PATH."""
    return {
        "PATH": os.environ["PATH"],
        "DEBUG": "False",
        "SECRET_KEY": SECRET_KEY,
        "FIELD_ENCRYPTION_KEYS": FIELD_ENCRYPTION_KEY,
        "FIELD_HASH_KEY": FIELD_HASH_KEY,
        "ALLOWED_HOSTS": "locks.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **extra,
    }


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return manage(env, "check", "--deploy", "--fail-level", "WARNING")


def test_the_deploy_checks_pass_with_the_production_defaults(tmp_path):
    run = deploy_check(production_env(tmp_path))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout, run.stdout + run.stderr


def test_the_deploy_checks_pass_behind_a_proxy_with_a_year_of_hsts(tmp_path):
    env = production_env(
        tmp_path,
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        SECURE_HSTS_SECONDS="31536000",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="True",
        SECURE_HSTS_PRELOAD="True",
        SECURE_SSL_REDIRECT="True",
        SECURE_COOKIES="True",
        CSRF_TRUSTED_ORIGINS="https://locks.example.com",
    )
    run = deploy_check(env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues" in run.stdout


def test_the_deploy_checks_fail_when_https_is_switched_off(tmp_path):
    env = production_env(
        tmp_path, SECURE_SSL_REDIRECT="False", SECURE_HSTS_SECONDS="0", SECURE_COOKIES="False"
    )
    run = deploy_check(env)
    assert run.returncode != 0
    for check in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert check in run.stderr, run.stderr


def test_the_preload_list_wants_a_year_of_hsts(tmp_path):
    run = deploy_check(production_env(tmp_path, SECURE_HSTS_PRELOAD="True"))
    assert run.returncode != 0
    assert "innkeeper.W003" in run.stderr and "31536000" in run.stderr


def test_a_malformed_proxy_header_is_refused_with_an_example(tmp_path):
    run = manage(production_env(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto"), "check")
    assert run.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER is a header and the value that means HTTPS" in run.stderr
    assert "HTTP_X_FORWARDED_PROTO,https" in run.stderr


SHOW_SETTINGS = (
    "from django.conf import settings as s; print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
    "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER)"
)


def test_https_is_on_by_default_without_debug_and_off_for_make_run(tmp_path):
    production = manage(production_env(tmp_path), "shell", "-c", SHOW_SETTINGS)
    assert production.stdout.splitlines()[-1].split() == ["True", "3600", "True", "True", "None"]
    development = manage(
        {"PATH": os.environ["PATH"], "DEBUG": "True", "DATABASE_URL": "sqlite://"},
        "shell",
        "-c",
        SHOW_SETTINGS,
    )
    assert development.stdout.splitlines()[-1].split() == ["False", "0", "False", "False", "None"]


@pytest.mark.django_db(transaction=True)
def test_behind_a_tls_proxy_pages_carry_hsts_and_the_csp_and_plain_http_is_redirected(tmp_path):
    # gunicorn believes X-Forwarded-Proto from FORWARDED_ALLOW_IPS (127.0.0.1 by default): the
    # proxy's way of saying the request came over https.
    env = {"SECURE_SSL_REDIRECT": "True", "SECURE_HSTS_SECONDS": "3600"}
    with (
        production_server(database_url_for(connection, tmp_path), folder=tmp_path, env=env) as site,
        httpx.Client(base_url=site.base_url, timeout=10) as http,
    ):
        plain = http.get("/login/")
        assert plain.status_code == 301
        assert plain.headers["location"].startswith("https://127.0.0.1")
        assert plain.headers["location"].endswith("/login/")

        secure = http.get("/login/", headers={"X-Forwarded-Proto": "https"})
        assert secure.status_code == 200
        assert secure.headers["strict-transport-security"] == ("max-age=3600; includeSubDomains")
        policy = secure.headers["content-security-policy"]
        assert "default-src 'self'" in policy and "script-src 'self'" in policy
        assert "frame-ancestors 'none'" in policy and "unsafe" not in policy
