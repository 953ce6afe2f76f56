"""Browser tests: Debian's Chromium driven by Playwright against pytest-django's live server.

Never downloads a browser: it uses /usr/bin/chromium. Set INNKEEPER_SCREENSHOTS=1 to write
the README's screenshots to docs/screenshots/.
"""

import os
from datetime import UTC, timedelta
from pathlib import Path

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# itself are still plain synchronous calls.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module, not per run: while Playwright's sync API is open it leaves
    its event loop marked as running in this thread, so an `asyncio.run` of a later test on the
    same xdist worker (the Z-Wave tests') would fail. pytest closes it before the next module."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_site(live_server, settings):
    """The live server over plain http: cookies must not insist on https there."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    return live_server


CSP_REFUSALS = ("Content Security Policy", "Refused to")

# Screenshots leave the page's inline styles alone: Playwright's default hides the caret by
# setting `style="caret-color: …"` on every input, and an htmx swap during the shot copies that
# attribute onto the new element with setAttribute, which the site's CSP rightly refuses.
STILL = {"full_page": True, "caret": "initial"}


@pytest.fixture
def page(browser):
    """A page in a fresh browser context; the test errs if the browser refused anything under
    the site's Content-Security-Policy meanwhile (tests/browser/test_content_security_policy.py
    goes through every page on purpose)."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text)
            if any(word in message.text for word in CSP_REFUSALS)
            else None
        ),
    )
    yield page
    context.close()
    assert refused == [], f"the browser refused, under the Content-Security-Policy: {refused}"


@pytest.fixture
def screenshot():
    """`screenshot(page, "lock")`: writes docs/screenshots/lock.png when asked to
    (`full_page=False`: only what the window shows, as for a dialog over a long page)."""

    def take(page, name: str, *, full_page: bool = True) -> None:
        if os.environ.get("INNKEEPER_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shot = {**STILL, "full_page": full_page}
            page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), **shot)

    return take


@pytest.fixture
def shoot(request):
    """`shoot(page, "1-today")`: writes test-artifacts/backups-1-today.png every run, named after
    the test file (test_backups.py; test_front_desk.py gives front-desk-…); `full_page=False`
    as for `screenshot`."""
    ARTIFACTS.mkdir(exist_ok=True)
    module = request.module.__name__.rpartition(".")[2]
    prefix = module.removeprefix("test_").replace("_", "-")

    def take(page, name: str, *, full_page: bool = True) -> None:
        shot = {**STILL, "full_page": full_page}
        page.screenshot(path=str(ARTIFACTS / f"{prefix}-{name}.png"), **shot)

    return take


def midday_inn(owner, now):
    """Harbour Inn with its Room 7, in a time zone where it is around midday `now`, so a stay
    some minutes away is still today."""
    from tests import factories

    hours = 12 - now.astimezone(UTC).hour
    zone = "Etc/GMT" if hours == 0 else f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"
    prop = factories.PropertyFactory(owner=owner, name="Harbour Inn", time_zone=zone, country="PT")
    unit = factories.UnitFactory(property=prop, name="Room 7")
    return prop, unit


def anna_arrives(owner, unit, now):
    """Anna Smith's stay in `unit`, arriving in 20 minutes for two days, with her mobile number;
    then the scheduler's passes, as no task worker runs here: the locks it was asked to check
    are claimed until the lease runs out, then they fill their pools and program Anna's code."""
    from locks import scheduler
    from reservations.stays import reservation_create

    stay = reservation_create(
        owner=owner,
        unit=unit,
        guest_name="Anna Smith",
        phone="+351 912 345 678",
        check_in=now + timedelta(minutes=20),
        check_out=now + timedelta(days=2),
        now=now,
    )
    later = now + scheduler.LEASE + timedelta(minutes=1)
    scheduler.run_due_locks(now=later)
    scheduler.run_due_locks(now=later + timedelta(minutes=1))
    return stay


def log_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button:has-text('Sign in')")
    page.wait_for_url(f"{base_url}/")
