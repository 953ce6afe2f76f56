"""The simulated keypad and the PIN reveals are no oracle: 10 tries (or PINs shown) per person in
10 minutes on the dashboard, 10 keypad tries per API key in the API; then a refusal that says
when to try again, and nothing is tried or shown."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from locks import access_codes, scheduler
from locks.models import AttemptWindow, Event, SimulatedDevice
from locks.tenancy import attempt_limits
from reservations.stays import reservation_create
from tests import factories
from tests.locks.seam_api import api_key_for, call


@pytest.fixture
def dora(owner):
    """A second manager of the same owner."""
    return factories.member(owner, "dora", role="manager")


def keypad_try(client, lock, pin, **headers):
    return client.post(reverse("keypad_try", args=[lock.pk]), {"code": pin}, **headers)


def wrong_pins_tried(lock) -> int:
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    return device.events.count()


def window_passes(kind: str) -> None:
    """Every window of that kind started 10 minutes ago."""
    for row in AttemptWindow.objects.filter(kind=kind):
        row.window_start -= timedelta(minutes=10)
        row.save()


def test_the_keypad_refuses_the_eleventh_try_in_ten_minutes(client_for, alice, dora, lock, t0):
    access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    scheduler.run_due_locks(now=t0)
    client = client_for(alice)
    for pin in range(1000, 1010):
        assert "Door stays locked" in keypad_try(client, lock, str(pin)).content.decode()
    tried = wrong_pins_tried(lock)

    response = keypad_try(client, lock, "5937")  # the right PIN, but one try too many
    html = response.content.decode()
    assert response.status_code == 429
    assert "Door opens" not in html
    assert "You have tried 10 PINs at keypads in the last 10 minutes" in html
    assert "Try again in 10 minutes." in html
    assert wrong_pins_tried(lock) == tried  # the lock never saw it

    # Another manager has tries of their own.
    assert "Door opens" in keypad_try(client_for(dora), lock, "5937").content.decode()
    # Ten minutes on, alice can try again.
    window_passes("keypad_try")
    assert "Door opens" in keypad_try(client_for(alice), lock, "5937").content.decode()


def test_an_htmx_keypad_try_shows_the_refusal_in_the_keypad(client_for, alice, lock):
    client = client_for(alice)
    for pin in range(1000, 1010):
        keypad_try(client, lock, str(pin), HTTP_HX_REQUEST="true")
    response = keypad_try(client, lock, "1010", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 429  # htmx swaps it in (base.html's responseHandling)
    assert "<html" not in html and 'id="keypad"' in html
    assert "the most allowed, so this one was not tried. Try again in 10 minutes." in html


def test_pin_reveals_are_limited_across_locks_and_stays(client_for, alice, owner, room, lock, t0):
    codes = [
        access_codes.access_code_create(lock=lock, now=t0, name=f"Guest {n}", code=f"59{n:02}")[0]
        for n in range(11)
    ]
    client = client_for(alice)
    for code in codes[:10]:
        response = client.post(
            reverse("code_reveal", args=[lock.pk, code.pk]), HTTP_HX_REQUEST="true"
        )
        assert f">{code.code}<" in response.content.decode()
    shown = Event.objects.filter(event_type="access_code.pin_revealed").count()
    assert shown == 10

    eleventh = codes[10]
    response = client.post(
        reverse("code_reveal", args=[lock.pk, eleventh.pk]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert eleventh.code not in html
    assert "You have been shown 10 PINs in the last 10 minutes" in html
    assert "Try again in 10 minutes." in html
    # Without htmx: the lock's page, with the refusal above it.
    response = client.post(reverse("code_reveal", args=[lock.pk, eleventh.pk]))
    assert response.status_code == 429
    assert "You have been shown 10 PINs" in response.content.decode()
    assert f">{eleventh.code}<" not in response.content.decode()

    # A stay's PIN counts with them.
    stay = reservation_create(
        owner=owner,
        unit=room,
        guest_name="Anna Smith",
        check_in=t0 + timedelta(days=1),
        check_out=t0 + timedelta(days=3),
        now=t0,
    )
    response = client.post(reverse("reservation_pin_reveal", args=[stay.pk]))
    assert response.status_code == 429
    assert f">{stay.pin}<" not in response.content.decode()
    assert "You have been shown 10 PINs" in response.content.decode()
    assert Event.objects.filter(event_type__endswith="pin_revealed").count() == shown

    window_passes("pin_reveal")
    response = client.post(
        reverse("reservation_pin_reveal", args=[stay.pk]), HTTP_HX_REQUEST="true"
    )
    assert f">{stay.pin}<" in response.content.decode()


def test_the_api_keypad_answers_429_after_ten_tries_per_key(client, key, owner, lock):
    def keypad(secret, pin):
        body = {"device_id": str(lock.public_id), "code": pin}
        return call(client, "POST", "locks/simulate/keypad_code_entry", secret, body)

    for pin in range(1000, 1010):
        status, _ = keypad(key, str(pin))
        assert status == 200
    response = client.post(
        "/api/locks/simulate/keypad_code_entry",
        {"device_id": str(lock.public_id), "code": "1010"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    assert response.status_code == 429
    body = response.json()
    assert body["ok"] is False and body["error"]["type"] == "too_many_requests"
    assert "Try again in 10 minutes" in body["error"]["message"]
    assert 540 < int(response["Retry-After"]) <= 600

    # Another key of the same owner has its own tries.
    status, _ = keypad(api_key_for(owner, "Other"), "1010")
    assert status == 200


def test_a_take_never_counts_past_the_limit(db):
    now = timezone.now()
    limit = attempt_limits.Limit("test", 3, timedelta(minutes=1))
    waits = [attempt_limits.attempt_take(limit=limit, subject="s", now=now) for _ in range(5)]
    assert waits[:3] == [None, None, None]
    assert waits[3] == waits[4] == timedelta(minutes=1)
    assert AttemptWindow.objects.get(kind="test").count == 3
    later = now + timedelta(seconds=45)
    assert attempt_limits.attempt_take(limit=limit, subject="s", now=later) == timedelta(seconds=15)
    assert attempt_limits.attempt_take(limit=limit, subject="s", now=now + limit.window) is None
    assert AttemptWindow.objects.get(kind="test").count == 1
