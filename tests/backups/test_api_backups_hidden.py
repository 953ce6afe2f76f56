"""No API answer shows a backup's PIN until it is handed out, then only that one shows."""

from django.utils import timezone

from backups.services import backup_pool_enable
from locks.models import AccessCode, ActionAttempt
from tests import factories
from tests.locks.seam_api import api_key_for, call, reconcile
from tests.reservations.reservations_api import next_year

SINCE = "2020-01-01T00:00:00Z"


def raw(client, key, path, **query) -> str:
    """The answer's raw text: a PIN hidden anywhere in it (a message, an extra) counts."""
    response = client.post(
        "/api/" + path,
        data=query,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    return response.content.decode()


def every_answer(client, key, door, reservation_id: str, pins: set[str]) -> list[str]:
    """Every endpoint that can return a backup, on every backup of the door."""
    device = {"device_id": str(door.public_id)}
    codes = AccessCode.objects.filter(lock=door)
    attempts = ActionAttempt.objects.filter(access_code__lock=door)
    return [
        raw(client, key, "access_codes/list", **device),
        raw(client, key, "access_codes/list", access_code_ids=[str(c.pk) for c in codes]),
        raw(client, key, "access_codes/unmanaged/list", **device),
        raw(client, key, "events/list", since=SINCE),
        raw(client, key, "devices/get", **device),
        raw(client, key, "reservations/get", reservation_id=reservation_id),
        raw(client, key, "reservations/list"),
        *(raw(client, key, "access_codes/get", access_code_id=str(c.pk)) for c in codes),
        *(raw(client, key, "action_attempts/get", action_attempt_id=str(a.pk)) for a in attempts),
        *(raw(client, key, "access_codes/get", code=pin, **device) for pin in pins),
    ]


def test_backup_pins_are_hidden_from_every_answer_until_pulled(client, owner, hotel, room):
    key = api_key_for(owner)
    # Eight-digit PINs: no id or time in an answer can contain one by chance.
    door = factories.simulated_lock(
        owner=owner,
        property=hotel,
        unit=room,
        name="Room 101 door",
        now=timezone.now(),
        supported_code_lengths=[8],
    )
    backup_pool_enable(lock=door, now=timezone.now())
    status, stay = call(
        client,
        "POST",
        "reservations/create",
        key,
        {
            "unit_id": room.pk,
            "guest_name": "Anna Smith",
            "check_in": timezone.now().date().isoformat(),
            "check_out": next_year(1, 5).isoformat(),
        },
    )
    assert status == 200, stay
    reconcile()
    reconcile()
    backups = AccessCode.objects.filter(lock=door, kind="backup", status="set")
    pins = {b.code for b in backups}
    assert len(pins) == 5 and all(len(pin) == 8 for pin in pins)
    reservation_id = stay["reservation"]["reservation_id"]

    answers = every_answer(client, key, door, reservation_id, pins)
    assert all('"ok":true' in a for a in answers[:-5])
    assert all('"access_code_not_found"' in a for a in answers[-5:])  # not found by its PIN
    assert [pin for pin in pins if any(pin in answer for answer in answers)] == []

    given = raw(client, key, "reservations/give_backup", reservation_id=reservation_id)
    [pulled] = [pin for pin in pins if pin in given]
    answers = every_answer(client, key, door, reservation_id, pins)
    assert [pin for pin in pins if any(pin in answer for answer in answers)] == [pulled]
