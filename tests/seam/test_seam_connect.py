"""A manager connects a Seam workspace on the Devices page; its key is never shown again."""

import pytest

from locks.drivers import DriverError, get_driver
from locks.models import DriverAccount
from tests.locks.webhook_receiver import Receiver
from tests.seam.fake_server import API_KEY


def test_a_manager_connects_a_workspace_and_its_locks_wait_in_the_inbox(
    alice, client_for, fake_seam
):
    client = client_for(alice)
    form = {"name": "Lisbon locks", "api_key": API_KEY, "endpoint": fake_seam.url}

    page = client.post("/devices/seam/connect/", form, follow=True)

    account = DriverAccount.objects.get(driver="seam")
    assert (account.name, account.account_ref) == ("Lisbon locks", "Lisbon locks")
    assert account.credentials == {"api_key": API_KEY, "endpoint": fake_seam.url}
    text = page.content.decode()
    assert "is connected" in text and "Front Door" in text
    assert API_KEY not in text


def test_a_key_seam_refuses_saves_nothing(alice, client_for, fake_seam):
    client = client_for(alice)
    form = {"name": "Wrong", "api_key": "seam_not_a_real_key", "endpoint": fake_seam.url}

    page = client.post("/devices/seam/connect/", form, follow=True)

    assert "Seam refused the API key" in page.content.decode()
    assert "seam_not_a_real_key" not in page.content.decode()
    assert not DriverAccount.objects.filter(driver="seam").exists()


def test_the_front_desk_cannot_connect_one(bob, client_for, fake_seam):
    form = {"name": "X", "api_key": API_KEY, "endpoint": fake_seam.url}
    assert client_for(bob).post("/devices/seam/connect/", form).status_code == 403
    assert not DriverAccount.objects.filter(driver="seam").exists()


def test_an_address_inside_this_servers_network_is_refused_before_the_key_is_sent(
    alice, client_for, settings
):
    """The form would otherwise send the typed key to whatever listens there (a Redis, an
    admin page): the address is refused first, saying why."""
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with Receiver() as inside:
        form = {"name": "Scan", "api_key": "seam_typed_key", "endpoint": inside.base_url}
        page = client_for(alice).post("/devices/seam/connect/", form, follow=True)
    text = page.content.decode()
    assert "This URL cannot be called" in text and "127.0.0.1" in text
    assert inside.received == []
    assert not DriverAccount.objects.filter(driver="seam").exists()


def test_a_saved_address_is_checked_again_at_each_call(workspace, settings, t0):
    """Saved while loopback was allowed: not called once it is not."""
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(DriverError) as refused:
        get_driver("seam", now=t0, **workspace.credentials).discover(workspace.account_ref)
    assert "does not call that Seam address" in refused.value.message
    assert refused.value.permanent
