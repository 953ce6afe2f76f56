"""reservations/create, get, update, cancel, check_out, new_pin: a PMS drives guest codes."""

from datetime import datetime

from django.utils import timezone

from locks import simulator
from locks.models import AccessCode
from reservations.models import Reservation
from tests import factories
from tests.locks.seam_api import call, reconcile, seam_client
from tests.reservations import reservations_api
from tests.reservations.reservations_api import (
    booked,
    created,
    in_minutes,
    iso,
    lisbon,
    next_year,
    pins_on,
    update,
)

key = reservations_api.key  # the hotel is in Portugal


def guest_codes(reservation_id) -> list[AccessCode]:
    return list(AccessCode.objects.filter(reservation_id=reservation_id, deleted_at__isnull=True))


# --- create ------------------------------------------------------------------------------------


def test_dates_alone_mean_the_propertys_default_times_in_summer(client, key, room, lock):
    stay = created(client, key, room)
    assert stay["check_in"] == lisbon(next_year(7, 1), 15) == f"{next_year(7, 1)}T14:00:00Z"
    assert stay["check_out"] == lisbon(next_year(7, 4), 11) == f"{next_year(7, 4)}T10:00:00Z"
    assert stay["status"] == "confirmed" and stay["source"] == "api"
    assert stay["unit_id"] == room.pk and stay["property_id"] == room.property_id


def test_dates_alone_follow_the_winter_clock_too(client, key, room, lock):
    stay = booked(client, key, room, next_year(1, 10), next_year(1, 12))
    assert stay["check_in"] == f"{next_year(1, 10)}T15:00:00Z"
    assert stay["check_out"] == f"{next_year(1, 12)}T11:00:00Z"


def test_it_takes_times_with_their_offsets_and_mixes_them_with_dates(client, key, room, lock):
    day = next_year(7, 1)
    stay = created(client, key, room, check_in=f"{day}T16:30:00+01:00", check_out="2099-01-02")
    assert stay["check_in"] == f"{day}T15:30:00Z"
    assert stay["check_out"] == "2099-01-02T11:00:00Z"


def test_a_new_stay_gets_one_pin_on_its_door_scheduled_for_its_window(client, key, room, lock):
    stay = created(client, key, room, guests=2, email="anna@example.com", notes="Late arrival")
    code = stay["guest_code"]
    assert code["code"].isdigit() and len(code["code"]) >= 4
    assert code["state"] == "scheduled"
    assert code["message"].startswith("Goes on the doors at ")
    assert (code["starts_at"], code["ends_at"]) == (stay["check_in"], stay["check_out"])
    [door] = code["doors"]
    [row] = guest_codes(stay["reservation_id"])
    assert door == {
        "device_id": str(lock.public_id),
        "display_name": "Room 101 door",
        "access_code_id": str(row.pk),
        "status": "unset",
        "errors": [],
        "warnings": [],
        "backup_access_code_id": None,
    }
    assert row.code == code["code"] and row.type == "time_bound"
    assert (stay["guests"], stay["email"], stay["notes"]) == (2, "anna@example.com", "Late arrival")


def test_the_same_pin_goes_on_the_propertys_shared_doors(client, key, owner, hotel, room, lock):
    entrance = factories.simulated_lock(
        owner=owner, property=hotel, name="Street entrance", now=timezone.now()
    )
    stay = created(client, key, room)
    doors = stay["guest_code"]["doors"]
    # The room's own door first, then the shared ones.
    assert [d["device_id"] for d in doors] == [str(lock.public_id), str(entrance.public_id)]
    assert {c.code for c in guest_codes(stay["reservation_id"])} == {stay["guest_code"]["code"]}


def test_it_reads_a_local_phone_number_as_one_of_the_propertys_country(client, key, room, lock):
    stay = created(client, key, room, phone="912 345 678")
    assert stay["phone"] == "+351912345678"


def test_pushing_the_same_external_id_again_updates_the_stay(client, key, room, lock):
    first = created(client, key, room, external_id="RES-1", phone="+351912345678")
    second = created(
        client,
        key,
        room,
        external_id="RES-1",
        guest_name="Anna Smith-Jones",
        check_out=next_year(7, 6).isoformat(),
    )
    assert second["reservation_id"] == first["reservation_id"]
    assert Reservation.objects.count() == 1
    assert second["guest_name"] == "Anna Smith-Jones"
    assert second["check_out"] == lisbon(next_year(7, 6), 11)
    # What the second push left out stays as it was.
    assert second["phone"] == "+351912345678"
    assert second["guest_code"]["code"] == first["guest_code"]["code"]
    [row] = guest_codes(first["reservation_id"])
    assert iso(row.ends_at) == iso(Reservation.objects.get().check_out)


def test_pushing_a_cancelled_stay_again_brings_it_back(client, key, room, lock):
    stay = created(client, key, room, external_id="RES-1")
    call(client, "POST", "reservations/cancel", key, {"reservation_id": stay["reservation_id"]})
    again = created(client, key, room, external_id="RES-1")
    assert again["reservation_id"] == stay["reservation_id"]
    assert again["status"] == "confirmed" and again["guest_code"]["state"] == "scheduled"
    assert len(guest_codes(stay["reservation_id"])) == 1


def test_an_overlapping_stay_from_the_api_is_kept_and_flagged(client, key, room, lock):
    first = created(client, key, room)
    second = created(
        client, key, room, guest_name="Ben Jones", check_in=next_year(7, 3).isoformat()
    )
    assert second["has_conflict"] is True
    _, got = call(client, "GET", "reservations/get", key, reservation_id=first["reservation_id"])
    assert got["reservation"]["has_conflict"] is True


def test_back_to_back_stays_are_no_conflict(client, key, room, lock):
    created(client, key, room)
    second = booked(client, key, room, next_year(7, 4), next_year(7, 6))
    assert second["has_conflict"] is False


# --- get ---------------------------------------------------------------------------------------


def test_it_gets_a_stay_by_id_and_by_external_id(client, key, room, lock):
    stay = created(client, key, room, external_id="RES-7")
    by_id = call(client, "GET", "reservations/get", key, reservation_id=stay["reservation_id"])
    by_ref = call(client, "POST", "reservations/get", key, {"external_id": "RES-7"})
    assert by_id == by_ref == (200, {"reservation": stay, "ok": True})


def test_a_code_on_every_door_reads_ready(client, key, room, lock):
    stay = created(client, key, room, check_in=iso(in_minutes(10)), check_out=iso(in_minutes(600)))
    reconcile()
    _, got = call(client, "GET", "reservations/get", key, reservation_id=stay["reservation_id"])
    code = got["reservation"]["guest_code"]
    assert code["state"] == "ready" and code["message"] == "The code is on every door."
    assert [d["status"] for d in code["doors"]] == ["set"]
    assert pins_on(lock) == {code["code"]}


def test_an_offline_door_puts_the_code_at_risk_and_says_which(client, key, room, lock):
    stay = created(client, key, room)
    simulator.simulated_set_online(lock=lock, online=False, now=timezone.now())
    reconcile()
    _, got = call(client, "GET", "reservations/get", key, reservation_id=stay["reservation_id"])
    code = got["reservation"]["guest_code"]
    assert (code["state"], code["message"]) == ("at_risk", "Room 101 door is offline.")


def test_a_unit_without_locks_has_no_code_yet_and_says_so(client, key, hotel):
    cottage = factories.UnitFactory(property=hotel, name="Garden room")
    code = created(client, key, cottage)["guest_code"]
    assert code == {
        "code": None,
        "state": "none",
        "message": "No smart lock for this stay: Garden room needs a key.",
        "starts_at": code["starts_at"],
        "ends_at": code["ends_at"],
        "doors": [],
    }


# --- update ------------------------------------------------------------------------------------


def test_new_dates_move_the_window_and_keep_the_pin(client, key, room, lock):
    stay = created(client, key, room)
    [before] = guest_codes(stay["reservation_id"])
    status, body = update(
        client,
        key,
        stay,
        check_in=next_year(7, 2).isoformat(),
        check_out=f"{next_year(7, 5)}T12:00:00+01:00",
    )
    assert status == 200
    moved = body["reservation"]
    assert moved["check_in"] == lisbon(next_year(7, 2), 15)
    assert moved["check_out"] == f"{next_year(7, 5)}T11:00:00Z"
    assert moved["guest_code"]["code"] == stay["guest_code"]["code"]
    [after] = guest_codes(stay["reservation_id"])
    assert after.pk == before.pk and after.code == before.code
    assert (iso(after.starts_at), iso(after.ends_at)) == (
        iso(Reservation.objects.get().check_in),
        iso(Reservation.objects.get().check_out),
    )


def test_update_changes_only_what_it_is_given(client, key, room, lock):
    stay = created(client, key, room, phone="+351912345678", guests=2)
    _, body = call(
        client,
        "POST",
        "reservations/update",
        key,
        {"reservation_id": stay["reservation_id"], "guest_name": "Anna Jones", "notes": "VIP"},
    )
    changed = body["reservation"]
    assert (changed["guest_name"], changed["notes"]) == ("Anna Jones", "VIP")
    assert (changed["phone"], changed["guests"]) == ("+351912345678", 2)
    assert (changed["check_in"], changed["check_out"]) == (stay["check_in"], stay["check_out"])


def test_a_new_unit_moves_the_code_to_its_door(client, key, owner, hotel, room, lock):
    suite = factories.UnitFactory(property=hotel, name="Suite 1")
    suite_door = factories.simulated_lock(
        owner=owner, property=hotel, unit=suite, name="Suite 1 door", now=timezone.now()
    )
    stay = created(client, key, room)
    _, body = update(client, key, stay, unit_id=suite.pk)
    moved = body["reservation"]
    assert moved["unit_id"] == suite.pk
    assert [d["device_id"] for d in moved["guest_code"]["doors"]] == [str(suite_door.public_id)]
    assert [c.lock for c in guest_codes(stay["reservation_id"])] == [suite_door]


# --- cancel, check out, new PIN ----------------------------------------------------------------


def test_cancelling_takes_the_code_off_every_door(client, key, room, lock):
    stay = created(client, key, room, check_in=iso(in_minutes(10)), check_out=iso(in_minutes(600)))
    reconcile()
    assert pins_on(lock) == {stay["guest_code"]["code"]}
    status, body = call(
        client, "POST", "reservations/cancel", key, {"reservation_id": stay["reservation_id"]}
    )
    assert status == 200
    cancelled = body["reservation"]
    assert cancelled["status"] == "cancelled" and cancelled["cancelled_at"] is not None
    assert cancelled["guest_code"]["state"] == "ended"
    assert [d["status"] for d in cancelled["guest_code"]["doors"]] == ["removing"]
    assert guest_codes(stay["reservation_id"]) == []
    reconcile()
    assert pins_on(lock) == set()


def test_cancelling_twice_is_harmless(client, key, room, lock):
    stay = created(client, key, room)
    body = {"reservation_id": stay["reservation_id"]}
    first = call(client, "POST", "reservations/cancel", key, body)
    second = call(client, "POST", "reservations/cancel", key, body)
    assert first == second and first[0] == 200


def test_checking_out_early_ends_the_code_now(client, key, room, lock):
    stay = created(
        client, key, room, check_in=iso(in_minutes(-60)), check_out=iso(in_minutes(60 * 24))
    )
    reconcile()
    assert pins_on(lock) == {stay["guest_code"]["code"]}
    before = timezone.now()
    status, body = call(
        client, "POST", "reservations/check_out", key, {"reservation_id": stay["reservation_id"]}
    )
    assert status == 200
    left = body["reservation"]
    assert before <= datetime.fromisoformat(left["checked_out_at"]) <= timezone.now()
    assert left["guest_code"]["state"] == "ended"
    reconcile()
    assert pins_on(lock) == set()


def test_a_new_pin_replaces_the_old_one_on_every_door(client, key, room, lock):
    stay = created(client, key, room, check_in=iso(in_minutes(10)), check_out=iso(in_minutes(600)))
    reconcile()
    status, body = call(
        client, "POST", "reservations/new_pin", key, {"reservation_id": stay["reservation_id"]}
    )
    assert status == 200
    new_pin = body["reservation"]["guest_code"]["code"]
    assert new_pin != stay["guest_code"]["code"]
    assert [c.code for c in guest_codes(stay["reservation_id"])] == [new_pin]
    reconcile()
    assert pins_on(lock) == {new_pin}


# --- Seam's SDK --------------------------------------------------------------------------------


def test_an_sdk_user_can_push_and_list_stays_with_the_raw_client(key, room, lock):
    with seam_client(key, wait_for_action_attempt=False) as seam:
        body = seam.client.post(
            "/reservations/create",
            json={
                "unit_id": room.pk,
                "guest_name": "Anna Smith",
                "check_in": next_year(7, 1).isoformat(),
                "check_out": next_year(7, 4).isoformat(),
                "external_id": "PMS-42",
            },
        )
        assert body["ok"] is True and body["reservation"]["external_id"] == "PMS-42"
        listed = seam.client.get("/reservations/list", params={"unit_id": room.pk})
        [stay] = listed["reservations"]
        assert stay["reservation_id"] == body["reservation"]["reservation_id"]
        door = stay["guest_code"]["doors"][0]
        code = seam.access_codes.get(access_code_id=door["access_code_id"])
        assert code.code == stay["guest_code"]["code"] and code.device_id == door["device_id"]


def test_a_code_that_is_due_but_not_yet_on_the_door_reads_programming(client, key, room, lock):
    # Writes answer at once; the reconciler programs the doors afterwards.
    stay = created(client, key, room, check_in=iso(in_minutes(5)), check_out=iso(in_minutes(90)))
    assert [d["status"] for d in stay["guest_code"]["doors"]] == ["unset"]
    assert stay["guest_code"]["state"] == "programming"
    assert pins_on(lock) == set()
