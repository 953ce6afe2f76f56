"""Every dashboard URL that names Seaside's objects: as charlie (Hilltop's manager), 404."""

import pytest
from django.urls import resolve, reverse

from locks import access_codes, devices, simulator
from locks.models import AccessCode, ApiKey, DiscoveredDevice, SimulatedDevice
from locks.remote import UNLOCK_REASONS
from locks.tenancy import services as tenancy
from locks.urls import urlpatterns
from reservations.models import EntryAlert
from tests.reservations.front_desk import book


@pytest.fixture
def seaside_urls(owner, lock, t0):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    key, _ = tenancy.api_key_create(owner=owner, name="PMS")
    hub = simulator.simulated_hub(owner)
    simulator.simulated_device_create(owner=owner, name="Garden gate")
    devices.account_discover(account=hub, now=t0)
    new = DiscoveredDevice.objects.get(name="Garden gate")
    on_lock = [lock.pk]
    on_code = [lock.pk, code.pk]
    on_device = [new.pk]
    stay = book(owner, lock.unit, t0, check_in=t0)
    lockout = EntryAlert.objects.create(
        owner=owner, reservation=stay, lock=lock, kind="lockout", raised_at=t0, last_attempt_at=t0
    )
    return [
        ("get", reverse("lock_detail", args=on_lock)),
        ("get", reverse("lock_edit", args=on_lock)),
        ("post", reverse("lock_edit", args=on_lock)),
        ("post", reverse("lock_check", args=on_lock)),
        ("post", reverse("keypad_try", args=on_lock)),
        ("get", reverse("lock_unlock", args=on_lock)),
        ("post", reverse("lock_unlock", args=on_lock)),
        ("get", reverse("lock_entries_csv", args=on_lock)),
        ("post", reverse("code_create", args=on_lock)),
        ("post", reverse("code_revoke", args=on_code)),
        ("post", reverse("code_reveal", args=on_code)),
        ("post", reverse("code_change_pin", args=on_code)),
        ("post", reverse("simulate_connection", args=on_lock)),
        ("post", reverse("simulate_lose_code", args=on_lock)),
        ("post", reverse("simulate_add_code", args=on_lock)),
        ("post", reverse("simulate_refuse_writes", args=on_lock)),
        ("post", reverse("simulate_factory_reset", args=on_lock)),
        ("post", reverse("simulate_turn_by_hand", args=on_lock)),
        ("post", reverse("api_key_revoke", args=[key.pk])),
        ("post", reverse("unmanaged_take_over", args=on_code)),
        ("post", reverse("unmanaged_remove", args=on_code)),
        ("post", reverse("account_discover", args=[hub.pk])),
        ("get", reverse("device_register", args=on_device)),
        ("post", reverse("device_register", args=on_device)),
        ("get", reverse("device_replace", args=on_device)),
        ("post", reverse("device_replace", args=on_device)),
        ("post", reverse("device_ignore", args=on_device)),
        ("post", reverse("device_unignore", args=on_device)),
        ("post", reverse("alert_handled", args=[lockout.pk])),
    ]


def test_an_outsider_gets_404_on_every_seaside_url(client_for, charlie, seaside_urls, lock):
    client = client_for(charlie)
    data = {
        "code": "4826",
        "name": "X",
        "online": "0",
        "slot": "1",
        "refuse": "1",
        "lock": lock.pk,
        "locked": "0",
        "reason": UNLOCK_REASONS[0],
    }
    for method, url in seaside_urls:
        response = getattr(client, method)(url, data) if method == "post" else client.get(url)
        assert response.status_code == 404, url
        assert "5937" not in response.content.decode()
    code = AccessCode.objects.get(name="Anna")
    assert code.deleted_at is None and code.code == "5937"
    device = SimulatedDevice.objects.get(device_id=lock.device_id)
    assert device.online and not device.wiped and device.locked
    assert ApiKey.objects.get().revoked_at is None
    assert DiscoveredDevice.objects.get(name="Garden gate").status == "new"
    assert EntryAlert.objects.get().cleared_at is None
    lock.refresh_from_db()
    assert lock.name == "Room 101 door"


def test_a_code_url_under_ones_own_lock_still_hides_other_owners_codes(
    client_for, charlie, other_lock, lock, t0
):
    code, _ = access_codes.access_code_create(lock=lock, now=t0, name="Anna", code="5937")
    response = client_for(charlie).post(reverse("code_reveal", args=[other_lock.pk, code.pk]))
    assert response.status_code == 404


def test_the_front_desk_sees_every_page_a_clerk_needs(client_for, bob, lock):
    client = client_for(bob)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("lock_detail", args=[lock.pk])).status_code == 200


# URLs with parts that name no owner's object, each with the reason.
NAMES_NO_OBJECT = {
    "password_reset_confirm": "a signed-out person's reset link: its signed token is the check",
}


def test_every_dashboard_url_that_names_an_object_is_in_the_outsider_check(seaside_urls):
    naming_an_object = {p.name for p in urlpatterns if p.pattern.converters}
    checked = {resolve(url).url_name for _, url in seaside_urls}
    assert naming_an_object - checked - set(NAMES_NO_OBJECT) == set()
