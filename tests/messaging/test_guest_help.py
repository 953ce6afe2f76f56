"""The guest page's "My code doesn't work" looks at the door first, and "I've checked out"."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backups.services import backup_pool_enable
from locks import simulator
from locks.models import AccessCode
from messaging import owner_settings
from messaging.guest_help import keypad_steps_save
from messaging.models import GuestHelp, Message
from reservations.alerts import open_alerts
from reservations.guest_links import guest_page_path, guest_token
from reservations.models import EntryAlert
from reservations.urgency import urgent_count
from tests import factories
from tests.backups.lockside import run
from tests.reservations.front_desk import book
from tests.reservations.stays import opens

pytestmark = pytest.mark.django_db


class Clock:
    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at


@pytest.fixture
def stay(owner, room, lock, t0):
    """Ana arrives at Room 101 tomorrow; her code is on the door, which keeps backups."""
    backup_pool_enable(lock=lock, now=t0)
    stay = book(owner, room, t0, check_in=t0 + timedelta(days=1), phone="+351912345678")
    run(stay.check_in - timedelta(minutes=20))
    owner_settings.messaging_settings_update(owner=owner, front_desk_phone="+351 210 000 000")
    return stay


@pytest.fixture
def clock(monkeypatch, stay):
    clock = Clock(stay.check_in + timedelta(minutes=5))
    monkeypatch.setattr(timezone, "now", clock)
    return clock


def press(client, stay, lock, **headers):
    url = reverse("guest_door_help", args=[guest_token(stay), lock.pk])
    return client.post(url, headers=headers)


def text(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_healthy_code_gets_the_keypad_steps_with_the_pin(client, stay, lock, clock):
    response = press(client, stay, lock)

    assert response.status_code == 200
    page = text(response)
    assert "Your code is on this lock and the lock is online." in page
    assert f'enter <strong class="guest-pin">{stay.pin}</strong> slowly' in page
    (help_,) = GuestHelp.objects.filter(reservation=stay)
    assert help_.finding == "ready" and help_.backup is None
    assert not AccessCode.objects.filter(kind="backup", reservation=stay).exists()


def test_the_managers_steps_for_the_lock_model(client, owner, stay, lock, clock):
    keypad_steps_save(owner=owner, lock_model=lock.model_name, steps="Tap the logo, type {pin}.")
    page = text(press(client, stay, lock))
    assert f'Tap the logo, type <strong class="guest-pin">{stay.pin}</strong>.' in page


def backup_of(stay, lock) -> AccessCode:
    (help_,) = GuestHelp.objects.filter(reservation=stay, backup__isnull=False)
    assert help_.lock == lock
    return help_.backup


def test_wrong_pins_just_now_give_a_backup_that_opens_the_door(client, stay, lock, clock):
    simulator.simulated_keypad_entry(lock=lock, code="9876", now=clock.at - timedelta(minutes=1))

    page = text(press(client, stay, lock))

    backup = backup_of(stay, lock)
    assert "The lock refused a code at this door in the last few minutes." in page
    assert f'Use this code instead: <strong class="guest-pin guest-backup">{backup.code}' in page
    assert opens(lock, backup.code, clock.at + timedelta(minutes=1))
    (message,) = Message.objects.filter(reservation=stay, kind=Message.Kind.BACKUP)
    assert message.backup_code_ids == [str(backup.pk)] and backup.code not in message.preview
    told = stay.events.get(event_type="reservation.guest_asked_help")
    assert "1 wrong PIN there in the last" in told.message and backup.code not in told.message


def test_a_second_press_shows_the_same_backup_and_pulls_nothing(client, stay, lock, clock):
    simulator.simulated_keypad_entry(lock=lock, code="9876", now=clock.at - timedelta(minutes=1))
    press(client, stay, lock)
    backup = backup_of(stay, lock)
    clock.at += timedelta(minutes=2)

    page = text(press(client, stay, lock))

    assert backup.code in page
    assert AccessCode.objects.filter(kind="backup", pulled_at__isnull=False).count() == 1
    assert Message.objects.filter(reservation=stay, kind=Message.Kind.BACKUP).count() == 1
    assert [h.finding for h in GuestHelp.objects.filter(reservation=stay)] == [
        "backup_again",
        "backup",
    ]


def test_an_offline_lock_gives_a_backup(client, stay, lock, clock):
    simulator.simulated_set_online(lock=lock, online=False, now=clock.at)
    run(clock.at)

    page = text(press(client, stay, lock))

    assert "This lock is not connected right now." in page
    assert backup_of(stay, lock).code in page


def test_a_code_not_on_the_lock_gives_a_backup(client, stay, lock, clock):
    simulator.simulated_remove_code(lock=lock, code=stay.pin, now=clock.at)
    AccessCode.objects.filter(reservation=stay, kind="guest").update(status="unset")

    page = text(press(client, stay, lock))

    assert "Your code is not on this lock yet." in page
    assert backup_of(stay, lock).code in page


def test_no_backup_shows_the_desks_phone_and_raises_a_red_alert(client, owner, stay, lock, clock):
    backup_pool_enable(lock=lock, now=clock.at, enabled=False)
    simulator.simulated_keypad_entry(lock=lock, code="9876", now=clock.at - timedelta(minutes=1))

    page = text(press(client, stay, lock))

    assert "We could not give you another code for this door." in page
    assert 'href="tel:+351 210 000 000"' in page
    assert not GuestHelp.objects.filter(backup__isnull=False).exists()
    alert = EntryAlert.objects.get(reservation=stay, lock=lock, kind="lockout")
    assert alert.cleared_at is None and "front desk's phone" in alert.help_given
    (red,) = [a for a in open_alerts(owner, clock.at) if a.entry_alert == alert]
    assert red.severity == "red" and "said on their page" in red.detail
    assert urgent_count(owner, clock.at) == 1


def test_htmx_gets_the_answer_alone(client, stay, lock, clock):
    response = press(client, stay, lock, HX_Request="true")
    assert response.status_code == 200
    assert text(response).startswith('<div class="guest-help-answer"')


def test_presses_are_rate_limited(client, stay, lock, clock):
    for _ in range(10):
        press(client, stay, lock)
    page = text(press(client, stay, lock))
    assert "You have pressed this button many times." in page
    assert GuestHelp.objects.filter(reservation=stay).count() == 10


def test_a_door_not_of_the_stay_is_not_found(client, owner, hotel, stay, lock, clock, t0):
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    other = factories.simulated_lock(
        owner=owner, property=hotel, unit=other_room, name="Room 102 door", now=t0
    )
    assert press(client, stay, other).status_code == 404
    assert not GuestHelp.objects.exists()


def test_another_stays_token_opens_nothing_of_this_one(client, owner, room, stay, lock, clock, t0):
    bea = book(owner, room, t0, check_in=stay.check_out, guest_name="Bea")
    response = press(client, bea, lock)  # Bea's window has not started
    assert response.status_code == 404 and stay.pin not in response.content.decode()
    forged = guest_token(stay)[:-2] + "AA"
    url = reverse("guest_door_help", args=[forged, lock.pk])
    assert client.post(url).status_code == 404
    assert not GuestHelp.objects.exists()


def test_before_the_window_nothing_is_done(client, stay, lock, clock):
    clock.at = stay.check_in - timedelta(hours=3)
    assert press(client, stay, lock).status_code == 404
    assert not GuestHelp.objects.exists()


def test_check_out_asks_first_then_ends_the_codes_and_the_link(client, stay, lock, clock):
    url = reverse("guest_check_out", args=[guest_token(stay)])
    page = client.get(guest_page_path(stay))
    assert url in page.content.decode()

    confirm = client.get(url)
    assert "Have you left?" in confirm.content.decode()
    stay.refresh_from_db()
    assert stay.checked_out_at is None

    goodbye = client.post(url)

    assert "Thank you, goodbye!" in goodbye.content.decode()
    stay.refresh_from_db()
    assert stay.checked_out_at == clock.at
    assert stay.events.filter(event_type="reservation.guest_checked_out").exists()
    assert not opens(lock, stay.pin, clock.at + timedelta(minutes=30))
    assert client.get(guest_page_path(stay)).status_code == 404


def test_the_front_desk_sees_each_press_on_the_stays_page(client, alice, stay, lock, clock):
    simulator.simulated_keypad_entry(lock=lock, code="9876", now=clock.at - timedelta(minutes=1))
    press(Client(), stay, lock)
    backup = backup_of(stay, lock)

    client.force_login(alice)
    page = text(client.get(reverse("reservation_detail", args=[stay.pk])))

    assert "<h2>Help asked on the guest's page</h2>" in page
    assert "Room 101 door: Backup given (1 wrong PIN there in the last" in page
    assert "On their page, the guest said their code does not open Room 101 door" in page
    section = page.split('id="stay-guest-help"')[1].split("</section>")[0]
    assert backup.code not in section


def test_a_manager_edits_the_keypad_steps_of_a_lock_model(client, alice, bob, stay, lock, clock):
    client.force_login(alice)
    settings_page = client.get(reverse("settings_messages")).content.decode()
    assert "Press the keypad&#x27;s start key, then enter {pin} slowly" in settings_page

    url = reverse("settings_keypad_steps")
    client.post(url, {"lock_model": lock.model_name, "steps": "Type {pin} then #."})
    client.post(url, {"lock_model": lock.model_name, "steps": "No PIN here"})  # refused

    page = text(press(Client(), stay, lock))
    assert f'Type <strong class="guest-pin">{stay.pin}</strong> then #.' in page
    client.force_login(bob)
    assert client.post(url, {"lock_model": "", "steps": "{pin}"}).status_code == 403
