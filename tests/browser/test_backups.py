"""A guest cannot get in: the clerk on Today gives a backup code in one click and reads out the
PIN for each door. Screenshots go to test-artifacts/ every run."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backups.services import backup_pool_enable
from locks.models import AccessCode, Lock
from tests import factories
from tests.browser.conftest import anna_arrives, log_in, midday_inn

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def arriving(owner):
    """Anna arrives in 20 minutes at an inn where it is around midday, through two doors that
    each keep a full pool of backups."""
    now = timezone.now()
    prop, unit = midday_inn(owner, now)
    for name, door_unit in (("Room 7 door", unit), ("Street entrance", None)):
        door = factories.simulated_lock(
            owner=owner, property=prop, unit=door_unit, name=name, now=now
        )
        backup_pool_enable(lock=door, now=now)
    stay = anna_arrives(owner, unit, now)
    assert AccessCode.objects.filter(kind="backup", status="set").count() == 10
    return stay


def test_a_clerk_gives_an_arriving_guest_a_backup_code_and_reads_it_out(
    live_site, page, bob, arriving, shoot
):
    log_in(page, live_site.url, "bob", factories.PASSWORD)
    row = page.locator(f"#stay-{arriving.pk}")
    expect(row).to_contain_text("Anna Smith")
    expect(row).to_contain_text("Guest can't get in?")
    shoot(page, "1-today")

    page.evaluate("window.stillTheSamePage = true")
    row.locator("button:has-text('Give a backup code')").click()
    answer = page.locator("#backup-answer .backup-answer-card")
    expect(answer).to_be_visible()
    expect(answer.locator("h2")).to_have_text("Backup codes for Anna Smith")
    backups = AccessCode.objects.filter(reservation=arriving, kind="backup")
    assert backups.count() == 2
    for backup in backups:
        door = answer.locator(".door-backup", has_text=Lock.objects.get(pk=backup.lock_id).name)
        expect(door.locator(".backup-pin")).to_have_text(backup.code)
    assert page.evaluate("window.stillTheSamePage === true")
    shoot(page, "2-pin-per-door")

    # The answer stays while Today refreshes behind it; Done puts it away, and the row says,
    # calmly, that the guest is on backups.
    page.evaluate("htmx.ajax('GET', '/', {target: '#today', swap: 'outerHTML'})")
    expect(answer).to_be_visible()
    page.click("#backup-answer button:has-text('Done')")
    expect(answer).to_have_count(0)
    expect(row).to_contain_text("Backup in use on Room 7 door, Street entrance", timeout=10_000)
    expect(row).not_to_have_class(re.compile("stay-attention"))
    for backup in backups:
        assert page.locator(f"#today >> text={backup.code}").count() == 0
    shoot(page, "3-today-after")

    # Asking again gives the same codes.
    row.locator("button:has-text('Give a backup code')").click()
    for backup in backups:
        expect(page.locator("#backup-answer")).to_contain_text(backup.code)
    assert AccessCode.objects.filter(reservation=arriving, kind="backup").count() == 2


def test_a_manager_sees_the_pool_and_generates_a_backup(live_site, page, alice, arriving, shoot):
    door = Lock.objects.get(name="Room 7 door")
    log_in(page, live_site.url, "alice", factories.PASSWORD)
    page.goto(f"{live_site.url}/locks/")
    expect(page.locator(".pool-glance").first).to_contain_text("5 of 5 ready")
    shoot(page, "4-locks")

    page.goto(f"{live_site.url}/locks/{door.pk}/")
    card = page.locator("#backups")
    expect(card.locator(".pool-health")).to_have_text("5 of 5 ready")
    card.locator("button:has-text('Generate a backup code')").click()
    expect(page.locator(".messages")).to_contain_text("A backup code is being programmed")
    manual = AccessCode.objects.get(lock=door, kind="backup", is_pool_backup=False)
    expect(page.locator(f"#backup-{manual.pk}")).to_contain_text("Being programmed")
    shoot(page, "5-lock-page")

    page.goto(f"{live_site.url}/reservations/{arriving.pk}/")
    page.click("#stay-backups button:has-text('Give a backup code')")
    expect(page.locator("#stay-backups .backup-pin")).to_have_count(2)
    shoot(page, "6-stay-page")
