"""The rest of Seam's dialect through Seam's own SDK: unmanaged/update, events/get,
action_attempts/list, devices/update with custom_metadata, connected accounts."""

import pytest
from django.utils import timezone
from seam import NULL
from seam.exceptions import SeamHttpApiError, SeamHttpInvalidInputError

from locks import simulator
from locks.access_codes import access_code_create
from locks.models import AccessCode, Event
from tests import factories
from tests.locks.seam_api import call, reconcile


def found_on(lock, pin: str) -> AccessCode:
    simulator.simulated_add_unmanaged_code(lock=lock, code=pin, name="Gardener", now=timezone.now())
    reconcile()
    return AccessCode.objects.get(lock=lock, code=pin, is_managed=False, removed_at__isnull=True)


# --- access_codes/unmanaged/update ---------------------------------------------------------------


def test_unmanaged_update_with_is_managed_takes_the_code_over(seam, lock):
    code = found_on(lock, "5927")

    seam.access_codes.unmanaged.update(
        access_code_id=str(code.pk), is_managed=True, is_external_modification_allowed=True
    )

    managed = seam.access_codes.get(access_code_id=str(code.pk))
    assert (managed.is_managed, managed.code, managed.is_external_modification_allowed) == (
        True,
        "5927",
        True,
    )
    assert seam.access_codes.unmanaged.list(device_id=str(lock.public_id)) == []


def test_unmanaged_update_without_is_managed_keeps_it_unmanaged(seam, lock):
    code = found_on(lock, "5927")

    seam.access_codes.unmanaged.update(
        access_code_id=str(code.pk), is_managed=False, allow_external_modification=True
    )

    assert seam.access_codes.unmanaged.get(access_code_id=str(code.pk)).is_managed is False
    # The choice holds once it is taken over.
    seam.access_codes.unmanaged.convert_to_managed(access_code_id=str(code.pk))
    assert seam.access_codes.get(access_code_id=str(code.pk)).is_external_modification_allowed


# --- events/get and action_attempts/list ---------------------------------------------------------


def test_an_event_is_got_by_id_or_as_a_devices_latest(seam, lock):
    code, _ = access_code_create(lock=lock, now=timezone.now(), code="5927")
    created = Event.objects.get(event_type="access_code.created", access_code=code)

    by_id = seam.events.get(event_id=str(created.pk))
    assert (by_id.event_type, by_id.access_code_id) == ("access_code.created", str(code.pk))
    latest = seam.events.get(device_id=str(lock.public_id), event_type="access_code.created")
    assert latest.event_id == str(created.pk)


def test_action_attempts_are_listed_by_id_and_other_owners_are_left_out(seam, lock, other_lock):
    now = timezone.now()
    _, mine = access_code_create(lock=lock, now=now, code="5927")
    _, theirs = access_code_create(lock=other_lock, now=now, code="5927")

    listed = seam.action_attempts.list(action_attempt_ids=[str(mine.pk), str(theirs.pk)])

    assert [a.action_attempt_id for a in listed] == [str(mine.pk)]
    assert [a.action_attempt_id for a in seam.action_attempts.list(device_id=str(lock.public_id))]


# --- devices/update and custom_metadata ----------------------------------------------------------


def test_a_devices_name_and_custom_metadata_come_back_on_get_and_list(seam, lock):
    seam.devices.update(
        device_id=str(lock.public_id),
        name="Room 101 (sea view)",
        custom_metadata={"listing_id": "L-12", "cleaned": True},
    )
    seam.devices.update(device_id=str(lock.public_id), custom_metadata={"floor": "1"})

    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.display_name == "Room 101 (sea view)"
    assert device.custom_metadata == {"listing_id": "L-12", "cleaned": True, "floor": "1"}
    [listed] = seam.devices.list()
    assert listed.custom_metadata == device.custom_metadata

    # null (or "") removes a key, and only that key.
    seam.devices.update(device_id=str(lock.public_id), custom_metadata={"floor": None})
    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.custom_metadata == {"listing_id": "L-12", "cleaned": True}


def test_devices_list_filters_by_custom_metadata(seam, owner, hotel, lock, t0):
    entrance = factories.simulated_lock(owner=owner, property=hotel, name="Entrance", now=t0)
    seam.devices.update(device_id=str(lock.public_id), custom_metadata={"listing": "L-12"})
    seam.devices.update(
        device_id=str(entrance.public_id), custom_metadata={"listing": "L-12", "shared": True}
    )

    def listed(**has):
        return sorted(d.display_name for d in seam.devices.list(custom_metadata_has=has))

    assert listed(listing="L-12") == ["Entrance", "Room 101 door"]
    assert listed(listing="L-12", shared=True) == ["Entrance"]
    assert listed(shared=NULL) == ["Room 101 door"]  # null: the key is unset
    assert listed(listing="L-99") == []
    # A key is data, never a lookup.
    seam.devices.update(device_id=str(lock.public_id), custom_metadata={"a__gt": "b"})
    assert listed(a__gt="b") == ["Room 101 door"] and listed(a__gt="a") == []
    # The same through a JSON body, where true is a boolean.
    answer = seam.client.post("/devices/list", json={"custom_metadata_has": {"shared": True}})
    assert [d["display_name"] for d in answer["devices"]] == ["Entrance"]


@pytest.mark.parametrize(
    "metadata, says",
    [
        ({"listing.id": "L-12"}, "period"),
        ({"x" * 41: "L-12"}, "40 characters"),
        ({"rooms": 3}, "string or a boolean"),
        ({"notes": "x" * 501}, "500 characters"),
        ({f"k{n}": "v" for n in range(51)}, "at most 50"),
    ],
)
def test_custom_metadata_seam_would_refuse_is_refused_and_nothing_changes(
    seam, lock, metadata, says
):
    seam.devices.update(device_id=str(lock.public_id), custom_metadata={"keep": "me"})

    with pytest.raises(SeamHttpInvalidInputError) as exc:
        seam.devices.update(device_id=str(lock.public_id), name="Renamed", custom_metadata=metadata)

    assert says in str(exc.value)
    assert exc.value.get_validation_error_messages("custom_metadata")
    device = seam.devices.get(device_id=str(lock.public_id))
    assert (device.display_name, device.custom_metadata) == ("Room 101 door", {"keep": "me"})


def test_a_device_cannot_lose_its_name_or_stop_being_managed(seam, lock):
    with pytest.raises(SeamHttpInvalidInputError):
        seam.devices.update(device_id=str(lock.public_id), name="  ")
    with pytest.raises(SeamHttpInvalidInputError):
        seam.devices.update(device_id=str(lock.public_id), is_managed=False)
    assert seam.devices.get(device_id=str(lock.public_id)).display_name == "Room 101 door"


def test_devices_update_turns_the_backup_pool_on(seam, lock):
    seam.devices.update(device_id=str(lock.public_id), backup_access_code_pool_enabled=True)
    device = seam.devices.get(device_id=str(lock.public_id))
    assert device.properties.backup_access_code_pool_enabled is True


# --- connected accounts --------------------------------------------------------------------------


def test_connected_accounts_are_the_owners_driver_accounts(seam, lock, other_lock):
    [account] = seam.connected_accounts.list()

    assert account.account_type == "simulated"
    assert account.display_name == "Simulated hub"
    assert account.errors == [] and account.custom_metadata == {}
    assert account.connected_account_id == str(lock.account_id)
    got = seam.connected_accounts.get(connected_account_id=account.connected_account_id)
    assert got.connected_account_id == account.connected_account_id
    assert seam.devices.get(device_id=str(lock.public_id)).connected_account_id == str(
        lock.account_id
    )


# --- unknown ids: Seam's not-found types, which the SDK raises as SeamHttpApiError ---------------

UNKNOWN = "a1b2c3d4-0000-4000-8000-000000000000"


def _calls(seam, other_lock):
    """Each endpoint that looks something up, asked for something that is not the key's."""
    foreign_account = str(other_lock.account_id)
    foreign_device = str(other_lock.public_id)
    return {
        "access_codes.get": (
            lambda: seam.access_codes.get(access_code_id=UNKNOWN),
            "access_code_not_found",
        ),
        "access_codes.update": (
            lambda: seam.access_codes.update(access_code_id=UNKNOWN, name="x"),
            "access_code_not_found",
        ),
        "access_codes.delete": (
            lambda: seam.access_codes.delete(access_code_id="not-an-id"),
            "access_code_not_found",
        ),
        "access_codes.pull_backup_access_code": (
            lambda: seam.access_codes.pull_backup_access_code(access_code_id=UNKNOWN),
            "access_code_not_found",
        ),
        "access_codes.update_multiple": (
            lambda: seam.access_codes.update_multiple(common_code_key="nope", name="x"),
            "access_code_not_found",
        ),
        "access_codes.unmanaged.get": (
            lambda: seam.access_codes.unmanaged.get(access_code_id=UNKNOWN),
            "access_code_not_found",
        ),
        "access_codes.unmanaged.update": (
            lambda: seam.access_codes.unmanaged.update(access_code_id=UNKNOWN, is_managed=True),
            "access_code_not_found",
        ),
        "access_codes.create_multiple": (
            lambda: seam.access_codes.create_multiple(device_ids=[foreign_device]),
            "device_not_found",
        ),
        "devices.get": (lambda: seam.devices.get(device_id=foreign_device), "device_not_found"),
        "devices.update": (
            lambda: seam.devices.update(device_id=UNKNOWN, name="x"),
            "device_not_found",
        ),
        "events.get": (lambda: seam.events.get(event_id=UNKNOWN), "event_not_found"),
        "action_attempts.get": (
            lambda: seam.action_attempts.get(action_attempt_id=UNKNOWN),
            "action_attempt_not_found",
        ),
        "action_attempts.list": (
            lambda: seam.action_attempts.list(action_attempt_ids=[UNKNOWN]),
            "action_attempts_not_found",
        ),
        "connected_accounts.get": (
            lambda: seam.connected_accounts.get(connected_account_id=foreign_account),
            "connected_account_not_found",
        ),
    }


CALLS = [
    "access_codes.get",
    "access_codes.update",
    "access_codes.delete",
    "access_codes.pull_backup_access_code",
    "access_codes.update_multiple",
    "access_codes.unmanaged.get",
    "access_codes.unmanaged.update",
    "access_codes.create_multiple",
    "devices.get",
    "devices.update",
    "events.get",
    "action_attempts.get",
    "action_attempts.list",
    "connected_accounts.get",
]


@pytest.mark.parametrize("name", CALLS)
def test_an_unknown_id_raises_the_sdks_api_error_with_seams_not_found_type(
    seam, lock, other_lock, name
):
    run, expected = _calls(seam, other_lock)[name]

    with pytest.raises(SeamHttpApiError) as exc:
        run()

    # Not an input error: the SDK maps only `invalid_input` to SeamHttpInvalidInputError.
    assert not isinstance(exc.value, SeamHttpInvalidInputError)
    assert (exc.value.status_code, exc.value.code) == (404, expected)


def test_connected_account_ids_that_are_no_number_are_not_found(client, key):
    for account_id in ("abc", "9" * 30, "-1"):
        status, body = call(
            client, "GET", "connected_accounts/get", key, connected_account_id=account_id
        )
        assert (status, body["error"]["type"]) == (404, "connected_account_not_found")
