"""The guest's page on a phone (390x844), with JavaScript off and on: the doors in order with
the way in, each photo, and the PIN. `INNKEEPER_SCREENSHOTS=1` writes
docs/screenshots/guest-page.png."""

import struct
import zlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from locks.photos import photo_assign
from reservations.guest_links import guest_page_path
from reservations.stays import reservation_create
from tests import factories
from tests.browser.conftest import CSP_REFUSALS, midday_inn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain picture, made without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def stay(owner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    prop, unit = midday_inn(owner, now)
    prop.address = "Rua do Porto 12, Lisboa"
    prop.arrival_instructions = "The blue door between the bakery and the pharmacy."
    photo_assign(prop, SimpleUploadedFile("street.png", png(360, 200, (70, 110, 160))))
    prop.save()
    room = factories.simulated_lock(
        owner=owner, property=prop, unit=unit, name="Room 7 door", now=now
    )
    room.arrival_instructions = "Second floor, on the left. Touch the keypad to wake it."
    room.save()
    factories.simulated_lock(owner=owner, property=prop, name="Street entrance", now=now)
    return reservation_create(
        owner=owner,
        unit=unit,
        now=now,
        guest_name="Ana Lima",
        check_in=now - timedelta(hours=1),
        check_out=now + timedelta(days=2),
    )


def check_the_page(page, stay) -> None:
    expect(page.locator("h1")).to_have_text("Harbour Inn")
    expect(page.locator(".guest-stay")).to_contain_text("Ana Lima")
    doors = page.locator(".guest-door h2")
    expect(doors).to_have_count(2)
    expect(doors.nth(0)).to_contain_text("Street entrance")
    expect(doors.nth(1)).to_contain_text("Room 7 door")
    expect(page.locator(".guest-pin")).to_have_text([stay.pin, stay.pin])
    expect(page.locator("#arrival")).to_contain_text("The blue door")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways on a phone"


def test_the_guest_page_on_a_phone_without_javascript(live_site, browser, stay):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_site.url + guest_page_path(stay))
        check_the_page(page, stay)
        # The photo comes through the page's own, token-gated address.
        src = page.locator("#arrival img").get_attribute("src")
        answer = page.request.get(live_site.url + src)
        assert answer.status == 200 and answer.headers["content-type"] == "image/png"
    finally:
        context.close()


def test_the_guest_page_on_a_phone_with_javascript(live_site, browser, stay, screenshot):
    context = browser.new_context(viewport=PHONE, device_scale_factor=2, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if any(w in m.text for w in CSP_REFUSALS) else None,
    )
    try:
        page.goto(live_site.url + guest_page_path(stay))
        check_the_page(page, stay)
        photo = page.locator("#arrival img")
        photo.scroll_into_view_if_needed()
        page.wait_for_function("document.querySelector('#arrival img').naturalWidth > 0")
        screenshot(page, "guest-page")
    finally:
        context.close()
    assert refused == []
