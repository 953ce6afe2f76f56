"""Urgent alerts reach the owner's inbox once, and again only if they clear and come back."""

from datetime import timedelta

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from locks import simulator, tasks
from locks.models import AlertNotice
from locks.tenancy import services as tenancy
from reservations.alerts import alerts_email, alerts_email_due
from tests import factories
from tests.backups.lockside import run
from tests.reservations.front_desk import book
from tests.reservations.test_views_settings import OWNER_SETTINGS


def test_an_offline_door_before_an_arrival_is_emailed_once(owner, room, lock, t0):
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    stay = book(owner, room, t0, check_in=t0 + timedelta(hours=6), guest_name="Ana Lima")
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)

    assert alerts_email_due(now=t0 + timedelta(minutes=5)) == 1
    (message,) = mail.outbox
    assert message.to == ["ops@seaside.example"]
    assert message.subject.startswith("Innkeeper: Room 101 door is offline: Ana Lima arrives")
    assert "What to do: Check the lock's batteries" in message.body
    assert stay.pin not in message.subject + message.body

    assert alerts_email_due(now=t0 + timedelta(minutes=10)) == 0
    assert len(mail.outbox) == 1


def test_an_alert_that_cleared_and_came_back_is_emailed_again(owner, room, lock, t0):
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    book(owner, room, t0, check_in=t0 + timedelta(hours=6))
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    alerts_email(owner=owner, now=t0)

    simulator.simulated_set_online(lock=lock, online=True, now=t0 + timedelta(minutes=10))
    run(t0 + timedelta(minutes=10))
    assert alerts_email(owner=owner, now=t0 + timedelta(minutes=10)) == 0
    assert not AlertNotice.objects.filter(owner=owner).exists()

    simulator.simulated_set_online(lock=lock, online=False, now=t0 + timedelta(minutes=20))
    run(t0 + timedelta(minutes=20))
    assert alerts_email(owner=owner, now=t0 + timedelta(minutes=20)) == 1
    assert len(mail.outbox) == 2


def test_amber_alerts_and_owners_without_an_address_get_no_email(owner, room, lock, t0):
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    assert alerts_email(owner=owner, now=t0) == 0  # offline, but nobody arrives: amber

    tenancy.owner_settings_update(owner=owner, alert_email="")
    book(owner, room, t0, check_in=t0 + timedelta(hours=6))
    assert alerts_email_due(now=t0) == 0
    assert mail.outbox == []


def test_several_new_urgent_alerts_come_in_one_email(owner, hotel, room, lock, t0):
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    street = factories.simulated_lock(owner=owner, property=hotel, name="Street door", now=t0)
    book(owner, room, t0, check_in=t0 + timedelta(hours=6))
    for door in (lock, street):
        simulator.simulated_set_online(lock=door, online=False, now=t0)
    run(t0)
    assert alerts_email(owner=owner, now=t0) == 2
    (message,) = mail.outbox
    assert message.subject == "Innkeeper: 2 urgent problems at Seaside Hotels"
    assert "Room 101 door is offline" in message.body and "Street door is offline" in message.body


def test_a_mail_server_that_fails_is_tried_again_next_time(owner, room, lock, t0, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    book(owner, room, t0, check_in=t0 + timedelta(hours=6))
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    assert alerts_email(owner=owner, now=t0) == 0

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert alerts_email(owner=owner, now=t0 + timedelta(minutes=5)) == 1


def test_the_discovery_task_sends_them(owner, room, lock, t0, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: t0)
    tenancy.owner_settings_update(owner=owner, alert_email="ops@seaside.example")
    book(owner, room, t0, check_in=t0 + timedelta(hours=6))
    simulator.simulated_set_online(lock=lock, online=False, now=t0)
    run(t0)
    tasks.discover()
    assert len(mail.outbox) == 1


def test_a_manager_sets_the_alert_address_and_level_in_settings(client_for, alice, owner):
    data = {**OWNER_SETTINGS, "alert_email": "ops@seaside.example", "low_battery_percent": "30"}
    response = client_for(alice).post(reverse("settings"), data)
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.alert_email, owner.low_battery_percent) == ("ops@seaside.example", 30)

    # A post that leaves the level out keeps it; a bad address is refused in plain words.
    client_for(alice).post(reverse("settings"), {**OWNER_SETTINGS, "alert_email": ""})
    owner.refresh_from_db()
    assert (owner.alert_email, owner.low_battery_percent) == ("", 30)
    html = client_for(alice).post(reverse("settings"), {**data, "alert_email": "ops"}).content
    assert "Enter a valid email address." in html.decode()
