"""*Unlock now* on the lock page: the front desk and managers open a door over the air, with a
reason; who, when and why are recorded; a door that cannot do it says why instead."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from locks import scheduler, simulator
from locks.models import ActionAttempt, Event, Lock, SimulatedDevice
from locks.remote import UNLOCK_REASONS
from tests import factories
from tests.pages import html_of
from tests.reservations.front_desk import book

HOUR = timedelta(hours=1)
LOCKED_OUT = UNLOCK_REASONS[0]


def unlock(client, lock, htmx=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(reverse("lock_unlock", args=[lock.pk]), data, headers=headers)


def remote_unlocks(lock):
    return Event.objects.filter(lock=lock, event_type="lock.unlocked", data__method="remote")


def bolt(lock) -> bool | None:
    return Lock.objects.get(pk=lock.pk).locked


def test_the_front_desk_unlocks_a_door_with_a_reason_and_it_is_recorded(
    client_for, bob, lock, frozen
):
    client = client_for(bob)
    response = unlock(client, lock, reason=LOCKED_OUT)
    assert response.status_code == 302
    assert bolt(lock) is False
    assert SimulatedDevice.objects.get(device_id=lock.device_id).locked is False
    (event,) = remote_unlocks(lock)
    assert event.data["by"] == "bob" and event.data["reason"] == LOCKED_OUT
    assert event.occurred_at == frozen
    html = html_of(client, "lock_detail", lock.pk)
    assert "Room 101 door is unlocked, at 13:00 WEST" in html
    assert "Door <strong" in html and ">Unlocked</strong>" in html
    entries = html[html.index('id="entries"') : html.index('id="backups"')]
    assert f"Remote, by bob: {LOCKED_OUT}" in entries


def test_a_manager_can_type_a_reason_of_their_own(client_for, alice, lock, frozen):
    unlock(client_for(alice), lock, reason="other", other_reason="Plumber, booked by phone")
    (event,) = remote_unlocks(lock)
    assert event.data["reason"] == "Plumber, booked by phone"


def test_a_typed_reason_counts_without_picking_another_reason_first(client_for, bob, lock, frozen):
    unlock(client_for(bob), lock, other_reason="Window cleaner")
    (event,) = remote_unlocks(lock)
    assert event.data["reason"] == "Window cleaner"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({}, "Say why the door is unlocked: pick a reason or type one."),
        ({"reason": "other", "other_reason": "  "}, "Type the reason."),
    ],
)
def test_without_a_reason_nothing_happens_and_the_form_says_what_to_fix(
    client_for, bob, lock, frozen, data, error
):
    response = unlock(client_for(bob), lock, **data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert bolt(lock) is True
    assert not remote_unlocks(lock).exists()
    assert not ActionAttempt.objects.filter(lock=lock, action_type="UNLOCK_DOOR").exists()


def test_the_confirmation_names_the_door_and_the_guest_in_house(
    client_for, bob, owner, room, lock, frozen
):
    book(owner, room, frozen, check_in=frozen - 2 * HOUR, guest_name="Anna Smith")
    html = html_of(client_for(bob), "lock_detail", lock.pk)
    box = html[html.index('class="unlock-box"') : html.index('id="codes"')]
    assert "Unlock Room 101 door now?" in box
    assert "Anna Smith" in box and "in house" in box
    assert "Unlock now" in box


def test_the_guest_chosen_is_the_stay_the_unlock_was_for(
    client_for, bob, owner, room, lock, frozen
):
    stay = book(owner, room, frozen, check_in=frozen + 2 * HOUR, guest_name="Anna Smith")
    unlock(client_for(bob), lock, reason=LOCKED_OUT, reservation=str(stay.pk))
    (event,) = remote_unlocks(lock)
    assert event.reservation == stay
    stay.refresh_from_db()
    assert stay.arrived_at == frozen  # the guest is in: the unlock was their way in


def test_nobody_in_particular_is_no_guest_s_arrival(client_for, bob, owner, room, lock, frozen):
    stay = book(owner, room, frozen, check_in=frozen - 2 * HOUR, guest_name="Anna Smith")
    unlock(client_for(bob), lock, reason=UNLOCK_REASONS[2], reservation="nobody")
    (event,) = remote_unlocks(lock)
    assert event.reservation is None
    stay.refresh_from_db()
    assert stay.arrived_at is None


def test_with_guests_at_the_door_it_asks_whom_for_rather_than_assume(
    client_for, bob, owner, room, lock, frozen
):
    book(owner, room, frozen, check_in=frozen - 2 * HOUR, guest_name="Anna Smith")
    client = client_for(bob)
    assert " checked>" not in html_of(client, "lock_detail", lock.pk)
    response = unlock(client, lock, reason=LOCKED_OUT)
    assert response.status_code == 400
    assert "Say whom the door is unlocked for: a guest, or nobody in particular." in (
        response.content.decode()
    )
    assert not remote_unlocks(lock).exists()


def test_a_guest_not_at_this_door_is_refused(client_for, bob, owner, room_102, lock, frozen):
    elsewhere = book(owner, room_102, frozen, check_in=frozen - HOUR, guest_name="Other Olga")
    response = unlock(client_for(bob), lock, reason=LOCKED_OUT, reservation=str(elsewhere.pk))
    assert response.status_code == 400
    assert "That guest is no longer staying or arriving here" in response.content.decode()
    assert not remote_unlocks(lock).exists()


def test_a_shared_door_offers_its_guests_and_nobody_by_default(
    client_for, bob, owner, hotel, room, room_102, frozen
):
    entrance = factories.simulated_lock(owner=owner, property=hotel, name="Street", now=frozen)
    book(owner, room, frozen, check_in=frozen + HOUR, guest_name="Anna Smith")
    book(owner, room_102, frozen, check_in=frozen - HOUR, guest_name="Ben Ortiz")
    html = html_of(client_for(bob), "lock_detail", entrance.pk)
    assert '<option value="nobody">Nobody in particular</option>' in html
    assert "Anna Smith · Room 101 · arrives 14:00" in html
    assert "Ben Ortiz · Room 102 · in house" in html


def test_an_offline_door_says_why_instead_of_offering_the_button(client_for, bob, lock, t0):
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    scheduler.run_due_locks(now=t0)
    client = client_for(bob)
    html = html_of(client, "lock_detail", lock.pk)
    assert "Offline: cannot unlock" in html
    assert "Room 101 door is offline, so it cannot be unlocked remotely now." in html
    assert "Unlock now</summary>" not in html
    response = unlock(client, lock, reason=LOCKED_OUT)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    assert "Room 101 door is offline, so it cannot be unlocked remotely now." in page
    assert not remote_unlocks(lock).exists()
    assert bolt(lock) is True


def test_a_door_that_cannot_unlock_remotely_says_so(client_for, bob, lock, t0):
    SimulatedDevice.objects.filter(device_id=lock.device_id).update(remote_unlock=False)
    scheduler.lock_check_now(lock=lock, now=t0)
    scheduler.run_due_locks(now=t0)
    client = client_for(bob)
    assert "Cannot unlock remotely" in html_of(client, "lock_detail", lock.pk)
    response = unlock(client, lock, reason=LOCKED_OUT, htmx=True)
    assert "cannot be unlocked remotely: the lock does not support it" in (
        response.content.decode()
    )
    assert not remote_unlocks(lock).exists()


def test_a_lock_that_fails_to_unlock_says_so_in_plain_words(client_for, bob, lock, frozen):
    simulator.simulated_refuse_writes(lock=lock, until=frozen + HOUR, now=frozen)
    client = client_for(bob)
    response = unlock(client, lock, reason=LOCKED_OUT, htmx=True)
    html = response.content.decode()
    assert "Room 101 door did not unlock" in html and "send someone to the door" in html
    assert not remote_unlocks(lock).exists()
    attempt = ActionAttempt.objects.get(lock=lock, action_type="UNLOCK_DOOR")
    assert attempt.status == ActionAttempt.Status.ERROR


def test_with_htmx_the_box_answers_in_place_and_the_door_parts_refresh(
    client_for, bob, lock, frozen
):
    response = unlock(client_for(bob), lock, reason=LOCKED_OUT, htmx=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<div class="unlock-box" id="unlock-{lock.pk}">')
    assert "Room 101 door is unlocked" in html
    assert json.loads(response.headers["HX-Trigger"]) == {"door-turned": {}}


def test_with_htmx_a_missing_reason_is_shown_in_the_box(client_for, bob, lock, frozen):
    response = unlock(client_for(bob), lock, htmx=True)
    html = response.content.decode()
    assert "Say why the door is unlocked" in html and " open>" in html
    assert "HX-Trigger" not in response.headers


def test_without_javascript_the_unlock_page_asks_the_same(client_for, bob, lock, frozen):
    html = html_of(client_for(bob), "lock_unlock", lock.pk)
    assert "Unlock Room 101 door now?" in html
    assert LOCKED_OUT in html and 'name="other_reason"' in html


def test_another_owner_s_door_is_not_found(client_for, charlie, lock):
    client = client_for(charlie)
    assert client.get(reverse("lock_unlock", args=[lock.pk])).status_code == 404
    assert unlock(client, lock, reason=LOCKED_OUT).status_code == 404
    assert bolt(lock) is True
