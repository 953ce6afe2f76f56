"""On a phone: a manager invites a new colleague by email from Settings; the colleague opens the
emailed link, chooses a name and password and lands on Today; the pages never scroll sideways.
Screenshots go to test-artifacts/ every run."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from locks.models import Membership
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page) -> None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= inner, f"the page is {width}px wide in a {inner}px window"


def on_a_phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-GB")
    context.set_default_timeout(10_000)
    return context


def test_a_manager_invites_and_the_colleague_joins_on_a_phone(live_site, browser, alice, shoot):
    manager, colleague = on_a_phone(browser), on_a_phone(browser)
    try:
        page = manager.new_page()
        log_in(page, live_site.url, "alice", factories.PASSWORD)
        page.goto(f"{live_site.url}/settings/#members")
        page.fill("#id_email", "dora@example.com")
        page.select_option("#id_role", "front_desk")
        page.click("button:has-text('Send the invite')")
        expect(page.locator(".messages")).to_contain_text("is on its way to dora@example.com")
        expect(page.locator("#invites")).to_contain_text("dora@example.com")
        no_sideways_scroll(page)
        shoot(page, "1-settings")

        (message,) = mail.outbox
        link = re.search(r"https?://\S+", message.body).group(0)
        joining = colleague.new_page()
        joining.goto(link)
        expect(joining.locator("h1")).to_have_text("Join Seaside Hotels")
        no_sideways_scroll(joining)
        joining.fill("#id_first_name", "Dora")
        joining.fill("#id_last_name", "Reis")
        joining.fill("#id_password1", "harbour-lights-42")
        joining.fill("#id_password2", "harbour-lights-41")
        joining.click("button:has-text('Join and sign in')")
        expect(joining.locator(".field.has-error")).to_contain_text("The two passwords differ")
        shoot(joining, "2-form-error")
        joining.fill("#id_password1", "harbour-lights-42")
        joining.fill("#id_password2", "harbour-lights-42")
        joining.click("button:has-text('Join and sign in')")
        joining.wait_for_url(f"{live_site.url}/")
        expect(joining.locator(".messages")).to_contain_text(
            "Welcome to Seaside Hotels. You are signed in as front desk."
        )
        no_sideways_scroll(joining)
        shoot(joining, "3-today")
        assert Membership.objects.get(user__email="dora@example.com").role == "front_desk"

        page.reload()
        expect(page.locator("#members")).to_contain_text("Dora Reis")
        expect(page.locator("#members")).to_contain_text("dora@example.com")
        assert page.locator("#invites").count() == 0

        joining.goto(link)
        expect(joining.locator("h1")).to_have_text("This invite does not work")
        no_sideways_scroll(joining)
    finally:
        manager.close()
        colleague.close()


def test_someone_with_an_account_signs_in_and_joins_on_a_phone(
    live_site, browser, alice, charlie, shoot
):
    charlie.email = "charlie@hilltop.example"
    charlie.save()
    manager, colleague = on_a_phone(browser), on_a_phone(browser)
    try:
        page = manager.new_page()
        log_in(page, live_site.url, "alice", factories.PASSWORD)
        page.goto(f"{live_site.url}/settings/")
        page.fill("#id_email", "charlie@hilltop.example")
        page.select_option("#id_role", "manager")
        page.click("button:has-text('Send the invite')")
        expect(page.locator(".messages")).to_contain_text("is on its way")

        link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
        joining = colleague.new_page()
        joining.goto(link)
        expect(joining.locator(".auth-card")).to_contain_text("has an Innkeeper account already")
        joining.click("a:has-text('Sign in to join')")
        joining.fill("#id_username", "charlie")
        joining.fill("#id_password", factories.PASSWORD)
        joining.click("button:has-text('Sign in')")
        joining.wait_for_url(link)
        shoot(joining, "4-join")
        joining.click("button:has-text('Join Seaside Hotels')")
        joining.wait_for_url(f"{live_site.url}/")
        expect(joining.locator(".messages")).to_contain_text("You are signed in as manager.")
        no_sideways_scroll(joining)
        assert Membership.objects.filter(user=charlie).count() == 2
    finally:
        manager.close()
        colleague.close()
