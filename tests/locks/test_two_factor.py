"""Two-factor sign-in: after the password, a code from an authenticator app (or a single-use
recovery code) before any page; set up and turned off by the person; required for managers by
their owner; the REST API with its keys is not concerned."""

import re
import time
import types
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests import factories
from tests.locks.seam_api import call
from tests.reservations.test_views_settings import OWNER_SETTINGS

CODE_PAGE = reverse("two_factor_verify")
SETUP_PAGE = reverse("two_factor")
ASKED_FOR_CODE = "Enter the 6-digit code from your authenticator app"
NOT_RIGHT = "That code is not right"


class Clock:
    """The time django-otp's TOTP check reads, moved by hand (a code is good for 30 seconds,
    and each once: the next sign-in needs a later code)."""

    def __init__(self):
        self.now = time.time()

    def time(self):
        return self.now

    def later(self, seconds: int = 30):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(totp_models, "time", types.SimpleNamespace(time=clock.time))
    return clock


def app_code(device: TOTPDevice, clock: Clock) -> str:
    """What the person's authenticator app shows now: the device's secret, at the clock's time."""
    device.refresh_from_db()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = clock.now
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice, clock: Clock) -> str:
    """Six digits the app shows at none of the moments accepted now (the step before, this one,
    the next)."""
    near = set()
    for shift in (-30, 0, 30):
        clock.now += shift
        near.add(app_code(device, clock))
        clock.now -= shift
    return next(c for c in ("123456", "654321", "111111", "999999") if c not in near)


def wait_over(user) -> None:
    """The wait after wrong codes has passed (it doubles with each: 1, 2, 4… seconds)."""
    for model in (TOTPDevice, StaticDevice):
        for device in model.objects.filter(user=user, throttling_failure_timestamp__isnull=False):
            device.throttling_failure_timestamp -= timedelta(hours=1)
            device.save(update_fields=["throttling_failure_timestamp"])


def recovery_codes_in(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", html)


def enrol(client, clock) -> tuple[TOTPDevice, list[str]]:
    """Set up two-factor sign-in through its pages; returns the device and the recovery codes."""
    page = client.get(SETUP_PAGE).content.decode()
    assert "<svg" in page
    device = TOTPDevice.objects.get(confirmed=False)
    response = client.post(reverse("two_factor_confirm"), {"code": app_code(device, clock)})
    assert response.status_code == 200
    codes = re.findall(
        r"<li><code>([a-z2-7]{4}-[a-z2-7]{4})</code></li>", response.content.decode()
    )
    clock.later()
    return TOTPDevice.objects.get(pk=device.pk), codes


def sign_in(client, username: str):
    """The login page with the right password, from a signed-out browser."""
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return response


def enter_code(client, code: str, next_url: str = "/"):
    return client.post(CODE_PAGE, {"code": code, "next": next_url})


def today_status(client) -> int:
    return client.get(reverse("today")).status_code


@pytest.fixture
def enrolled(client, alice, clock):
    """alice has set up two-factor sign-in, then signed out."""
    client.force_login(alice)
    device, codes = enrol(client, clock)
    client.logout()
    return device, codes


# --- set-up --------------------------------------------------------------------------------------


def test_setting_up_shows_a_qr_code_and_the_key_and_a_right_code_turns_it_on(
    client_for, alice, clock
):
    client = client_for(alice)
    html = client.get(SETUP_PAGE).content.decode()
    device = TOTPDevice.objects.get(user=alice)
    assert not device.confirmed
    assert "<svg" in html and "QR code for your authenticator app" in html
    key = re.search(r'id="two-factor-key" class="secret">([A-Z2-7 ]+)<', html).group(1)
    assert key.replace(" ", "") and len(key.replace(" ", "")) == 32  # 20 bytes in base32
    assert client.get(SETUP_PAGE).content.decode().count(key) == 1  # same key on a reload

    response = client.post(reverse("two_factor_confirm"), {"code": app_code(device, clock)})
    html = response.content.decode()
    assert response.status_code == 200 and "Two-factor sign-in is on" in html
    codes = recovery_codes_in(html)
    assert len(set(codes)) == 10 and "shown only this once" in html
    assert "no-store" in response["Cache-Control"]  # no copy left in a browser's cache
    assert TOTPDevice.objects.get(user=alice).confirmed
    # The page now says it is on, and shows no recovery code again.
    html = client.get(SETUP_PAGE).content.decode()
    assert "Two-factor sign-in is on" in html and "10 recovery codes" in html
    assert not any(code in html for code in codes) and "<svg" not in html
    assert today_status(client) == 200  # this session is the one that proved the code


def test_a_wrong_first_code_does_not_turn_it_on(client_for, alice, clock):
    client = client_for(alice)
    client.get(SETUP_PAGE)
    response = client.post(reverse("two_factor_confirm"), {"code": "000000"})
    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert not StaticToken.objects.exists()


def test_the_user_menu_links_to_it(client_for, alice):
    assert SETUP_PAGE in client_for(alice).get(reverse("today")).content.decode()


# --- signing in ----------------------------------------------------------------------------------


def test_people_without_two_factor_sign_in_with_their_password_alone(client, alice):
    response = sign_in(client, "alice")
    assert response.url == reverse("today")
    assert today_status(client) == 200


def test_the_password_alone_does_not_reach_today_and_the_right_code_does(
    client, alice, enrolled, clock
):
    device, _ = enrolled
    sign_in(client, "alice")
    response = client.get(reverse("today"))
    assert response.status_code == 302
    assert response.url == f"{CODE_PAGE}?next=%2F"
    for page in (reverse("home"), reverse("settings"), SETUP_PAGE, reverse("password_change")):
        assert client.get(page).status_code == 302, page
    html = client.get(response.url).content.decode()
    assert ASKED_FOR_CODE in html
    assert reverse("settings") not in html  # no menu while half signed in

    response = enter_code(client, app_code(device, clock))
    assert response.status_code == 302 and response.url == "/"
    assert today_status(client) == 200


def test_the_code_page_sends_the_person_on_to_the_page_they_asked_for(
    client, alice, enrolled, clock
):
    device, _ = enrolled
    sign_in(client, "alice")
    response = client.get(reverse("home"))
    assert response.url == f"{CODE_PAGE}?next=%2Flocks%2F"
    response = enter_code(client, app_code(device, clock), next_url="/locks/")
    assert response.url == "/locks/"
    clock.later()
    client.logout()
    sign_in(client, "alice")
    response = enter_code(client, app_code(device, clock), next_url="https://evil.example/")
    assert response.url == "/"  # never off the site


def test_a_wrong_code_is_refused_and_then_the_person_must_wait(client, alice, enrolled, clock):
    device, _ = enrolled
    sign_in(client, "alice")
    response = enter_code(client, wrong_code(device, clock))
    assert response.status_code == 400
    assert NOT_RIGHT in response.content.decode()
    assert today_status(client) == 302

    # Right away, even the right code waits: django-otp's throttling (1, 2, 4… seconds).
    response = enter_code(client, app_code(device, clock))
    assert response.status_code == 400
    assert "Too many wrong codes in a row. Wait 1 second" in response.content.decode()
    assert today_status(client) == 302

    wait_over(alice)
    assert enter_code(client, app_code(device, clock)).status_code == 302
    assert today_status(client) == 200


def test_a_code_works_once(client, alice, enrolled, clock):
    device, _ = enrolled
    sign_in(client, "alice")
    code = app_code(device, clock)
    assert enter_code(client, code).status_code == 302
    client.logout()
    sign_in(client, "alice")
    assert enter_code(client, code).status_code == 400  # seen by someone looking over a shoulder
    assert today_status(client) == 302


def test_a_recovery_code_works_instead_of_the_app_once_only(client, alice, enrolled, clock):
    _, codes = enrolled
    sign_in(client, "alice")
    response = enter_code(client, codes[0].upper().replace("-", " "))  # as typed by hand
    assert response.status_code == 302
    assert today_status(client) == 200
    assert StaticToken.objects.count() == 9

    client.logout()
    sign_in(client, "alice")
    response = enter_code(client, codes[0])
    assert response.status_code == 400 and NOT_RIGHT in response.content.decode()
    assert today_status(client) == 302


def test_signing_in_with_a_recovery_code_says_how_many_are_left(client, alice, enrolled):
    _, codes = enrolled
    sign_in(client, "alice")
    response = client.post(CODE_PAGE, {"code": codes[3], "next": "/"}, follow=True)
    assert "You signed in with a recovery code; it is used up (9 left)" in (
        response.content.decode()
    )


def test_a_half_signed_in_page_refreshed_by_htmx_is_sent_to_the_code_page(client, alice, enrolled):
    sign_in(client, "alice")
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"].startswith(CODE_PAGE)


def test_another_session_of_the_person_needs_the_code_once_it_is_turned_on(client, alice, clock):
    client.force_login(alice)  # e.g. the laptop, signed in before
    other = type(client)()
    other.force_login(alice)  # the phone, where it is set up
    enrol(other, clock)
    assert today_status(other) == 200
    assert today_status(client) == 302


# --- the API -------------------------------------------------------------------------------------


def test_api_key_requests_are_not_asked_for_a_code(client, alice, enrolled, key, lock):
    status, body = call(client, "GET", "devices/list", key)
    assert status == 200 and body["ok"] is True
    sign_in(client, "alice")  # the same browser, half signed in
    status, body = call(client, "GET", "devices/list", key)
    assert status == 200 and body["ok"] is True
    response = client.get("/api/devices/list")  # the session is no way into the API
    assert response.status_code == 401 and response.json()["ok"] is False


# --- changes once on -----------------------------------------------------------------------------


def test_turning_it_off_needs_a_current_code(client, alice, enrolled, clock):
    device, _ = enrolled
    sign_in(client, "alice")
    enter_code(client, app_code(device, clock))
    clock.later()
    turn_off = reverse("two_factor_turn_off")
    for code in ("", wrong_code(device, clock)):
        response = client.post(turn_off, {"code": code})
        assert response.status_code == 400
        assert TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert NOT_RIGHT in response.content.decode()
    wait_over(alice)

    response = client.post(turn_off, {"code": app_code(device, clock)}, follow=True)
    html = response.content.decode()
    assert "Two-factor sign-in is off" in html and "<svg" in html  # to set it up again
    assert not TOTPDevice.objects.filter(user=alice, confirmed=True).exists()
    assert not StaticToken.objects.exists()
    client.logout()
    sign_in(client, "alice")
    assert today_status(client) == 200  # the password alone again


def test_new_recovery_codes_replace_the_old_ones(client, alice, enrolled, clock):
    device, old = enrolled
    sign_in(client, "alice")
    enter_code(client, app_code(device, clock))
    clock.later()
    response = client.post(reverse("two_factor_recovery_codes"), {"code": app_code(device, clock)})
    html = response.content.decode()
    new = recovery_codes_in(html)
    assert len(set(new)) == 10 and not set(new) & set(old)
    assert "The old ones no longer work" in html

    client.logout()
    sign_in(client, "alice")
    assert enter_code(client, old[1]).status_code == 400
    wait_over(alice)
    assert enter_code(client, new[1]).status_code == 302
    assert today_status(client) == 200


def test_new_recovery_codes_need_a_current_code(client, alice, enrolled, clock):
    device, old = enrolled
    sign_in(client, "alice")
    enter_code(client, app_code(device, clock))
    response = client.post(reverse("two_factor_recovery_codes"), {"code": ""})
    assert response.status_code == 400
    assert StaticToken.objects.count() == 10
    assert set(StaticToken.objects.values_list("token", flat=True)) == {
        c.replace("-", "") for c in old
    }


# --- an owner's requirement ----------------------------------------------------------------------


def test_a_manager_of_an_owner_that_requires_it_is_sent_to_set_it_up_first(
    client, owner, alice, bob, clock
):
    owner.two_factor_for_managers = True
    owner.save()
    sign_in(client, "alice")
    response = client.get(reverse("today"))
    assert response.status_code == 302 and response.url.startswith(SETUP_PAGE)
    html = client.get(response.url).content.decode()
    assert "Seaside Hotels requires managers to use two-factor sign-in" in html
    assert client.get(reverse("settings")).status_code == 302

    enrol(client, clock)
    assert today_status(client) == 200

    sign_in(client, "bob")  # the front desk is not asked
    assert today_status(client) == 200
    assert "requires managers" not in client.get(SETUP_PAGE).content.decode()


def test_a_manager_sets_the_requirement_in_settings(client_for, owner, alice):
    client = client_for(alice)
    response = client.post(reverse("settings"), {**OWNER_SETTINGS, "two_factor_for_managers": "on"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.two_factor_for_managers
    # alice herself now sets it up before anything else.
    assert client.get(reverse("today")).url.startswith(SETUP_PAGE)


def test_the_settings_page_offers_the_requirement_and_says_who_has_it_on(
    client, alice, bob, enrolled, clock
):
    device, _ = enrolled
    sign_in(client, "alice")
    enter_code(client, app_code(device, clock))
    html = client.get(reverse("settings")).content.decode()
    assert "Managers must use two-factor sign-in" in html
    people = re.findall(r'<tr id="member-\d+">.*?</tr>', html, flags=re.S)
    assert len(people) == 2
    assert [("two-factor sign-in on" in row, "alice" in row) for row in people] in (
        [(True, True), (False, False)],
        [(False, False), (True, True)],
    )


def test_the_front_desk_cannot_change_the_requirement(client_for, owner, bob):
    data = {**OWNER_SETTINGS, "two_factor_for_managers": "on"}
    assert client_for(bob).post(reverse("settings"), data).status_code == 403
    owner.refresh_from_db()
    assert not owner.two_factor_for_managers


# --- the admin and the operator ------------------------------------------------------------------


def test_the_admin_asks_a_staff_person_with_two_factor_for_the_code(client, db, clock):
    staff = get_user_model().objects.create_user(
        "support", password=factories.PASSWORD, is_staff=True, is_superuser=True
    )
    client.force_login(staff)
    device, _ = enrol(client, clock)
    client.logout()
    client.post(reverse("admin:login"), {"username": "support", "password": factories.PASSWORD})
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url.startswith(CODE_PAGE)
    enter_code(client, app_code(device, clock), next_url=reverse("admin:index"))
    assert client.get(reverse("admin:index")).status_code == 200
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()


def test_two_factor_reset_turns_off_a_lost_phone(client, alice, enrolled, capsys):
    call_command("two_factor_reset", "Alice")
    assert "Two-factor sign-in of alice is off" in capsys.readouterr().out
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    sign_in(client, "alice")
    assert today_status(client) == 200
    call_command("two_factor_reset", "alice")
    assert "nothing to do" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No person signs in as “nobody”"):
        call_command("two_factor_reset", "nobody")
