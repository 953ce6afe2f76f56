"""A lock's backup codes in the dashboard: the pool's switch and size (managers), its health on
the lock page and the locks overview, a manual backup in one click, and the recorded reveal."""

from datetime import timedelta

import pytest
from django.urls import reverse

from backups.services import backup_generate, backup_pool_enable, backup_pull
from locks import access_codes, simulator
from locks.models import AccessCode, Event
from locks.scheduler import run_due_locks
from locks.words import event_sentence, explain
from tests import factories
from tests.pages import without_ids
from tests.reservations import front_desk

MINUTE = timedelta(minutes=1)


def settle(now):
    """Two passes: the pool's backups are programmed, then confirmed on the lock."""
    run_due_locks(now=now)
    run_due_locks(now=now + MINUTE)


def lock_page(client, lock) -> str:
    response = client.get(reverse("lock_detail", args=[lock.pk]))
    assert response.status_code == 200
    return response.content.decode()


def backups_card(html: str) -> str:
    start = html.index('id="backups"')
    return html[start : html.index("</section>", start)]


def backup_row(html: str, code: AccessCode) -> str:
    start = html.index(f'id="backup-{code.pk}"')
    return html[start : html.index("</li>", start)]


def pool_of(lock):
    return AccessCode.objects.filter(
        lock=lock, kind="backup", is_pool_backup=True, pulled_at__isnull=True, deleted_at=None
    )


def post_pool(client, lock, **data):
    return client.post(reverse("backup_pool_update", args=[lock.pk]), data)


# --- the switch and the size ---------------------------------------------------------------------


def test_a_manager_turns_the_pool_on_with_this_lock_s_own_size(client_for, alice, lock, frozen):
    response = post_pool(client_for(alice), lock, enabled="on", size="3")
    assert response.status_code == 302
    assert response.url == reverse("lock_detail", args=[lock.pk]) + "#backups"
    lock.refresh_from_db()
    assert lock.backup_pool_enabled and lock.backup_pool_size == 3
    assert Event.objects.filter(lock=lock, event_type="device.backup_pool_enabled").exists()

    settle(frozen)
    html = lock_page(client_for(alice), lock)
    assert "keeps 3 backup codes ready" in html
    assert "3 of 3 ready" in backups_card(html)
    assert pool_of(lock).count() == 3


def test_the_owner_s_default_size_is_followed_until_a_lock_asks_for_another(
    client_for, alice, owner, lock, frozen
):
    client = client_for(alice)
    html = lock_page(client, lock)
    assert "Backups off" in backups_card(html)
    assert "Your default for every lock is 5." in html

    post_pool(client, lock, enabled="on", size="5")
    lock.refresh_from_db()
    assert lock.backup_pool_enabled and lock.backup_pool_size is None
    owner.backup_pool_size = 2
    owner.save()
    assert lock.backup_pool_target(owner) == 2


def test_turning_the_pool_off_takes_its_backups_off_the_lock(client_for, alice, lock, frozen):
    backup_pool_enable(lock=lock, now=frozen)
    settle(frozen)
    response = post_pool(client_for(alice), lock, size="5")  # the box unticked
    assert response.status_code == 302
    lock.refresh_from_db()
    assert not lock.backup_pool_enabled
    assert pool_of(lock).count() == 0
    html = lock_page(client_for(alice), lock)
    assert "keeps no backup codes now" in html
    assert "Backups off" in backups_card(html)


def test_a_size_out_of_range_is_refused_in_plain_words(client_for, alice, lock, frozen):
    client = client_for(alice)
    post_pool(client, lock, enabled="on", size="30")
    assert "Keep at most 20 backup codes." in lock_page(client, lock)
    post_pool(client, lock, enabled="on", size="")
    assert "Say how many backup codes to keep ready" in lock_page(client, lock)
    lock.refresh_from_db()
    assert not lock.backup_pool_enabled and lock.backup_pool_size is None


def test_the_front_desk_sees_the_pool_but_cannot_change_it(client_for, bob, lock, frozen):
    backup_pool_enable(lock=lock, now=frozen)
    settle(frozen)
    client = client_for(bob)
    card = backups_card(lock_page(client, lock))
    assert "5 of 5 ready" in card
    assert "Generate a backup code" not in card and "Reveal" not in card
    assert reverse("backup_pool_update", args=[lock.pk]) not in card

    assert post_pool(client, lock, size="3").status_code == 403
    response = client.post(reverse("backup_generate", args=[lock.pk]))
    assert response.status_code == 403
    lock.refresh_from_db()
    assert lock.backup_pool_enabled and lock.backup_pool_size is None
    assert not AccessCode.objects.filter(lock=lock, kind="backup", is_pool_backup=False).exists()


# --- health at a glance --------------------------------------------------------------------------


def test_a_full_pool_is_green_on_the_lock_page_and_the_locks_overview(
    client_for, alice, lock, frozen
):
    backup_pool_enable(lock=lock, now=frozen)
    settle(frozen)
    client = client_for(alice)
    card = backups_card(lock_page(client, lock))
    assert "pill-green pool-health" in card and "5 of 5 ready" in card
    home = client.get(reverse("home")).content.decode()
    assert "Backups" in home
    assert '<dd class="pool-green">5 of 5 ready</dd>' in home
    assert "All good" in home  # a full pool, nothing else wrong


def test_a_pool_refilling_after_a_pull_is_amber_and_says_why(client_for, alice, lock, frozen):
    backup_pool_enable(lock=lock, now=frozen)
    settle(frozen)
    guest, _ = access_codes.access_code_create(
        lock=lock, now=frozen, name="Ana", starts_at=frozen, ends_at=frozen + timedelta(days=2)
    )
    backup_pull(access_code=guest, now=frozen + 2 * MINUTE)
    # The lock is offline, so the new backup cannot be programmed yet.
    simulator.simulated_set_online(lock=lock, online=False, now=frozen + 2 * MINUTE)
    run_due_locks(now=frozen + 3 * MINUTE)

    client = client_for(alice)
    card = backups_card(lock_page(client, lock))
    assert "pill-amber pool-health" in card and "4 of 5 ready" in card
    assert "4 of 5 backup codes ready: the others are being programmed." in card
    home = client.get(reverse("home")).content.decode()
    assert '<dd class="pool-amber">4 of 5 ready</dd>' in home
    assert "All good" not in home


def test_an_empty_pool_is_red_and_says_the_lock_has_no_room(
    client_for, alice, owner, hotel, frozen
):
    strict = factories.simulated_lock(
        owner=owner, property=hotel, name="Cellar door", model="strict", now=frozen
    )
    for n in range(6):  # every slot of this lock taken by staff codes
        access_codes.access_code_create(lock=strict, now=frozen, name=f"Staff {n}")
    backup_pool_enable(lock=strict, now=frozen)
    settle(frozen)

    client = client_for(alice)
    card = backups_card(lock_page(client, strict))
    assert "pill-red pool-health" in card and "0 of 5 ready" in card
    assert "No backup code is ready on this lock" in card and "guest codes come first" in card
    home = client.get(reverse("home")).content.decode()
    assert '<dd class="pool-red">0 of 5 ready</dd>' in home
    assert "Empty!" not in home and "All good" not in home
    assert "No backup code is ready on this lock." in home  # the card's glance, in plain words


def test_a_lock_without_a_pool_says_backups_off_on_the_overview(client_for, alice, lock):
    home = client_for(alice).get(reverse("home")).content.decode()
    assert '<dd class="muted">Backups off</dd>' in home


def test_a_pool_just_switched_on_is_short_on_the_overview_not_all_good(
    client_for, alice, lock, frozen
):
    # On, but no pass has put a backup on the lock yet (nor reported the pool empty).
    backup_pool_enable(lock=lock, now=frozen)
    home = client_for(alice).get(reverse("home")).content.decode()
    assert '<dd class="pool-red">0 of 5 ready</dd>' in home
    assert "Backups short: 0 of 5 ready" in home
    assert "All good" not in home


def test_given_backups_are_listed_with_their_stay_and_until_when(
    client_for, alice, owner, room, lock, frozen
):
    backup_pool_enable(lock=lock, now=frozen)
    settle(frozen)
    stay = front_desk.book(owner, room, frozen, check_in=frozen + timedelta(hours=1))
    guest = stay.access_codes.get(kind="guest")
    backup = backup_pull(access_code=guest, now=frozen)

    card = backups_card(lock_page(client_for(alice), lock))
    row = backup_row(card, backup)
    assert "Given to" in row and "Ana Lima" in row
    assert reverse("reservation_detail", args=[stay.pk]) in row
    assert "Works until Wed 3 Jun, 14:00 WEST" in row  # the stay's check-out
    assert backup.code not in without_ids(card)
    # The codes list keeps the other codes: the guest's, not the backups.
    codes = lock_page(client_for(alice), lock).split('id="codes"')[1].split("</section>")[0]
    assert "Ana Lima" in codes and "Backup code" not in codes


# --- a manual backup, and the reveal ------------------------------------------------------------


def test_a_manager_generates_a_backup_in_one_click_and_sees_it_once_it_is_set(
    client_for, alice, lock, frozen
):
    client = client_for(alice)
    response = client.post(reverse("backup_generate", args=[lock.pk]))
    assert response.status_code == 302
    manual = AccessCode.objects.get(lock=lock, kind="backup")
    assert not manual.is_pool_backup and manual.type == "ongoing"

    html = lock_page(client, lock)
    assert "A backup code is being programmed on “Room 101 door”" in html
    row = backup_row(html, manual)
    assert "Manual" in row and "Being programmed" in row
    assert "Reveal once on the lock" in row
    assert reverse("code_reveal", args=[lock.pk, manual.pk]) not in row

    settle(frozen)
    row = backup_row(lock_page(client, lock), manual)
    assert "On the lock" in row and reverse("code_reveal", args=[lock.pk, manual.pk]) in row
    assert manual.code not in without_ids(row)

    revealed = client.post(
        reverse("code_reveal", args=[lock.pk, manual.pk]),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET=f"pin-{manual.pk}",
    )
    html = revealed.content.decode()
    assert f">{manual.code}<" in html
    assert 'hx-target="#backups"' in html  # hidden again by refreshing the backups card
    event = Event.objects.get(event_type="access_code.pin_revealed", access_code=manual)
    assert event.data["revealed_by"] == "alice"
    assert "PIN of “Backup code (manual)” shown to alice" in lock_page(client, lock)


def test_a_backup_s_reveal_is_for_managers_only(client_for, bob, lock, frozen):
    backup = backup_generate(lock=lock, now=frozen)
    settle(frozen)
    response = client_for(bob).post(reverse("code_reveal", args=[lock.pk, backup.pk]))
    assert response.status_code == 403
    assert backup.code not in without_ids(response.content.decode())
    assert not Event.objects.filter(event_type="access_code.pin_revealed").exists()


def test_a_reveal_without_javascript_shows_the_pin_in_the_backups_card(
    client_for, alice, lock, frozen
):
    backup = backup_generate(lock=lock, now=frozen)
    settle(frozen)
    html = client_for(alice).post(reverse("code_reveal", args=[lock.pk, backup.pk])).content
    assert f">{backup.code}<" in backup_row(html.decode(), backup)


# --- settings ------------------------------------------------------------------------------------


SETTINGS = {
    "buffer_before_minutes": "0",
    "buffer_after_minutes": "0",
    "guest_pin_source": "random",
    "guest_pin_length": "4",
    "program_lead_minutes": "30",
    "native_schedule_lead_hours": "72",
    "pin_quarantine_days": "30",
    "lock_poll_minutes": "15",
    "delay_warning_minutes": "10",
    "failure_error_minutes": "60",
}


def test_the_owner_sets_the_pool_size_and_turns_it_on_for_new_locks(
    client_for, alice, owner, hotel, frozen
):
    client = client_for(alice)
    html = client.get(reverse("settings")).content.decode()
    assert "Backup codes kept ready on each lock" in html
    assert "Keep backup codes ready on every lock added from now on" in html

    data = {**SETTINGS, "backup_pool_size": "3", "backup_pool_on_new_locks": "on"}
    assert client.post(reverse("settings"), data).status_code == 302
    owner.refresh_from_db()
    assert owner.backup_pool_size == 3 and owner.backup_pool_on_new_locks
    new_lock = factories.simulated_lock(owner=owner, property=hotel, name="Garage", now=frozen)
    assert new_lock.backup_pool_enabled and new_lock.backup_pool_target(owner) == 3


@pytest.mark.parametrize("size, message", [("0", "Use at least 1."), ("21", "Use at most 20.")])
def test_a_pool_size_out_of_range_is_refused(client_for, alice, owner, size, message):
    response = client_for(alice).post(reverse("settings"), {**SETTINGS, "backup_pool_size": size})
    assert response.status_code == 400
    assert message in response.content.decode()
    owner.refresh_from_db()
    assert owner.backup_pool_size == 5


def test_a_settings_post_without_the_pool_size_keeps_it(client_for, alice, owner):
    owner.backup_pool_size = 7
    owner.save()
    assert client_for(alice).post(reverse("settings"), SETTINGS).status_code == 302
    owner.refresh_from_db()
    assert owner.backup_pool_size == 7


# --- plain words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, seam_code",
    [
        ("warning_code", "using_backup_access_code"),
        ("error_code", "empty_backup_access_code_pool"),
        ("warning_code", "partial_backup_access_code_pool"),
        ("warning_code", "many_active_backup_codes"),
    ],
)
def test_backup_issues_are_explained_with_what_to_do(key, seam_code):
    about = explain({key: seam_code, "message": "raw"})
    assert about["what"] != "raw" and about["todo"]


@pytest.mark.parametrize(
    "event_type, words",
    [
        ("access_code.backup_access_code_pulled", "A backup code was given in place of “Ana”"),
        ("device.backup_pool_enabled", "Backup codes turned on for this lock"),
        ("device.backup_pool_disabled", "Backup codes turned off for this lock"),
    ],
)
def test_backup_events_read_as_sentences(event_type, words):
    event = Event(event_type=event_type, access_code=AccessCode(name="Ana"), data={})
    assert event_sentence(event) == words
