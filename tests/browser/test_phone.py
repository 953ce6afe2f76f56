"""The front desk's pages on a phone (390x844), for a manager and a front-desk clerk, with the
demo's data plus a guest whose name is 200 letters without a space: no page scrolls sideways,
and the buttons and links a thumb taps are at least 44 px tall.

Screenshots go to test-artifacts/ every run, and to docs/screenshots/phone-*.png with
INNKEEPER_SCREENSHOTS=1 (the manager's, as the README shows them)."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from backups.services import backup_pool_enable, reservation_backups_give
from locks import scheduler, services, simulator
from locks.models import Lock, Owner, Property, SimulatedDevice
from messaging import sending, tasks
from messaging.models import Message
from reservations.models import Reservation
from reservations.stays import reservation_create
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 860}
PASSWORD = "innkeeper-demo"
# 200 letters and not one space: a browser cannot break it at a word.
LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff" * 6)[:200]

# What a thumb taps: the navigation and the account's buttons, every button and button-like
# link, the guests' names in lists, the pager. (A link inside a sentence is text, not a target.)
TAP_TARGETS = (
    ".nav a, .user-actions .btn, .page .btn, .page button, .page .btn-link, "
    ".page .stay-name, .pager a, #backup-answer button"
)


def arriving_today(now, tz):
    """An hour from now, or an hour ago when that hour would be tomorrow at the hotel (the
    suite may run at any time of day): on Today's list either way."""
    soon = now + timedelta(hours=1)
    return (
        soon
        if soon.astimezone(tz).date() == now.astimezone(tz).date()
        else now - timedelta(hours=1)
    )


@pytest.fixture
def demo():
    """seed_demo, with its locks quick; a stay today for the guest with the long name in a room
    of its own; the scheduler's passes (codes on the locks, backup pools filled); texts in the
    Outbox (the arrival messages, a long one typed by the desk, a backup code) and a backup
    given out. Returns the long-named guest's stay."""
    call_command("seed_demo", stdout=io.StringIO())
    SimulatedDevice.objects.update(latency_ms=0)
    owner = Owner.objects.get(slug="demo")
    hotel = Property.objects.get(owner=owner, name="Harbour Hotel")
    now = timezone.now()
    room = services.unit_create(property=hotel, name="Room 202")
    door = simulator.simulated_lock_create(
        owner=owner, property=hotel, unit=room, name="Room 202", model="keypad", now=now
    )
    backup_pool_enable(lock=door, now=now)
    long_stay = reservation_create(
        owner=owner,
        unit=room,
        guest_name=LONG_NAME,
        phone="+351 912 000 202",
        check_in=arriving_today(now, hotel.tz),
        check_out=now + timedelta(days=2),
        now=now,
    )
    later = now + scheduler.LEASE + timedelta(minutes=1)
    scheduler.run_due_locks(now=later)
    scheduler.run_due_locks(now=later + timedelta(minutes=1))
    tasks.tick(now=later)
    maria = Reservation.objects.get(owner=owner, guest_name="Maria Silva")
    reservation_backups_give(reservation=maria, now=later)
    typed = sending.message_queue(
        reservation=long_stay,
        kind=Message.Kind.FREE,
        text="Welcome! Parking is behind the hotel: "
        "https://maps.example.com/harbour-hotel/parking?directions=from-the-A2-motorway-exit-3",
        now=later,
    )
    for message in Message.objects.filter(owner=owner, status="queued"):
        sending.message_send(message_id=message.pk, now=later)
    assert Message.objects.filter(owner=owner).count() >= 3, typed
    assert Lock.objects.filter(owner=owner).count() >= 7
    return long_stay


def misfits(page, where: str) -> list[str]:
    """What does not fit a phone: the page scrolls sideways, or a visible tap target is under
    44 px tall."""
    problems = []
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if width[0] > width[1]:
        problems.append(f"{where} scrolls sideways: {width[0]} px in {width[1]}")
    short = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter((el) => el.checkVisibility())
            .map((el) => [el.textContent.trim().slice(0, 40), el.getBoundingClientRect().height])
            .filter(([, height]) => height < 44)""",
        TAP_TARGETS,
    )
    if short:
        problems.append(f"{where}: tap targets under 44 px tall: {short}")
    return problems


def dialog(page, stay, button: str) -> None:
    """Open a backup dialog from the stay's row on Today: it fits the window, its Done button
    in reach without scrolling."""
    page.locator(f"#stay-{stay.pk} button:has-text('{button}')").click()
    expect(page.locator("#backup-answer .backup-answer-card")).to_be_visible()
    expect(page.locator("#backup-answer button:has-text('Done')")).to_be_in_viewport(ratio=1)


@pytest.mark.parametrize("who", ["demo", "demo-desk"])
def test_the_front_desk_pages_fit_a_phone(live_site, page, demo, who, shoot, screenshot):
    page.set_viewport_size(PHONE)
    log_in(page, live_site.url, who, PASSWORD)
    role = "manager" if who == "demo" else "desk"
    problems = []

    def look(name: str, *, full_page: bool = True) -> None:
        shoot(page, f"{role}-{name}", full_page=full_page)
        problems.extend(misfits(page, f"{name} ({role})"))
        if role == "manager":
            screenshot(page, f"phone-{name}", full_page=full_page)

    expect(page.locator(f"#stay-{demo.pk}")).to_contain_text(LONG_NAME)
    look("today")

    dialog(page, demo, "Give a backup code")
    expect(page.locator("#backup-answer .backup-pin")).to_have_count(2)
    look("give-backup", full_page=False)
    page.click("#backup-answer button:has-text('Done')")

    dialog(page, demo, "Send backup code by SMS")
    look("send-backup", full_page=False)
    page.click("#backup-answer button:has-text('Done')")

    page.goto(f"{live_site.url}/reservations/?date_from=")
    expect(page.locator(f"#row-{demo.pk}")).to_contain_text(LONG_NAME)
    look("reservations")

    page.goto(f"{live_site.url}/reservations/{demo.pk}/")
    expect(page.locator("h1")).to_contain_text(LONG_NAME)
    look("stay")

    page.goto(f"{live_site.url}/outbox/")
    expect(page.locator("#outbox-results")).to_contain_text("Parking is behind the hotel")
    look("outbox")
    assert problems == []


def test_the_same_pages_still_look_right_on_a_desktop(live_site, page, demo, shoot):
    """At 1280 px the lists stay tables (their headings show) and nothing scrolls sideways."""
    page.set_viewport_size(DESKTOP)
    log_in(page, live_site.url, "demo", PASSWORD)
    for name, path, heading in (
        ("today", "/", None),
        ("reservations", "/reservations/?date_from=", ".stays-table thead"),
        ("stay", f"/reservations/{demo.pk}/", None),
        ("outbox", "/outbox/", ".outbox-table thead"),
    ):
        page.goto(f"{live_site.url}{path}")
        if heading:
            expect(page.locator(heading)).to_be_visible()
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], name
        shoot(page, f"desktop-{name}")
    page.goto(live_site.url + "/")
    dialog(page, demo, "Give a backup code")
    shoot(page, "desktop-give-backup", full_page=False)
