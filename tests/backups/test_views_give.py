"""“Guest can't get in? Give a backup code”: one click on Today or the stay's page, for the front
desk and managers, answering with the PIN per door (or what to do instead), the same PINs every
time it is asked."""

from datetime import timedelta

import pytest
from django.urls import reverse

from backups.services import backup_pool_enable
from locks.models import AccessCode, Event
from locks.scheduler import run_due_locks
from tests import factories
from tests.pages import without_ids
from tests.reservations.front_desk import book

MINUTE = timedelta(minutes=1)
ON_TODAY = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "backup-answer"}
ON_THE_STAY = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "stay-backups"}


@pytest.fixture
def entrance(owner, hotel, frozen):
    """The street door every guest of the hotel needs."""
    return factories.simulated_lock(owner=owner, property=hotel, name="Street entrance", now=frozen)


@pytest.fixture
def pools(lock, entrance, frozen):
    for door in (lock, entrance):
        backup_pool_enable(lock=door, now=frozen)
    run_due_locks(now=frozen)
    run_due_locks(now=frozen + MINUTE)


@pytest.fixture
def stay(owner, room, frozen):
    """Ana arrives in an hour; her code is on its way to both doors."""
    return book(owner, room, frozen, check_in=frozen + timedelta(hours=1))


def give(client, stay, **headers):
    return client.post(reverse("reservation_backups_give", args=[stay.pk]), **headers)


def given_backups(stay):
    return AccessCode.objects.filter(reservation=stay, kind="backup").select_related("lock")


def test_a_clerk_on_today_gives_a_backup_and_reads_the_pin_per_door(
    client_for, bob, stay, lock, entrance, pools
):
    client = client_for(bob)
    today = client.get(reverse("today")).content.decode()
    assert "Guest can't get in?" in today and "Give a backup code" in today
    assert 'id="backup-answer"' in today

    response = give(client, stay, **ON_TODAY)
    assert response.status_code == 200
    html = response.content.decode()
    backups = {b.lock.name: b for b in given_backups(stay)}
    assert set(backups) == {"Room 101 door", "Street entrance"}
    assert "Backup codes for Ana Lima" in html
    for name, backup in backups.items():
        assert backup.pulled_at is not None
        assert f'<span class="door-name">{name}</span>' in html
        assert f'<span class="backup-pin" aria-label="PIN {" ".join(backup.code)}">' in html
        assert f">{backup.code}</span>" in html
    assert html.count("Works until Wed 3 Jun, 14:00 WEST") == 2


def test_asking_again_shows_the_same_pins(client_for, bob, alice, stay, pools):
    first = give(client_for(bob), stay, **ON_TODAY).content.decode()
    pins = {b.code for b in given_backups(stay)}
    again = give(client_for(alice), stay, **ON_TODAY).content.decode()
    assert given_backups(stay).count() == 2
    assert {b.code for b in given_backups(stay)} == pins
    for pin in pins:
        assert f">{pin}</span>" in first and f">{pin}</span>" in again
    assert Event.objects.filter(event_type="access_code.backup_access_code_pulled").count() == 2


def test_an_empty_pool_says_so_per_door_and_what_to_do(
    client_for, bob, owner, room, lock, entrance, frozen
):
    backup_pool_enable(lock=lock, now=frozen)  # the entrance keeps no backups
    run_due_locks(now=frozen)
    run_due_locks(now=frozen + MINUTE)
    stay = book(owner, room, frozen, check_in=frozen + timedelta(hours=1))

    html = give(client_for(bob), stay, **ON_TODAY).content.decode()
    room_backup = given_backups(stay).get()
    assert room_backup.lock == lock and f">{room_backup.code}</span>" in html
    assert "door-backup-missing" in html
    assert "No backup code is ready on “Street entrance”" in html
    assert "Let the guest in another way" in html


def test_the_stay_s_page_gives_backups_and_lists_them_per_door_afterwards(
    client_for, bob, stay, pools
):
    client = client_for(bob)
    page = client.get(reverse("reservation_detail", args=[stay.pk])).content.decode()
    assert 'id="stay-backups"' in page and "Give a backup code" in page

    html = give(client, stay, **ON_THE_STAY).content.decode()
    assert html.lstrip().startswith('<section id="stay-backups"')
    backups = list(given_backups(stay))
    assert len(backups) == 2
    page = client.get(reverse("reservation_detail", args=[stay.pk])).content.decode()
    for backup in backups:
        assert f">{backup.code}</span>" in html
        assert f'id="door-backup-{backup.lock_id}"' in page
        assert f">{backup.code}</span>" in page  # read out to the guest: the desk sees it
    assert page.count("Works until Wed 3 Jun, 14:00 WEST") == 2
    assert "A backup code was given in place of" in page  # in the stay's history
    # The guest's own PIN stays a manager's, behind a reveal.
    stay.refresh_from_db()
    assert stay.pin and f">{stay.pin}<" not in page


def test_without_javascript_the_click_leads_to_the_stay_s_backups(client_for, bob, stay, pools):
    client = client_for(bob)
    response = give(client, stay)
    assert response.status_code == 302
    assert response.url == reverse("reservation_detail", args=[stay.pk]) + "#stay-backups"
    page = client.get(response.url).content.decode()
    assert "Backup codes for Ana Lima are below: read them out to the guest." in page
    for backup in given_backups(stay):
        assert f">{backup.code}</span>" in page


def test_today_says_a_backup_is_in_use_without_alarm(client_for, bob, stay, pools):
    client = client_for(bob)
    give(client, stay, **ON_TODAY)
    row_start = client.get(reverse("today")).content.decode().index(f'id="stay-{stay.pk}"')
    row = client.get(reverse("today")).content.decode()[row_start:]
    row = row[: row.index("</li>")]
    assert "Backup in use on Room 101 door, Street entrance" in row
    assert "At risk" not in row and "stay-attention" not in row
    assert "Scheduled" in row  # her own code still goes on as planned
    # Today names the doors; the PINs are on the stay.
    for backup in given_backups(stay):
        assert backup.code not in without_ids(row)


def test_a_stay_that_is_over_offers_no_backup(client_for, bob, owner, room, lock, frozen):
    past = book(owner, room, frozen, check_in=frozen - timedelta(days=3), nights=1)
    page = client_for(bob).get(reverse("reservation_detail", args=[past.pk])).content.decode()
    assert "Give a backup code" not in page
    assert "No backup codes: the stay is over." in page


def test_a_stay_with_no_door_says_why_it_gets_no_backup(client_for, bob, owner, hotel, frozen):
    garden = factories.UnitFactory(property=hotel, name="Garden room")  # no lock anywhere
    stay = book(owner, garden, frozen, check_in=frozen + timedelta(hours=1))
    html = give(client_for(bob), stay, **ON_TODAY).content.decode()
    assert "This stay has no guest code on any door" in html
    assert not given_backups(stay).exists()


def test_giving_a_backup_is_a_post(client_for, bob, stay, pools):
    response = client_for(bob).get(reverse("reservation_backups_give", args=[stay.pk]))
    assert response.status_code == 405
    assert not given_backups(stay).exists()


def test_a_stay_days_ahead_gets_no_backup_yet(client_for, bob, owner, room, pools, frozen):
    # A backup opens the door from the moment it is given: days ahead, it would let her in early.
    ahead = book(owner, room, frozen, check_in=frozen + timedelta(days=3))
    client = client_for(bob)
    page = client.get(reverse("reservation_detail", args=[ahead.pk])).content.decode()
    assert "Give a backup code" not in page
    assert "If the guest cannot get in on arrival day" in page

    html = give(client, ahead, **ON_THE_STAY).content.decode()
    assert "Backup codes are given from the day of arrival until the stay ends" in html
    assert not given_backups(ahead).exists()


def test_a_stay_arriving_tonight_can_get_one_now(client_for, bob, owner, room, pools, frozen):
    # 23:00 in Lisbon: later, but still the day of arrival there.
    tonight = book(owner, room, frozen, check_in=frozen + timedelta(hours=10))
    html = give(client_for(bob), tonight, **ON_THE_STAY).content.decode()
    assert given_backups(tonight).count() == 2
    assert all(f">{b.code}</span>" in html for b in given_backups(tonight))
