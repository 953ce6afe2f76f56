"""Sign-in throttling: 5 wrong passwords for one account, or from one address, refuse further
tries for 15 minutes (django-axes), on the dashboard's login and the admin's; and API key
failures throttled per address."""

import ipaddress
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from seam.exceptions import SeamHttpApiError, SeamHttpUnauthorizedError

from locks.client_address import client_address
from locks.models import AttemptWindow
from tests import factories
from tests.locks.seam_api import seam_client

LOCKED_OUT = "Too many wrong passwords for this account or from this address"


def sign_in(client, username, password, address, url=None):
    client.logout()
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def wrong_passwords(client, username, address, times=5, url=None):
    return [sign_in(client, username, "nope", address, url).status_code for _ in range(times)]


def test_five_wrong_passwords_lock_the_account_from_any_address(client, alice):
    assert wrong_passwords(client, "alice", "10.0.0.1") == [200, 200, 200, 200, 429]
    response = sign_in(client, "alice", factories.PASSWORD, "10.0.0.2")
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED_OUT in html and "Try again in 15 minutes" in html
    assert "Sign in" in html  # the branded login page, not a bare text
    assert "_auth_user_id" not in client.session


def test_others_still_sign_in_while_an_account_is_locked(client, alice, bob):
    wrong_passwords(client, "alice", "10.0.0.1")
    assert sign_in(client, "bob", factories.PASSWORD, "10.0.0.3").status_code == 302


def test_the_account_opens_again_after_the_cool_off(client, alice):
    wrong_passwords(client, "alice", "10.0.0.1")
    assert sign_in(client, "alice", factories.PASSWORD, "10.0.0.1").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16)
    )
    response = sign_in(client, "alice", factories.PASSWORD, "10.0.0.1")
    assert response.status_code == 302 and response.url == reverse("today")


def test_a_right_password_resets_the_count(client, alice):
    assert wrong_passwords(client, "alice", "10.0.0.1", times=4) == [200] * 4
    assert sign_in(client, "alice", factories.PASSWORD, "10.0.0.1").status_code == 302
    assert wrong_passwords(client, "alice", "10.0.0.1", times=4) == [200] * 4
    assert sign_in(client, "alice", factories.PASSWORD, "10.0.0.1").status_code == 302


def test_five_wrong_passwords_from_one_address_lock_that_address(client, alice):
    for name in ("ann", "ben", "cat", "dan", "eve"):
        sign_in(client, name, "nope", "10.0.0.9")
    response = sign_in(client, "alice", factories.PASSWORD, "10.0.0.9")
    assert response.status_code == 429 and LOCKED_OUT in response.content.decode()
    assert sign_in(client, "alice", factories.PASSWORD, "10.0.0.10").status_code == 302


def test_the_admin_login_is_throttled_too(client, db):
    get_user_model().objects.create_user("support", password=factories.PASSWORD, is_staff=True)
    admin_login = reverse("admin:login")
    assert wrong_passwords(client, "support", "10.0.0.5", url=admin_login)[:4] == [200] * 4
    response = sign_in(client, "support", factories.PASSWORD, "10.0.0.6", url=admin_login)
    assert response.status_code == 429 and LOCKED_OUT in response.content.decode()


def test_the_address_is_remote_addr_unless_a_proxy_is_trusted(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6")
    assert client_address(request) == "127.0.0.1"
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.0/8")]
    assert client_address(request) == "6.6.6.6"
    # A client's own X-Forwarded-For is left of what the proxy appends: never believed.
    spoofed = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 6.6.6.6"
    )
    assert client_address(spoofed) == "6.6.6.6"
    direct = RequestFactory().get("/", REMOTE_ADDR="5.5.5.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_address(direct) == "5.5.5.5"


def test_over_a_unix_socket_the_proxy_s_header_tells_the_address():
    # gunicorn on a unix socket gives no REMOTE_ADDR; only a local proxy can connect there.
    request = RequestFactory().get("/", REMOTE_ADDR="", HTTP_X_FORWARDED_FOR="1.2.3.4, 6.6.6.6")
    assert client_address(request) == "6.6.6.6"
    assert client_address(RequestFactory().get("/", REMOTE_ADDR="")) is None


def test_behind_a_trusted_proxy_each_client_is_counted_apart(client, alice, bob, settings):
    settings.TRUSTED_PROXIES = [ipaddress.ip_network("127.0.0.1/32")]
    for name in ("ann", "ben", "cat", "dan", "eve"):
        client.post(
            reverse("login"),
            {"username": name, "password": "nope"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="6.6.6.6",
        )
    response = client.post(
        reverse("login"),
        {"username": "bob", "password": factories.PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="7.7.7.7",
    )
    assert response.status_code == 302


def bad_key(client, address, key="seam_ik_not_a_real_key"):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.get("/api/devices/list", REMOTE_ADDR=address, **headers)


def test_twenty_bad_keys_from_one_address_answer_429(client, lock):
    assert {bad_key(client, "10.1.1.1").status_code for _ in range(20)} == {401}
    response = bad_key(client, "10.1.1.1")
    assert response.status_code == 429
    body = response.json()
    assert body["ok"] is False and body["error"]["type"] == "too_many_requests"
    assert "API key" in body["error"]["message"]
    assert 1 <= int(response["Retry-After"]) <= 300
    assert bad_key(client, "10.1.1.1", key=None).status_code == 429  # no key at all, too
    assert bad_key(client, "10.1.1.2").status_code == 401  # another address is not refused


def test_the_sdk_sees_429_and_a_good_key_keeps_working(client, key, lock):
    # The SDK's requests come from 127.0.0.1 (httpx's WSGI transport).
    for _ in range(20):
        bad_key(client, "127.0.0.1", key=None)
    with seam_client("seam_ik_not_a_real_key") as seam, pytest.raises(SeamHttpApiError) as error:
        seam.devices.list()
    assert (error.value.status_code, error.value.code) == (429, "too_many_requests")
    # A valid key works from the throttled address (and from any other).
    with seam_client(key) as seam:
        assert len(seam.devices.list()) == 1


def test_the_api_answers_401_again_after_the_window(client, lock):
    for _ in range(20):
        bad_key(client, "10.1.1.1")
    assert bad_key(client, "10.1.1.1").status_code == 429
    failure = AttemptWindow.objects.get(kind="api_key_failure", subject="10.1.1.1")
    AttemptWindow.objects.update(window_start=failure.window_start - timedelta(minutes=5))
    assert bad_key(client, "10.1.1.1").status_code == 401
    with seam_client("seam_ik_not_a_real_key") as seam, pytest.raises(SeamHttpUnauthorizedError):
        seam.devices.list()
