"""The stay's page: every entry at its doors (when, which door, own PIN or backup, how), the
trouble its doors reported (lockouts, late entries), *Unlock now* per door, and the export."""

import csv
import io
import json
from datetime import timedelta

from django.urls import reverse
from django.utils.html import escape

from backups.services import backup_pool_enable, reservation_backups_give
from locks import scheduler, simulator
from locks.models import Event, SimulatedDevice
from locks.remote import UNLOCK_REASONS, lock_turn
from tests import factories
from tests.backups.lockside import run
from tests.pages import html_of, without_ids
from tests.reservations.front_desk import book

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)


def stay_page(client, stay) -> str:
    return html_of(client, "reservation_detail", stay.pk)


def entries_card(html: str) -> str:
    start = html.index('id="stay-entries"')
    return html[start : html.index("</section>", start)]


def in_house(owner, room, lock, now, **fields):
    """Anna Smith, checked in an hour ago, her code on the door."""
    stay = book(owner, room, now, check_in=now - HOUR, guest_name="Anna Smith", **fields)
    scheduler.run_due_locks(now=now)
    return stay


def unlock(client, stay, lock, htmx=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse("reservation_unlock", args=[stay.pk, lock.pk])
    return client.post(url, data, headers=headers)


def test_every_entry_is_listed_with_its_door_code_and_how(
    client_for, bob, owner, room, lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen - 30 * MINUTE)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen - 10 * MINUTE)
    lock_turn(
        lock=lock, unlock=True, now=frozen, by="Rui Alves", reason="Emergency", reservation=stay
    )
    entries = entries_card(stay_page(client_for(bob), stay))
    assert entries.count("Room 101 door</a>") == 3
    assert entries.count("Own PIN · Keypad") == 2
    assert "Remote, by Rui Alves: Emergency" in entries
    assert "Mon 1 Jun, 12:30 WEST" in entries  # the first, at the property's time
    # The first entry is the arrival; the page says so, and when.
    assert entries.count(">Arrival</span>") == 1
    assert entries.index(">Arrival</span>") > entries.index("Mon 1 Jun, 12:30 WEST")
    assert "Arrived 12:30" in stay_page(client_for(bob), stay)


def test_a_backup_s_entry_says_backup(client_for, bob, owner, room, lock, frozen):
    backup_pool_enable(lock=lock, now=frozen)
    run(frozen)
    stay = in_house(owner, room, lock, frozen)
    (door,) = reservation_backups_give(reservation=stay, now=frozen)
    simulator.simulated_keypad_entry(lock=lock, code=door.backup.code, now=frozen)
    html = stay_page(client_for(bob), stay)
    assert "Backup code · Keypad" in entries_card(html)


def test_a_lockout_shows_with_its_attempts_what_was_done_and_its_state(
    client_for, bob, owner, room, lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    for minutes in (3, 2, 1):
        simulator.simulated_keypad_entry(lock=lock, code="0000", now=frozen - minutes * MINUTE)
    client = client_for(bob)
    card = entries_card(stay_page(client, stay))
    assert "Guest may be locked out at Room 101 door" in card
    assert "3 wrong PINs at the door, the last at Mon 1 Jun, 12:59 WEST." in card
    assert "No backup was texted: the stay has no mobile number." in card
    assert ">Open</span>" in card
    # The guest gets in with their own code: the lockout clears.
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    card = entries_card(stay_page(client, stay))
    assert ">Cleared</span>" in card and "The guest got in" in card


def test_a_late_entry_shows_as_open(client_for, bob, owner, room, lock, frozen):
    booked = frozen - 51 * HOUR
    stay = book(owner, room, booked, check_in=frozen - 50 * HOUR, hours=46, guest_name="Ana")
    scheduler.run_due_locks(now=booked + HOUR)
    # No pass since the stay ended: its code is still in the keypad's memory, and opens.
    assert stay.code_window(owner)[1] < frozen
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    card = entries_card(stay_page(client_for(bob), stay))
    assert "Room 101 door opened after the stay ended" in card and ">Open</span>" in card
    assert "a code that should be gone" in card


def test_the_front_desk_unlocks_a_door_of_the_stay_for_its_guest(
    client_for, bob, owner, room, lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    client = client_for(bob)
    html = stay_page(client, stay)
    card = html[html.index('id="stay-unlock"') : html.index('id="stay-entries"')]
    assert "Unlock Room 101 door now for Anna Smith?" in card
    response = unlock(client, stay, lock, reason=UNLOCK_REASONS[1])
    assert response.url == reverse("reservation_detail", args=[stay.pk]) + "#stay-unlock"
    (event,) = Event.objects.filter(lock=lock, event_type="lock.unlocked")
    assert event.reservation == stay and event.data["by"] == "bob"
    html = client.get(response.url).content.decode()
    assert "Room 101 door is unlocked for Anna Smith" in html
    assert f"Remote, by bob: {escape(UNLOCK_REASONS[1])}" in entries_card(html)
    stay.refresh_from_db()
    assert stay.arrived_at == frozen


def test_with_htmx_the_door_s_box_answers_and_the_entries_refresh(
    client_for, bob, owner, room, lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    client = client_for(bob)
    response = unlock(client, stay, lock, htmx=True, reason=UNLOCK_REASONS[0])
    assert "Room 101 door is unlocked for Anna Smith" in response.content.decode()
    assert json.loads(response.headers["HX-Trigger"]) == {"door-turned": {}}
    part = client.get(
        reverse("reservation_detail", args=[stay.pk]),
        headers={"HX-Request": "true", "HX-Target": "stay-entries"},
    ).content.decode()
    assert part.lstrip().startswith('<section id="stay-entries"')
    assert "door-turned from:body" in part and "Remote, by bob" in part


def test_an_offline_door_of_the_stay_says_why(client_for, bob, owner, room, lock, frozen):
    stay = in_house(owner, room, lock, frozen)
    simulator.simulated_set_online(lock=lock, online=False, now=frozen)
    scheduler.run_due_locks(now=frozen)
    client = client_for(bob)
    assert "Offline: cannot unlock" in stay_page(client, stay)
    response = unlock(client, stay, lock, htmx=True, reason=UNLOCK_REASONS[0])
    assert "Room 101 door is offline, so it cannot be unlocked remotely now." in (
        response.content.decode()
    )
    assert not Event.objects.filter(lock=lock, event_type="lock.unlocked").exists()
    assert SimulatedDevice.objects.get(device_id=lock.device_id).locked is True


def test_before_the_day_of_arrival_no_door_is_unlocked_for_the_stay(
    client_for, bob, owner, room, lock, frozen
):
    stay = book(owner, room, frozen, check_in=frozen + 48 * HOUR, guest_name="Later Lea")
    client = client_for(bob)
    assert 'id="stay-unlock"' not in stay_page(client, stay)
    response = unlock(client, stay, lock, reason=UNLOCK_REASONS[0])
    assert response.status_code == 302
    assert "not on today" in client.get(response.url).content.decode()
    assert not Event.objects.filter(lock=lock, event_type="lock.unlocked").exists()


def test_a_door_that_is_not_the_stay_s_is_not_found(
    client_for, bob, owner, room, room_102, lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    other_door = room_102.locks.get()
    assert unlock(client_for(bob), stay, other_door, reason="x").status_code == 404


def test_another_owner_s_stay_and_door_are_not_found(
    client_for, charlie, owner, room, lock, other_lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    client = client_for(charlie)
    assert unlock(client, stay, lock, reason="x").status_code == 404
    csv_url = reverse("reservation_entries_csv", args=[stay.pk])
    assert client.get(csv_url).status_code == 404
    charlie_stay = book(
        other_lock.owner,
        factories.UnitFactory(property=other_lock.property),
        frozen,
        check_in=frozen - HOUR,
    )
    assert unlock(client, charlie_stay, lock, reason="x").status_code == 404
    assert not Event.objects.filter(lock=lock, event_type="lock.unlocked").exists()


def test_a_manager_exports_the_stay_s_entries(client_for, alice, owner, room, lock, frozen):
    stay = in_house(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen - 30 * MINUTE)
    lock_turn(lock=lock, unlock=True, now=frozen, by="Maya", reason="Emergency", reservation=stay)
    response = client_for(alice).get(reverse("reservation_entries_csv", args=[stay.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    keypad, remote = csv.DictReader(io.StringIO(body))
    assert keypad["time"] == "2026-06-01T12:30:00+01:00"
    assert keypad["door"] == "Room 101 door" and keypad["guest"] == "Anna Smith"
    assert keypad["own PIN or backup"] == "own PIN" and keypad["method"] == "Keypad"
    assert remote["by"] == "Maya" and remote["reason"] == "Emergency"
    assert "type" not in keypad
    assert stay.pin not in body.replace(keypad["time"], "").replace(remote["time"], "")


def test_the_front_desk_cannot_export_the_stay_s_entries(
    client_for, bob, owner, room, lock, frozen
):
    stay = in_house(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    client = client_for(bob)
    assert client.get(reverse("reservation_entries_csv", args=[stay.pk])).status_code == 403
    assert "Export CSV" not in stay_page(client, stay)


def test_no_pin_is_on_the_stay_s_page_for_the_front_desk_or_a_manager(
    client_for, alice, bob, owner, room, lock, frozen
):
    backup_pool_enable(lock=lock, now=frozen)
    run(frozen)
    stay = in_house(owner, room, lock, frozen, phone="+351912345678")
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    for minutes in (3, 2, 1):
        simulator.simulated_keypad_entry(lock=lock, code="0000", now=frozen + minutes * MINUTE)
    for person in (alice, bob):
        assert stay.pin not in without_ids(stay_page(client_for(person), stay))
