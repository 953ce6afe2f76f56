"""Devices → Connect a Z-Wave JS Server: the address is checked by connecting before it is
saved; a wrong or unreachable one is a clear error, and nothing is saved."""

from locks.models import DriverAccount


def test_a_manager_connects_the_server_from_the_devices_page(alice, client_for, zwave_stack):
    form = {"name": "Home network", "url": zwave_stack.ws_url}

    page = client_for(alice).post("/devices/zwave/connect/", form, follow=True)

    account = DriverAccount.objects.get(driver="zwave_js")
    assert account.credentials == {"url": zwave_stack.ws_url}
    text = page.content.decode()
    assert "is connected; 2 new locks found" in text
    assert "BE469" in text


def test_an_address_that_is_not_a_websocket_or_does_not_answer_is_refused(alice, client_for):
    client = client_for(alice)

    page = client.post("/devices/zwave/connect/", {"name": "X", "url": "http://hub"}, follow=True)
    assert "starts with ws://" in page.content.decode()

    page = client.post(
        "/devices/zwave/connect/", {"name": "X", "url": "ws://127.0.0.1:9"}, follow=True
    )
    assert "Could not reach the Z-Wave JS Server at ws://127.0.0.1:9" in page.content.decode()
    assert not DriverAccount.objects.filter(driver="zwave_js").exists()


def test_the_front_desk_cannot_connect_one(bob, client_for):
    form = {"name": "X", "url": "ws://127.0.0.1:9"}
    assert client_for(bob).post("/devices/zwave/connect/", form).status_code == 403
