"""The README's pictures, from a realistic house; also proves the pages fit narrow screens."""

from datetime import timedelta

import pytest
from django.utils import timezone

from locks import access_codes, scheduler, simulator
from tests import factories
from tests.browser.conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def house(owner, alice, hotel, room):
    """A hotel and a rental home with doors in every state a newcomer should recognise."""
    # Built a quarter of an hour ago, so the offline door has had time to get a warning.
    now = timezone.now() - timedelta(minutes=15)
    alice.first_name, alice.last_name = "Alice", "Martin"
    alice.save()
    lock = factories.simulated_lock(
        owner=owner, property=hotel, unit=room, name="Room 101", now=now, location="First floor"
    )
    factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", now=now, model="scheduling"
    )
    room_102 = factories.simulated_lock(
        owner=owner,
        property=hotel,
        unit=factories.UnitFactory(property=hotel, name="Room 102"),
        name="Room 102",
        now=now,
        battery_level=0.12,
    )
    room_201 = factories.simulated_lock(
        owner=owner,
        property=hotel,
        unit=factories.UnitFactory(property=hotel, name="Room 201"),
        name="Room 201",
        now=now,
        model="strict",
    )
    home = factories.PropertyFactory(
        owner=owner, name="Casa Azul", address="Rua das Flores 12, Porto"
    )
    whole = factories.UnitFactory(property=home, name="Whole house")
    front = factories.simulated_lock(
        owner=owner, property=home, unit=whole, name="Front door", now=now, model="scheduling"
    )
    factories.simulated_lock(owner=owner, property=home, unit=whole, name="Garden gate", now=now)

    access_codes.access_code_create(lock=lock, now=now, name="Housekeeping", kind="staff")
    access_codes.access_code_create(
        lock=lock,
        now=now,
        name="Anna Smith · booking 4417",
        kind="guest",
        starts_at=now - timedelta(hours=20),
        ends_at=now + timedelta(hours=22),
    )
    access_codes.access_code_create(
        lock=lock,
        now=now,
        name="Jonas Weber · booking 4420",
        kind="guest",
        starts_at=now + timedelta(days=1, hours=3),
        ends_at=now + timedelta(days=4),
    )
    access_codes.access_code_create(lock=front, now=now, name="Cleaner", kind="staff")
    access_codes.access_code_create(lock=room_201, now=now, name="Maintenance", kind="staff")
    simulator.simulated_add_unmanaged_code(lock=lock, code="5937", name="Old master", now=now)
    scheduler.run_due_locks(now=now)

    # Room 102 goes offline with a guest code waiting; the clock escalates to a warning.
    simulator.simulated_set_online(lock=room_102, online=False, now=now)
    access_codes.access_code_create(lock=room_102, now=now, name="Lena Park · booking 4418")
    for minutes in (1, 14):
        scheduler.run_due_locks(now=now + timedelta(minutes=minutes))
    return lock


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_pages_look_right(live_site, page, house, screenshot):
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/")
    page.wait_for_selector(".lock-card")
    assert fits_the_width(page)
    screenshot(page, "home")

    page.goto(f"{live_site.url}/locks/{house.pk}/")
    page.wait_for_selector("#codes .code")
    assert fits_the_width(page)
    screenshot(page, "lock")

    page.set_viewport_size({"width": 390, "height": 844})
    pages = ("/", "/locks/", f"/locks/{house.pk}/", "/api-keys/", "/locks/new/")
    pages += ("/reservations/", "/reservations/new/", "/settings/")
    for path in pages:
        page.goto(f"{live_site.url}{path}")
        assert fits_the_width(page), path
