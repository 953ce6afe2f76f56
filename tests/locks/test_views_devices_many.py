"""The Devices page of a big estate: each list 50 at a time, the devices needing someone first."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks import simulator
from locks.models import DiscoveredDevice, Lock
from tests import factories
from tests.pages import html_of

Status = DiscoveredDevice.Status


def found(owner, count, t0, *, status=Status.NEW, with_doors=False, **fields):
    """`count` devices the simulated hub lists; `with_doors` makes each one a door."""
    hub = simulator.simulated_hub(owner)
    start = DiscoveredDevice.objects.count()
    made = DiscoveredDevice.objects.bulk_create(
        DiscoveredDevice(
            account=hub,
            device_id=f"device-{start + n}",
            name=f"Device {start + n:03}",
            capabilities=["access_code"],
            status=status,
            first_seen_at=t0 + timedelta(minutes=start + n),
            last_seen_at=t0,
            **{"battery_level": 0.9, **fields},
        )
        for n in range(count)
    )
    if with_doors:
        prop = factories.PropertyFactory(owner=owner, name="Hotel")
        Lock.objects.bulk_create(
            Lock(
                owner=owner,
                property=prop,
                name=f"Door of {d.name}",
                driver="simulated",
                device_id=d.device_id,
                online=False,
            )
            for d in made
        )
    return made


def test_the_inbox_comes_fifty_at_a_time_the_newest_first(client_for, alice, owner, t0):
    found(owner, 51, t0)
    client = client_for(alice)
    html = html_of(client, "devices")
    assert "51 waiting for an answer" in html
    assert "New devices 1–50 of 51" in html
    assert "<h3>Device 050</h3>" in html
    assert "<h3>Device 000</h3>" not in html
    html = html_of(client, "devices", page=2)
    assert "<h3>Device 000</h3>" in html


def test_the_devices_in_use_come_the_offline_first(client_for, alice, owner, t0):
    found(owner, 50, t0, status=Status.REGISTERED)
    found(owner, 1, t0, status=Status.REGISTERED, online=False)
    html = html_of(client_for(alice), "devices")
    in_use = html[html.index('id="registered"') :]
    assert in_use.index("Device 050") < in_use.index("Device 000")
    assert "Devices 1–50 of 51" in in_use
    assert "in_use=2#registered" in in_use


def test_a_new_device_can_replace_a_lock_not_suggested(client_for, alice, owner, lock, t0):
    (device,) = found(owner, 1, t0)
    html = html_of(client_for(alice), "devices")
    assert "None of your doors has stopped answering" in html
    assert f'href="{reverse("device_replace", args=[device.pk])}">Replace</a>' in html


def test_the_page_costs_at_most_15_queries_whatever_the_number_of_devices(
    client_for, alice, owner, t0, django_assert_max_num_queries
):
    few = factories.OwnerFactory(slug="few")
    factories.member(few, "frank", role="manager")
    for estate, count in ((few, 3), (owner, 30)):
        found(estate, count, t0)
        found(estate, count, t0, status=Status.IGNORED)
        found(estate, count, t0, status=Status.REGISTERED, with_doors=True)
    small = client_for(factories.UserFactory(username="frank"))
    big = client_for(alice)
    with CaptureQueriesContext(connection) as captured:
        html_of(small, "devices")
    assert len(captured) <= 15
    with django_assert_max_num_queries(len(captured)):
        html = html_of(big, "devices")
    assert "Replace Door of Device" in html  # the silent doors are suggested
