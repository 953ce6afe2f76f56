"""The lock page's door: its bolt, who came in (entries and wrong PINs), the simulated bolt
turned by hand, and the entries' CSV (managers only, never a PIN)."""

import csv
import io
from datetime import timedelta

from django.urls import reverse

from locks import access_codes, scheduler, simulator
from locks.models import Event
from locks.remote import UNLOCK_REASONS, lock_turn
from locks.views import HISTORY_READ
from tests.pages import html_of, without_ids
from tests.reservations.front_desk import book

HOUR = timedelta(hours=1)


def entries_card(html: str) -> str:
    return html[html.index('id="entries"') : html.index('id="backups"')]


def status_strip(html: str) -> str:
    return html[html.index('id="lock-status"') : html.index('id="unlock"')]


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def arriving_guest(owner, room, lock, now, **fields):
    """Anna Smith's stay, begun an hour ago, with her code on the door."""
    stay = book(owner, room, now, check_in=now - HOUR, guest_name="Anna Smith", **fields)
    scheduler.run_due_locks(now=now)
    return stay


def test_the_bolt_shows_as_the_lock_reports_it(client_for, bob, lock, frozen):
    client = client_for(bob)
    assert ">Locked</strong>" in status_strip(html_of(client, "lock_detail", lock.pk))
    simulator.simulated_turn_by_hand(lock=lock, locked=False, now=frozen)
    assert ">Unlocked</strong>" in status_strip(html_of(client, "lock_detail", lock.pk))
    lock.__class__.objects.filter(pk=lock.pk).update(locked=None)
    assert ">Not reported</strong>" in status_strip(html_of(client, "lock_detail", lock.pk))


def test_entries_name_the_guest_and_the_code_never_its_pin(
    client_for, bob, owner, room, lock, frozen
):
    stay = arriving_guest(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code="0000", now=frozen - HOUR / 2)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    html = html_of(client_for(bob), "lock_detail", lock.pk)
    entries = entries_card(html)
    assert "Anna Smith" in entries and "Own PIN · Keypad" in entries
    assert "Wrong PIN" in entries and "The door stayed locked" in entries
    assert entries.index("Anna Smith") < entries.index("Wrong PIN")  # newest first
    assert stay.pin not in without_ids(html)


def test_a_staff_code_s_entry_is_named_after_the_code(client_for, bob, lock, frozen):
    access_codes.access_code_create(
        lock=lock, now=frozen, name="Housekeeping", kind="staff", code="4821"
    )
    scheduler.run_due_locks(now=frozen)
    simulator.simulated_keypad_entry(lock=lock, code="4821", now=frozen)
    entries = entries_card(html_of(client_for(bob), "lock_detail", lock.pk))
    assert "“Housekeeping” · Keypad" in entries and "No guest" in entries
    assert "4821" not in entries


def test_a_manager_turns_the_simulated_bolt_by_hand(client_for, alice, lock, frozen):
    client = client_for(alice)
    response = client.post(reverse("simulate_turn_by_hand", args=[lock.pk]), {"locked": "0"})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "Someone opened the door by hand" in html
    assert ">Unlocked</strong>" in status_strip(html)
    assert "By hand (from inside, or with a key)" in entries_card(html)
    assert "Lock by hand" in html
    client.post(reverse("simulate_turn_by_hand", args=[lock.pk]), {"locked": "1"})
    assert ">Locked</strong>" in status_strip(html_of(client, "lock_detail", lock.pk))


def test_the_front_desk_cannot_turn_the_simulated_bolt(client_for, bob, lock):
    response = client_for(bob).post(
        reverse("simulate_turn_by_hand", args=[lock.pk]), {"locked": "0"}
    )
    assert response.status_code == 403
    assert lock.__class__.objects.get(pk=lock.pk).locked is True


def test_a_manager_exports_the_door_s_entries_and_wrong_pins(
    client_for, alice, owner, room, lock, frozen
):
    stay = arriving_guest(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code="0000", now=frozen - HOUR / 2)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    lock_turn(
        lock=lock,
        unlock=True,
        now=frozen + HOUR,
        by="Alice Martin",
        reason=UNLOCK_REASONS[1],
        reservation=stay,
    )
    response = client_for(alice).get(reverse("lock_entries_csv", args=[lock.pk]))
    assert response.status_code == 200
    assert 'filename="entries-room-101-door-' in response["Content-Disposition"]
    wrong, keypad, remote = csv_rows(response)  # oldest first
    assert wrong["type"] == "Wrong PIN" and wrong["time"] == "2026-06-01T12:30:00+01:00"
    assert keypad == {
        "time": "2026-06-01T13:00:00+01:00",
        "type": "Entry",
        "door": "Room 101 door",
        "guest": "Anna Smith",
        "code": stay.access_codes.get(lock=lock).name,
        "own PIN or backup": "own PIN",
        "method": "Keypad",
        "by": "",
        "reason": "",
    }
    assert remote["method"] == "Remote" and remote["guest"] == "Anna Smith"
    assert remote["by"] == "Alice Martin" and remote["reason"] == UNLOCK_REASONS[1]
    assert remote["code"] == "" and remote["own PIN or backup"] == ""


def test_the_export_never_holds_a_pin(client_for, alice, owner, room, lock, frozen):
    stay = arriving_guest(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen)
    response = client_for(alice).get(reverse("lock_entries_csv", args=[lock.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "Anna Smith" in body
    assert stay.pin not in body.replace("2026-06-01T13:00:00+01:00", "")


def test_a_guest_name_a_spreadsheet_would_run_is_written_as_text(
    client_for, alice, owner, room, lock, frozen
):
    stay = book(owner, room, frozen, check_in=frozen - HOUR, guest_name="=HYPERLINK(1)")
    lock_turn(lock=lock, unlock=True, now=frozen, by="alice", reason="x", reservation=stay)
    response = client_for(alice).get(reverse("lock_entries_csv", args=[lock.pk]))
    (row,) = csv_rows(response)
    assert row["guest"] == "'=HYPERLINK(1)"


def test_the_front_desk_cannot_export(client_for, bob, lock):
    client = client_for(bob)
    response = client.get(reverse("lock_entries_csv", args=[lock.pk]))
    assert response.status_code == 403
    assert "Only managers can do that" in response.content.decode()
    assert "Export CSV" not in html_of(client, "lock_detail", lock.pk)


def test_another_owner_s_door_exports_nothing(client_for, charlie, lock):
    assert client_for(charlie).get(reverse("lock_entries_csv", args=[lock.pk])).status_code == 404


def test_the_entries_refresh_by_themselves_and_when_a_door_turns(client_for, bob, lock):
    client = client_for(bob)
    response = client.get(
        reverse("lock_detail", args=[lock.pk]),
        headers={"HX-Request": "true", "HX-Target": "entries"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="entries"')
    assert 'hx-trigger="every 10s, door-turned from:body"' in html


def test_a_door_busy_with_other_events_still_lists_its_older_entries(
    client_for, bob, owner, room, lock, frozen
):
    stay = arriving_guest(owner, room, lock, frozen)
    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=frozen - 2 * HOUR)
    Event.objects.bulk_create(
        Event(owner=owner, lock=lock, event_type="device.low_battery", occurred_at=frozen)
        for _ in range(HISTORY_READ)
    )

    card = entries_card(
        client_for(bob).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    )

    assert "Anna Smith" in card and "Own PIN" in card
