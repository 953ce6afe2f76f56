"""A lockout or a late entry, as the front desk sees it: on top of Today, on Alerts, in the
badge, until the guest gets in or someone marks it handled."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from locks import simulator
from reservations.models import EntryAlert
from reservations.stays import reservation_check_out_early
from tests.backups.lockside import run
from tests.reservations.front_desk import book

TITLE = "Guest may be locked out at Room 101 door"


@pytest.fixture
def locked_out(owner, room, lock):
    """Anna arrives in 20 minutes and has typed three wrong PINs at Room 101's door."""
    now = timezone.now()
    stay = book(
        owner,
        room,
        now,
        check_in=now + timedelta(minutes=20),
        guest_name="Anna Smith",
        phone="+351912345678",
    )
    run(now)
    for second in range(3):
        simulator.simulated_keypad_entry(
            lock=lock, code="9876", now=now - timedelta(seconds=30 - second)
        )
    return stay


def badge(client) -> str:
    nav = client.get(reverse("home")).content.decode()
    return nav[nav.index(f'href="{reverse("alerts")}"') :][:200]


def test_the_front_desk_sees_the_lockout_on_today_alerts_and_the_badge(client_for, bob, locked_out):
    client = client_for(bob)

    today = client.get(reverse("today")).content.decode()
    alerts = client.get(reverse("alerts")).content.decode()

    assert TITLE in today and TITLE in alerts
    assert "3 wrong PINs were typed at Room 101 door" in alerts
    assert "Call Anna Smith on +351912345678" in alerts
    assert reverse("reservation_detail", args=[locked_out.pk]) in today
    assert '<span class="nav-badge" aria-label="1 urgent">1</span>' in badge(client)
    assert locked_out.pin not in today + alerts


def test_the_guest_getting_in_clears_it(client_for, bob, locked_out, lock):
    simulator.simulated_keypad_entry(lock=lock, code=locked_out.pin, now=timezone.now())
    client = client_for(bob)

    assert TITLE not in client.get(reverse("alerts")).content.decode()
    assert TITLE not in client.get(reverse("today")).content.decode()
    assert "nav-badge" not in badge(client)


def test_marking_it_handled_clears_it_with_who_did(client_for, bob, locked_out):
    client = client_for(bob)
    entry = EntryAlert.objects.get(reservation=locked_out)

    response = client.post(reverse("alert_handled", args=[entry.pk]), follow=True)

    entry.refresh_from_db()
    assert entry.cleared_at is not None and entry.cleared_by == "bob"
    assert "Marked handled" in response.content.decode()
    assert TITLE not in response.content.decode()


def test_another_owner_can_neither_see_nor_clear_it(client_for, charlie, locked_out):
    client = client_for(charlie)
    entry = EntryAlert.objects.get(reservation=locked_out)

    assert TITLE not in client.get(reverse("alerts")).content.decode()
    assert client.post(reverse("alert_handled", args=[entry.pk])).status_code == 404
    entry.refresh_from_db()
    assert entry.cleared_at is None


def test_a_door_opened_to_a_stay_s_code_after_it_ended_is_urgent_until_handled(
    client_for, bob, owner, room, lock
):
    now = timezone.now()
    stay = book(owner, room, now, check_in=now - timedelta(days=1), guest_name="Anna Smith")
    run(now - timedelta(hours=23))
    # The door refuses to let her code go after her early check-out.
    simulator.simulated_refuse_writes(lock=lock, until=now + timedelta(hours=1), now=now)
    reservation_check_out_early(reservation=stay, now=now - timedelta(hours=2))
    run(now - timedelta(hours=2) + timedelta(minutes=1))

    simulator.simulated_keypad_entry(lock=lock, code=stay.pin, now=now)

    client = client_for(bob)
    alerts = client.get(reverse("alerts")).content.decode()
    assert "Room 101 door opened to Anna Smith&#x27;s code after the stay" in alerts
    assert "opened to the stay&#x27;s PIN, though the stay&#x27;s access ended at" in alerts
    assert stay.pin not in alerts
    assert '<span class="nav-badge" aria-label="1 urgent">1</span>' in badge(client)
