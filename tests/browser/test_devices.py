"""A factory-reset lock in a real browser: its door goes offline, its new device waits in the
inbox with the door suggested first, and replacing puts its codes back on. Screenshots of the
inbox and the confirm page go to test-artifacts/ every run."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from locks import access_codes, scheduler
from locks.models import AccessCode, DiscoveredDevice, Lock
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def door(owner, hotel, room):
    """Room 101's door with a cleaner's code on it, and a street door that is fine."""
    now = timezone.now()
    lock = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101 door", now=now
    )
    factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=now)
    access_codes.access_code_create(lock=lock, now=now, name="Cleaner", code="5937")
    scheduler.run_due_locks(now=later())
    assert AccessCode.objects.get(name="Cleaner").status == "set"
    return lock


def later() -> timezone.datetime:
    """Past the 5-minute claim a change took on the lock when it queued its reconcile."""
    return timezone.now() + timedelta(minutes=6)


def test_a_reset_lock_is_replaced_from_the_inbox(live_site, page, alice, door, shoot):
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/{door.pk}/")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#simulator button:has-text('Reset')")
    expect(page.locator(".messages")).to_contain_text("came back as a new device")

    # The hub said at once that the device left: the door shows it gone, its codes unknown.
    status = page.locator("#lock-status")
    expect(status.locator(".pill")).to_have_text("Device gone", timeout=15_000)
    cleaner = page.locator(f"#code-{AccessCode.objects.get(name='Cleaner').pk}")
    expect(cleaner.locator(".pill")).to_have_text("Unknown", timeout=15_000)
    scheduler.run_due_locks(now=later())
    expect(status).to_contain_text("If this lock was reset, it may be waiting in")

    status.locator("a:has-text('Devices → New devices')").click()
    expect(page.locator("h1")).to_have_text("Devices")
    expect(page.locator("#new-devices")).to_contain_text("No new devices")
    page.click("button:has-text('Check for new devices')")
    expect(page.locator(".messages")).to_contain_text("Found 1 new device")

    new = DiscoveredDevice.objects.get(status="new")
    card = page.locator(f"#device-{new.pk}")
    expect(card).to_contain_text("Is this a new lock, or does it replace one?")
    first = card.locator(".suggestion").first
    expect(first).to_contain_text("Room 101 door")
    expect(first).to_contain_text("No longer answers under its old id since")
    expect(first).to_contain_text("same model")
    expect(card.locator(".suggestion")).to_have_count(1)  # the street door still answers
    shoot(page, "1-inbox")

    first.locator("a:has-text('Replace Room 101 door')").click()
    expect(page.locator("h1")).to_have_text("Replace the device behind “Room 101 door”?")
    expect(page.locator(".what-happens")).to_contain_text(
        "keeps its name, place, stays, codes, backups and history"
    )
    shoot(page, "2-confirm")
    page.click("button:has-text('Replace the device')")

    expect(page.locator("h1")).to_have_text("Room 101 door")
    expect(page.locator(".messages")).to_contain_text("now uses the new device")
    door.refresh_from_db()
    assert door.device_id == new.device_id
    code = AccessCode.objects.get(name="Cleaner")
    row = page.locator(f"#code-{code.pk}")
    expect(row.locator(".pill")).to_have_text("Being programmed")

    scheduler.run_due_locks(now=later())
    expect(row.locator(".pill")).to_have_text("On the lock", timeout=15_000)
    expect(page.locator("#lock-status .pill")).to_have_text("Online", timeout=15_000)
    expect(page.locator("#events")).to_contain_text(
        "The lock was replaced by a new device", timeout=15_000
    )
    shoot(page, "3-lock-back")
    assert Lock.objects.get(pk=door.pk).online
