"""Two simultaneous first pushes of one stay make one stay, and both answer 200 (PostgreSQL).

A property-management system that retries a slow `reservations/create` sends the same
`external_id` twice at once. SQLite serialises writers, so the race cannot happen there; CI runs
this file again on PostgreSQL (`make test-postgres`), where it must pass, never skip.
"""

import json

from django.test import Client

from locks.models import AccessCode
from reservations.models import Reservation
from tests import factories
from tests.race import at_once, on_postgresql
from tests.reservations.reservations_api import key, next_year

pytestmark = on_postgresql("two pushes cannot race")

key = key  # the hotel is in Portugal

ROUNDS = 3  # each a fresh external_id: the race is lost or won anew each time


def push_at_once(key, external_id: str, pushes: list[tuple]) -> list:
    """`reservations/create` of one stay, sent once per (unit, guest name) at the same instant."""

    def push(n):
        unit, guest_name = pushes[n]
        body = {
            "unit_id": unit.pk,
            "external_id": external_id,
            "guest_name": guest_name,
            "check_in": next_year(7, 1).isoformat(),
            "check_out": next_year(7, 4).isoformat(),
        }
        response = Client().post(
            "/api/reservations/create",
            data=json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
        )
        return response.status_code, response.json()

    answers, finished = at_once(len(pushes), push)
    assert finished
    return answers


def assert_one_stay(answers, external_id: str) -> Reservation:
    assert [status for status, _ in answers] == [200, 200], answers
    ids = {body["reservation"]["reservation_id"] for _, body in answers}
    assert len(ids) == 1, "both pushes answer the same stay"
    stay = Reservation.objects.get(external_id=external_id)
    codes = AccessCode.objects.filter(reservation=stay, deleted_at__isnull=True)
    assert codes.count() == 1, "one guest code, on the door of the stay's room"
    return stay


def test_simultaneous_first_pushes_of_a_stay_make_one_stay_and_both_answer_200(key, room, lock):
    for round in range(ROUNDS):
        external_id = f"HM-{round}"
        pushes = [(room, "Anna Smith"), (room, "Anna Smith-Jones")]

        stay = assert_one_stay(push_at_once(key, external_id, pushes), external_id)

        assert stay.guest_name in ("Anna Smith", "Anna Smith-Jones")


def test_simultaneous_first_pushes_naming_two_rooms_make_one_stay_in_one_of_them(
    owner, hotel, key, room, lock, t0
):
    """The system moved the guest while it retried: one stay, in whichever room came last."""
    other_room = factories.UnitFactory(property=hotel, name="Room 102")
    factories.simulated_lock(
        owner=owner, property=hotel, unit=other_room, name="Room 102 door", now=t0
    )
    for round in range(ROUNDS):
        external_id = f"HM-moved-{round}"
        pushes = [(room, "Anna Smith"), (other_room, "Anna Smith")]

        stay = assert_one_stay(push_at_once(key, external_id, pushes), external_id)

        assert stay.unit in (room, other_room)
