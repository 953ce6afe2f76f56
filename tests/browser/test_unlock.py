"""*Unlock now* in a real browser: the front desk opens a door for a guest who cannot get in;
the confirmation names the door and the guest, and then the door shows Unlocked and the entry
is listed, without reloading the page. Screenshots go to test-artifacts/ every run."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from locks.models import Event
from tests import factories
from tests.browser.conftest import anna_arrives, log_in, midday_inn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def door(owner):
    """Room 7's door at Harbour Inn, with Anna Smith arriving there in 20 minutes."""
    prop, unit = midday_inn(owner, timezone.now())
    lock = factories.simulated_lock(
        owner=owner, property=prop, unit=unit, name="Room 7 door", now=timezone.now()
    )
    return lock, anna_arrives(owner, unit, timezone.now())


@pytest.mark.parametrize("width", [1280, 390])
def test_the_front_desk_unlocks_a_door_for_the_guest(live_site, page, bob, door, shoot, width):
    lock, stay = door
    page.set_viewport_size({"width": width, "height": 860})
    log_in(page, live_site.url, "bob", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/{lock.pk}/")
    expect(page.locator("#lock-status")).to_contain_text("Door Locked")

    box = page.locator(f"#unlock-{lock.pk}")
    box.locator("summary:has-text('Unlock now')").click()
    form = box.locator("form")
    expect(form).to_contain_text("Unlock Room 7 door now?")
    guest = form.locator("label:has-text('Anna Smith')")
    expect(guest).to_contain_text("arrives")
    shoot(page, f"1-confirm-{width}")

    # Without whom for and why nothing happens: the box says what to give.
    form.locator("button:has-text('Unlock Room 7 door')").click()
    expect(form).to_contain_text("Say whom the door is unlocked for")
    expect(form).to_contain_text("pick a reason or type one")
    form = box.locator("form")
    form.locator("label:has-text('Anna Smith')").click()
    form.locator("label:has-text('Guest locked out')").click()
    form.locator("button:has-text('Unlock Room 7 door')").click()

    expect(box.locator(".unlock-done")).to_contain_text("Room 7 door is unlocked for Anna Smith")
    expect(page.locator("#lock-status")).to_contain_text("Door Unlocked")
    entries = page.locator("#entries")
    expect(entries).to_contain_text("Anna Smith")
    expect(entries).to_contain_text("Remote, by bob: Guest locked out: their code does not work")
    shoot(page, f"2-unlocked-{width}")
    event = Event.objects.get(lock=lock, event_type="lock.unlocked")
    assert event.reservation == stay and event.data["by"] == "bob"
    overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not overflow, "the page is wider than the screen"
