"""The dashboard under its Content-Security-Policy: a manager goes through every main page and
the browser refuses nothing (no inline script or style, no eval, nothing from elsewhere), and
htmx still works: a form answered in place, a PIN revealed, a list that refreshes itself."""

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from backups.services import backup_pool_enable
from locks import access_codes
from locks.models import Lock
from tests import factories
from tests.browser.conftest import anna_arrives, log_in, midday_inn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSALS = ("Content Security Policy", "Refused to")


@pytest.fixture
def refused(page):
    """Every console message and page error in which the browser refused something."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if any(word in message.text for word in REFUSALS) else None
        ),
    )
    page.on("pageerror", lambda error: found.append(f"page error: {error}"))
    # htmx is told not to eval (base.html): a trigger filter or hx-on it skips is a refusal too.
    page.add_init_script(
        "document.addEventListener('htmx:evalDisallowedError', (event) => console.error("
        "'Refused to evaluate a trigger filter or hx-on (htmx)'))"
    )
    return found


@pytest.fixture
def inn(owner):
    """Harbour Inn: Room 7's door with backups, and Anna arriving in 20 minutes."""
    now = timezone.now()
    prop, unit = midday_inn(owner, now)
    door = factories.simulated_lock(
        owner=owner, property=prop, unit=unit, name="Room 7 door", now=now
    )
    backup_pool_enable(lock=door, now=now)
    return anna_arrives(owner, unit, now)


def test_every_main_page_loads_without_a_refusal(live_site, page, alice, inn, refused):
    page.goto(f"{live_site.url}/login/")
    response = page.request.get(f"{live_site.url}/login/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe" not in policy

    log_in(page, live_site.url, "alice", factories.PASSWORD)
    door = Lock.objects.get(name="Room 7 door")
    pages = [
        reverse("today"),
        reverse("reservations"),
        reverse("reservation_detail", args=[inn.pk]),
        reverse("home"),
        reverse("lock_detail", args=[door.pk]),
        reverse("alerts"),
        reverse("devices"),
        reverse("outbox"),
        reverse("settings"),
        reverse("settings_messages"),
        reverse("settings_webhooks"),
        reverse("feeds"),
        reverse("api_keys"),
        reverse("password_change"),
    ]
    for path in pages:
        page.goto(live_site.url + path)
        expect(page.locator("h1")).to_be_visible()
        assert page.evaluate("typeof htmx") == "object", path  # app.js and htmx loaded
        assert refused == [], f"{path}: {refused}"


def test_htmx_works_under_the_policy(live_site, page, alice, inn, refused):
    door = Lock.objects.get(name="Room 7 door")
    code, _ = access_codes.access_code_create(
        lock=door, now=timezone.now(), name="Cleaner", code="5937"
    )
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/{door.pk}/")
    page.evaluate("window.stillTheSamePage = true")

    # A form answered in place.
    page.fill("#keypad input[name=code]", "1234")
    page.click("#keypad button:has-text('Try')")
    expect(page.locator("#keypad .keypad-result")).to_have_text("Door stays locked")

    # The codes list refreshes itself: a code added elsewhere shows without a reload.
    access_codes.access_code_create(lock=door, now=timezone.now(), name="Plumber", code="8264")
    expect(page.locator("#codes")).to_contain_text("Plumber", timeout=15_000)

    # A PIN revealed in place, and the list holds still while it shows (htmx's trigger filters
    # would need eval; app.js cancels the refresh instead).
    row = page.locator(f"#code-{code.pk}")
    row.locator("button:has-text('Reveal')").click()
    expect(row.locator(".pin-revealed")).to_have_text("5937")
    assert page.evaluate(HOLDS, "codes") is True
    assert page.evaluate("window.stillTheSamePage === true")
    assert refused == [], refused

    # Idle, the list refreshes again.
    page.goto(f"{live_site.url}/locks/{door.pk}/")
    assert page.evaluate(HOLDS, "codes") is False


# Whether a refresh of the part with this id would be held back now (what htmx asks app.js
# before each of its requests).
HOLDS = """(id) => {
    const part = document.getElementById(id);
    const ask = new CustomEvent(
        "htmx:beforeRequest", {bubbles: true, cancelable: true, detail: {elt: part}}
    );
    part.dispatchEvent(ask);
    return ask.defaultPrevented;
}"""


def test_the_admin_loads_without_a_refusal(live_site, page, inn, refused):
    factories.UserFactory(username="support", is_staff=True, is_superuser=True)
    page.goto(f"{live_site.url}/admin/login/")
    page.fill("#id_username", "support")
    page.fill("#id_password", factories.PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_be_visible()
    for path in ("/admin/", "/admin/reservations/reservation/", "/admin/locks/lock/"):
        page.goto(live_site.url + path)
        expect(page.locator("#content")).to_be_visible()
    page.goto(f"{live_site.url}/admin/reservations/reservation/{inn.pk}/change/")
    expect(page.locator("#content")).to_be_visible()
    assert refused == [], refused
