"""The guest's page on a phone (390x844), with JavaScript off and on: "My code doesn't work"
gives a backup after wrong PINs (a plain form, or swapped in place by htmx), and "I've checked
out" asks first, then says goodbye; Django's CSRF check passes for an anonymous guest."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backups.services import backup_pool_enable
from locks import scheduler, simulator
from messaging.models import GuestHelp
from reservations.guest_links import guest_page_path
from tests import factories
from tests.browser.conftest import CSP_REFUSALS, midday_inn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def stay(owner):
    """Anna is staying now; her code is on Room 7's door, which keeps backups."""
    from reservations.stays import reservation_create

    now = timezone.now()
    prop, unit = midday_inn(owner, now)
    door = factories.simulated_lock(owner=owner, property=prop, unit=unit, name="Room 7", now=now)
    backup_pool_enable(lock=door, now=now)
    stay = reservation_create(
        owner=owner,
        unit=unit,
        guest_name="Anna Smith",
        phone="+351 912 345 678",
        check_in=now - timedelta(minutes=10),
        check_out=now + timedelta(days=2),
        now=now,
    )
    later = now + scheduler.LEASE + timedelta(minutes=1)
    scheduler.run_due_locks(now=later)
    scheduler.run_due_locks(now=later + timedelta(minutes=1))
    simulator.simulated_keypad_entry(lock=door, code="9876", now=timezone.now())
    return stay


@pytest.fixture(params=[False, True], ids=["no-js", "js"])
def phone(request, browser):
    context = browser.new_context(viewport=PHONE, java_script_enabled=request.param, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if any(w in m.text for w in CSP_REFUSALS) else None,
    )
    yield page, request.param
    context.close()
    assert refused == [], f"the browser refused, under the Content-Security-Policy: {refused}"


def test_a_guest_gets_a_backup_then_checks_out(live_site, stay, phone):
    page, js = phone
    url = live_site.url + guest_page_path(stay)
    page.goto(url)

    page.get_by_role("button", name="My code doesn't work").click()

    backup = page.locator(".guest-backup")
    expect(backup).to_be_visible()
    (help_,) = GuestHelp.objects.filter(reservation=stay)
    expect(backup).to_have_text(help_.backup.code)
    if js:
        assert page.url == url  # swapped in place
    page.goto(url)

    page.get_by_role("link", name="I've checked out").click()
    page.get_by_role("button", name="Yes, I've left").click()

    expect(page.get_by_role("heading", name="Thank you, goodbye!")).to_be_visible()
    stay.refresh_from_db()
    assert stay.checked_out_at is not None
    page.goto(url)
    expect(page.get_by_role("heading", name="This link does not open a stay")).to_be_visible()
