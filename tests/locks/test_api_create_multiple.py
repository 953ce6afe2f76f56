"""One PIN on several doors through Seam's own SDK: access_codes/create_multiple and
update_multiple (Seam's linked access codes)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from seam.exceptions import SeamHttpApiError, SeamHttpInvalidInputError

from locks import pins
from locks.access_codes import access_code_create
from locks.models import AccessCode, SimulatedDevice
from reservations.stays import reservation_create
from tests import factories
from tests.locks.seam_api import call, reconcile


def pins_on(lock) -> set[str]:
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    return set(device.codes.values_list("code", flat=True))


@pytest.fixture
def entrance(owner, hotel, t0):
    """The building's entrance: a shared door with the same keypad as Room 101's."""
    return factories.simulated_lock(owner=owner, property=hotel, name="Entrance", now=t0)


@pytest.fixture
def lever(owner, hotel, t0):
    """A strict lever lock: 6 digits only, no zeros, no runs, at least three digits."""
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Spa door", now=t0, model="strict"
    )


@pytest.fixture
def four_only(owner, hotel, t0):
    """A lock that takes 4 digits only: it can share no PIN with the lever lock."""
    return factories.simulated_lock(
        owner=owner, property=hotel, name="Garage", now=t0, supported_code_lengths=[4]
    )


def ids(*locks) -> list[str]:
    return [str(lock.public_id) for lock in locks]


def window(days: int = 1) -> dict:
    start = timezone.now() + timedelta(hours=1)
    return {
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(days=days)).isoformat(),
    }


def test_one_pin_goes_on_every_door_linked_by_one_key(seam, lock, entrance):
    codes = seam.access_codes.create_multiple(device_ids=ids(lock, entrance), name="Anna Smith")

    assert [c.device_id for c in codes] == ids(lock, entrance)
    assert codes[0].code == codes[1].code
    key = codes[0].common_code_key
    assert key.startswith("auto_set_by_create_multiple_") and codes[1].common_code_key == key
    assert {c.name for c in codes} == {"Anna Smith"}
    reconcile()
    assert codes[0].code in pins_on(lock) and codes[0].code in pins_on(entrance)
    got = seam.access_codes.get(access_code_id=codes[1].access_code_id)
    assert (got.status, got.common_code_key) == ("set", key)


def test_the_shared_pin_fits_the_strictest_door(seam, lock, lever):
    codes = seam.access_codes.create_multiple(
        device_ids=ids(lock, lever), preferred_code_length=4, **window()
    )

    pin = codes[0].code
    assert codes[1].code == pin and len(pin) == 6  # the lever takes 6 digits only
    assert not pins.pin_violations(pin, [6], lever.code_constraints)
    assert {c.type for c in codes} == {"time_bound"}


def test_a_given_pin_goes_on_every_door_unlinked_as_on_seam(seam, lock, entrance):
    codes = seam.access_codes.create_multiple(device_ids=ids(lock, entrance), code="5927")

    assert [c.code for c in codes] == ["5927", "5927"]
    assert [c.common_code_key for c in codes] == [None, None]


def test_a_pin_taken_on_one_door_creates_nothing_by_default(seam, lock, entrance):
    access_code_create(lock=entrance, now=timezone.now(), code="5927")
    before = AccessCode.objects.count()

    with pytest.raises(SeamHttpApiError) as exc:
        seam.access_codes.create_multiple(device_ids=ids(lock, entrance), code="5927")

    assert (exc.value.status_code, exc.value.code) == (409, "duplicate_access_code")
    assert "Entrance" in str(exc.value) and "5927" not in str(exc.value)
    assert AccessCode.objects.count() == before  # not even on Room 101's door


def test_doors_that_share_no_code_length_create_nothing_by_default(seam, four_only, lever):
    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.access_codes.create_multiple(
            device_ids=ids(four_only, lever), behavior_when_code_cannot_be_shared="throw"
        )

    assert exc.value.get_validation_error_messages("device_ids")
    assert "create_random_code" in str(exc.value)
    assert not AccessCode.objects.filter(lock__in=[four_only, lever]).exists()


def test_create_random_code_gives_the_odd_door_a_pin_of_its_own(seam, lock, four_only, lever):
    codes = seam.access_codes.create_multiple(
        device_ids=ids(lock, four_only, lever),
        behavior_when_code_cannot_be_shared="create_random_code",
    )

    room, garage, spa = codes
    # Room 101 and the garage share 4 digits; the lever needs 6, so it gets its own.
    assert room.code == garage.code and len(room.code) == 4
    assert len(spa.code) == 6 and spa.code != room.code
    # All three still move together with update_multiple.
    assert len({c.common_code_key for c in codes}) == 1 and room.common_code_key


def test_create_random_code_replaces_a_given_pin_only_where_it_is_taken(seam, lock, entrance):
    access_code_create(lock=entrance, now=timezone.now(), code="5927")

    room, door = seam.access_codes.create_multiple(
        device_ids=ids(lock, entrance),
        code="5927",
        behavior_when_code_cannot_be_shared="create_random_code",
    )

    assert room.code == "5927" and door.code != "5927"


def test_a_weak_pin_is_refused_whatever_the_behaviour(seam, lock, entrance):
    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.access_codes.create_multiple(
            device_ids=ids(lock, entrance),
            code="1234",
            behavior_when_code_cannot_be_shared="create_random_code",
        )
    assert exc.value.get_validation_error_messages("code")
    assert not AccessCode.objects.exists()


def test_an_unknown_or_another_owners_device_answers_404_and_creates_nothing(
    seam, lock, other_lock
):
    for device_id in (str(other_lock.public_id), "a1b2c3d4-0000-4000-8000-000000000000", "x"):
        with pytest.raises(SeamHttpApiError) as exc:
            seam.access_codes.create_multiple(device_ids=[str(lock.public_id), device_id])
        assert (exc.value.status_code, exc.value.code) == (404, "device_not_found")
    assert not AccessCode.objects.exists()


def test_a_bad_window_creates_nothing(seam, lock, entrance):
    start = timezone.now() + timedelta(days=1)
    with pytest.raises(SeamHttpInvalidInputError):
        seam.access_codes.create_multiple(
            device_ids=ids(lock, entrance),
            starts_at=start.isoformat(),
            ends_at=(start - timedelta(hours=1)).isoformat(),
        )
    assert not AccessCode.objects.exists()


def test_post_works_as_put_and_answers_each_codes_action_attempt(client, key, lock, entrance):
    status, body = call(
        client, "POST", "access_codes/create_multiple", key, {"device_ids": ids(lock, entrance)}
    )

    assert status == 200 and len(body["access_codes"]) == 2
    assert [a["action_type"] for a in body["action_attempts"]] == ["CREATE_ACCESS_CODE"] * 2


def test_update_multiple_moves_every_linked_codes_window_and_name(seam, lock, entrance):
    codes = seam.access_codes.create_multiple(device_ids=ids(lock, entrance))
    reconcile()
    assert codes[0].code in pins_on(lock) & pins_on(entrance)
    later = timezone.now() + timedelta(days=3)

    seam.access_codes.update_multiple(
        common_code_key=codes[0].common_code_key,
        name="Anna Smith (late)",
        starts_at=later.isoformat(),
        ends_at=(later + timedelta(days=2)).isoformat(),
    )

    for code in codes:
        got = seam.access_codes.get(access_code_id=code.access_code_id)
        assert got.name == "Anna Smith (late)"
        assert got.starts_at.startswith(later.strftime("%Y-%m-%dT%H:%M"))
        assert got.code == code.code
    reconcile()
    # The new window starts in three days: the locks give the PIN up meanwhile.
    assert codes[0].code not in pins_on(lock) | pins_on(entrance)


def test_update_multiple_changes_all_or_none(seam, lock, entrance):
    codes = seam.access_codes.create_multiple(device_ids=ids(lock, entrance))  # ongoing
    with pytest.raises(SeamHttpInvalidInputError):
        # An ongoing code cannot take a start without an end.
        seam.access_codes.update_multiple(
            common_code_key=codes[0].common_code_key, name="New", starts_at=window()["starts_at"]
        )
    assert set(AccessCode.objects.values_list("name", flat=True)) == {""}


def test_update_multiple_with_an_unknown_key_answers_404(seam, lock, other_lock):
    foreign = seam.access_codes.create_multiple(device_ids=ids(lock))[0].common_code_key
    AccessCode.objects.update(owner=other_lock.owner)  # now another owner's code

    for key in ("auto_set_by_create_multiple_nothing", foreign):
        with pytest.raises(SeamHttpApiError) as exc:
            seam.access_codes.update_multiple(common_code_key=key, name="x")
        assert (exc.value.status_code, exc.value.code) == (404, "access_code_not_found")


def test_a_stays_guest_codes_are_changed_through_the_stay(seam, owner, room, lock):
    now = timezone.now()
    reservation_create(
        owner=owner,
        unit=room,
        guest_name="Anna Smith",
        check_in=now + timedelta(days=1),
        check_out=now + timedelta(days=3),
        now=now,
    )
    guest_code = AccessCode.objects.get(kind=AccessCode.Kind.GUEST)

    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.access_codes.update_multiple(common_code_key=guest_code.common_code_key, name="x")

    assert "reservations/update" in str(exc.value)


@pytest.mark.parametrize("pin", ["59a7", "²³⁴⁵", "٣٤٥٦"])
def test_a_pin_of_anything_but_the_digits_0_to_9_is_refused(seam, lock, entrance, pin):
    for create in (
        lambda: seam.access_codes.create_multiple(device_ids=ids(lock, entrance), code=pin),
        lambda: seam.access_codes.create(device_id=str(lock.public_id), code=pin),
    ):
        with pytest.raises(SeamHttpInvalidInputError) as exc:
            create()
        assert "digits only (0 to 9)" in str(exc.value)
    assert not AccessCode.objects.exists()
