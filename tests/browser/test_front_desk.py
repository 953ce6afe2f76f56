"""The front desk's day in a real browser: book a guest, watch their code become ready on
Today without reloading, check them out early. Screenshots go to test-artifacts/ every run."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from locks import scheduler
from locks.models import Lock
from reservations.models import Reservation
from tests import factories
from tests.browser.conftest import log_in, midday_inn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def inn(owner):
    """A property where it is around midday now, so a stay 35 minutes away is still today."""
    prop, unit = midday_inn(owner, timezone.now())
    factories.simulated_lock(
        owner=owner, property=prop, unit=unit, name="Room 7 door", now=timezone.now()
    )
    return prop


def test_the_front_desk_books_a_guest_and_checks_them_out(
    live_site, page, bob, inn, shoot, monkeypatch
):
    log_in(page, live_site.url, "bob", factories.PASSWORD)
    expect(page.locator("h1")).to_have_text("Today")
    page.click("text=New reservation")

    arrival = timezone.now().astimezone(inn.tz) + timedelta(minutes=35)
    page.fill("#id_guest_name", "Anna Smith")
    page.select_option("#id_unit", label="Room 7")
    page.fill("#id_check_in_day", arrival.strftime("%Y-%m-%d"))
    page.fill("#id_check_in_time", arrival.strftime("%H:%M"))
    page.fill("#id_check_out_day", (arrival + timedelta(days=2)).strftime("%Y-%m-%d"))
    page.fill("#id_phone", "+351 912 345 678")
    # Leaving the field checks the form as typed (a dry run of saving); a person reads the
    # answer before pressing Create, and the test server shares one database connection
    # between its threads, so the dry run must not overlap the real save.
    with page.expect_response(lambda answer: "validate=1" in answer.url):
        page.press("#id_phone", "Tab")
    shoot(page, "1-new-reservation")
    page.click("button:has-text('Create the reservation')")

    # The stay, its codes and its doors are saved before the page answers: slow under load.
    expect(page.locator(".messages")).to_contain_text(
        "Anna Smith's stay is created", timeout=15_000
    )
    stay = Reservation.objects.get(guest_name="Anna Smith")
    expect(page.locator("#guest-code")).to_contain_text("Scheduled")

    page.click("nav >> text=Today")
    row = page.locator(f"#stay-{stay.pk}")
    expect(row.locator(".pill")).to_have_text("Scheduled")
    expect(row).to_contain_text("Goes on the doors at")
    shoot(page, "2-today-scheduled")

    # Six minutes on, the worker's tick programs the code (30 minutes before check-in); the
    # page polls and shows it, without a reload (the marker would be gone).
    page.evaluate("window.stillTheSamePage = true")
    scheduler.run_due_locks(now=timezone.now() + timedelta(minutes=6))
    expect(row.locator(".pill")).to_have_text("Ready", timeout=15_000)
    assert page.evaluate("window.stillTheSamePage === true")
    assert page.locator(f"#stay-{stay.pk} >> text={stay.pin}").count() == 0
    shoot(page, "3-today-ready")

    door = Lock.objects.get(name="Room 7 door")
    page.goto(f"{live_site.url}/locks/{door.pk}/")
    expect(page.locator("#timeline .tl-bar.tl-green")).to_contain_text("Anna Smith")
    shoot(page, "3b-lock-timeline")
    page.go_back()

    # Move the clock into the stay; the guest leaves early.
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(minutes=40))
    row.locator("a.stay-name").click()
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Check out now')")
    expect(page.locator(".messages")).to_contain_text("Anna Smith is checked out")
    expect(page.locator("#history")).to_contain_text("Checked out early")
    shoot(page, "4-checked-out")
    stay.refresh_from_db()
    assert stay.checked_out_at is not None


def test_the_front_desk_pages_fit_a_phone(live_site, page, alice, inn, shoot):
    stay = factories_stay(inn)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    for name, path in (
        ("phone-today", "/"),
        ("phone-reservations", "/reservations/?date_from="),
        ("phone-reservation", f"/reservations/{stay.pk}/"),
        ("phone-new-reservation", "/reservations/new/"),
        ("phone-settings", "/settings/"),
    ):
        page.goto(f"{live_site.url}{path}")
        shoot(page, name)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path


def factories_stay(prop):
    from reservations.stays import reservation_create

    now = timezone.now()
    return reservation_create(
        owner=prop.owner,
        unit=prop.units.get(),
        guest_name="Lena Park",
        phone="+351912345678",
        check_in=now + timedelta(hours=1),
        check_out=now + timedelta(days=2),
        now=now,
    )
