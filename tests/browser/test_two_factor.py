"""Two-factor sign-in on a phone (390x844): a manager whose company requires it sets it up
before anything else, then signs in with a code. Screenshots go to test-artifacts/ every run."""

import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def app_code(key_text: str, steps_ahead: int = 0) -> str:
    """What an authenticator app holding this key shows (`steps_ahead` 30-second steps later:
    each code signs in once, so a second sign-in within the same 30 seconds needs the next)."""
    totp = TOTP(b32decode(key_text.replace(" ", "")), 30, 0, 6)
    totp.time = time.time() + 30 * steps_ahead
    return f"{totp.token():06d}"


def sign_in_with_password(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button:has-text('Sign in')")


def fits_the_screen(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_a_manager_sets_it_up_when_required_and_then_signs_in_with_a_code(
    live_site, phone, owner, alice, shoot
):
    owner.two_factor_for_managers = True
    owner.save()
    base = live_site.url
    page = phone

    sign_in_with_password(page, base, "alice")
    page.wait_for_url(f"{base}/account/two-factor/?next=%2F")
    expect(page.locator(".message-warning")).to_contain_text(
        "Seaside Hotels requires managers to use two-factor sign-in"
    )
    expect(page.locator(".qr svg")).to_be_visible()
    fits_the_screen(page)
    shoot(page, "1-set-up")
    page.click("nav >> text=Locks")  # nothing else opens first
    page.wait_for_url(f"{base}/account/two-factor/?next=%2Flocks%2F")

    key = page.inner_text("#two-factor-key")
    page.fill("#id_code", app_code(key))
    page.click("button:has-text('Turn on two-factor sign-in')")
    expect(page.locator("h1")).to_have_text("Two-factor sign-in is on")
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    fits_the_screen(page)
    shoot(page, "2-recovery-codes")
    page.click("text=I have kept them: go on")
    page.wait_for_url(f"{base}/locks/")

    page.click("button:has-text('Log out')")
    sign_in_with_password(page, base, "alice")
    page.wait_for_url(f"{base}/sign-in/code/?next=%2F")
    expect(page.locator(".auth-card")).to_contain_text(
        "Enter the 6-digit code from your authenticator app"
    )
    expect(page.locator("nav")).to_have_count(0)  # no menu before the code
    page.fill("#id_code", app_code(key, steps_ahead=1))
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")
    expect(page.locator("h1")).to_have_text("Today")

    # On another day: a wrong code is refused; a recovery code stands in for the phone.
    page.click("button:has-text('Log out')")
    sign_in_with_password(page, base, "alice")
    wrong = next(c for c in ("123456", "654321") if c not in {app_code(key, n) for n in range(3)})
    page.fill("#id_code", wrong)
    page.click("button:has-text('Sign in')")
    expect(page.locator(".field .error")).to_contain_text("That code is not right")
    fits_the_screen(page)
    shoot(page, "3-wrong-code")
    page.fill("#id_code", codes[0])
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base}/")
    expect(page.locator(".messages")).to_contain_text("it is used up (9 left)")
