from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from locks import access_codes, scheduler
from locks.models import AccessCode, Event
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def local_input(dt, lock) -> str:
    return dt.astimezone(lock.property.tz).strftime("%Y-%m-%dT%H:%M")


def test_a_new_code_goes_on_the_lock_while_the_page_is_open(live_site, page, alice, lock):
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.click("nav >> text=Locks")
    page.click("text=Room 101 door")
    expect(page.locator("h1")).to_have_text("Room 101 door")

    now = timezone.now()
    page.fill("#id_name", "Anna Smith")
    page.fill("#id_starts_at", local_input(now + timedelta(minutes=35), lock))
    page.fill("#id_ends_at", local_input(now + timedelta(days=2), lock))
    page.click("button:has-text('Add the code')")

    expect(page.locator(".messages")).to_contain_text("Code “Anna Smith” added")
    code = AccessCode.objects.get(name="Anna Smith")
    row = page.locator(f"#code-{code.pk}")
    expect(row).to_contain_text("Scheduled")
    expect(row).to_contain_text("Goes on the lock in")

    # The worker's tick, six minutes on: the code is due 30 minutes before it starts.
    scheduler.run_due_locks(now=timezone.now() + timedelta(minutes=6))
    expect(row.locator(".pill")).to_have_text("On the lock", timeout=15_000)
    expect(page.locator("#events")).to_contain_text("“Anna Smith” is on the lock", timeout=15_000)


def test_a_manager_reveals_a_pin(live_site, page, alice, lock):
    code, _ = access_codes.access_code_create(
        lock=lock, now=timezone.now(), name="Anna Smith", code="5937"
    )
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/{lock.pk}/")
    row = page.locator(f"#code-{code.pk}")
    expect(row).not_to_contain_text("5937")
    row.locator("button:has-text('Reveal')").click()
    expect(row.locator(".pin-revealed")).to_have_text("5937")
    assert Event.objects.filter(event_type="access_code.pin_revealed", access_code=code).exists()


def test_the_keypad_answers_a_manager(live_site, page, alice, lock):
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/{lock.pk}/")
    page.fill("#keypad input[name=code]", "5937")
    page.click("#keypad button:has-text('Try')")
    expect(page.locator("#keypad .keypad-result")).to_have_text("Door stays locked")


def test_the_front_desk_has_no_keypad_and_no_reveal(live_site, page, bob, lock):
    access_codes.access_code_create(lock=lock, now=timezone.now(), name="Anna", code="5937")
    log_in(page, live_site.url, "bob", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/{lock.pk}/")
    expect(page.locator("#codes")).to_contain_text("Anna")
    expect(page.locator("text=Reveal")).to_have_count(0)
    expect(page.locator("#keypad")).to_have_count(0)
