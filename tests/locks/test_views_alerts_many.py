"""The Alerts page of a big estate: 50 alerts a page, ranked over all of them before paging, and
what a page costs does not follow the number of problems."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks.models import Lock
from reservations.alerts import OpenAlerts, open_alerts
from tests import factories
from tests.reservations.front_desk import book


def silent_doors(owner, count, t0) -> list[Lock]:
    """`count` room doors gone offline, Door 000 the longest ago (a minute apart)."""
    hotel = factories.PropertyFactory(owner=owner, name="Big Hotel")
    units = [factories.UnitFactory(property=hotel, name=f"Room {n:03}") for n in range(count)]
    return Lock.objects.bulk_create(
        Lock(
            owner=owner,
            property=hotel,
            unit=unit,
            name=f"Door {n:03}",
            driver="simulated",
            device_id=f"door-{n:03}",
            online=False,
            last_read_at=t0 - timedelta(minutes=count - n),
        )
        for n, unit in enumerate(units)
    )


def titles(html: str) -> list[str]:
    return re.findall(r"<h2>(.*?)</h2>", html[html.index('id="alerts"') :])


def test_a_long_list_comes_fifty_at_a_time_the_oldest_first(client_for, alice, owner, frozen):
    silent_doors(owner, 60, frozen)
    client = client_for(alice)

    first = client.get(reverse("alerts")).content.decode()
    assert "60 open problems, the most urgent first." in first
    assert titles(first) == [f"Door {n:03} is offline" for n in range(50)]
    assert "Page 1 of 2" in first and "Less urgent →" in first

    second = client.get(reverse("alerts"), {"page": 2}).content.decode()
    assert titles(second) == [f"Door {n:03} is offline" for n in range(50, 60)]
    assert "← More urgent" in second and "Less urgent" not in second
    # A page past the end shows the last one (a list that shrank since the link was drawn).
    assert titles(client.get(reverse("alerts"), {"page": 7}).content.decode()) == titles(second)


def test_an_arrival_puts_its_door_first_from_the_last_page(client_for, alice, owner, frozen):
    doors = silent_doors(owner, 60, frozen)
    # The door heard last would come last; a guest arriving in 6 hours makes it the first.
    book(owner, doors[-1].unit, frozen, check_in=frozen + timedelta(hours=6), guest_name="Ana")

    html = client_for(alice).get(reverse("alerts")).content.decode()
    shown = titles(html)
    assert shown[0].startswith("Door 059 is offline: Ana arrives")
    assert shown[1:] == [f"Door {n:03} is offline" for n in range(49)]
    assert html.count("Urgent</span>") == 1


def test_the_pages_are_the_open_alerts_in_their_order(owner, t0):
    doors = silent_doors(owner, 7, t0)
    Lock.objects.filter(pk__in=[doors[1].pk, doors[4].pk]).update(online=True, battery_level=0.05)
    book(owner, doors[5].unit, t0, check_in=t0 + timedelta(hours=3))

    ranked = OpenAlerts(owner, t0)
    every = open_alerts(owner, t0)
    assert len(ranked) == len(every) == 7
    assert [a.title for a in ranked[0:3] + ranked[3:6] + ranked[6:9]] == [a.title for a in every]
    assert [a.title for a in ranked.urgent()] == [a.title for a in every if a.severity == "red"]
    assert every[0].lock == doors[5] and every[0].severity == "red"


def test_a_page_costs_the_same_queries_for_3_or_60_problems(
    client_for, alice, charlie, owner, other_owner, frozen
):
    for company, count in ((owner, 3), (other_owner, 60)):
        doors = silent_doors(company, count, frozen)
        book(company, doors[0].unit, frozen, check_in=frozen + timedelta(hours=2))
    client = client_for(alice)
    with CaptureQueriesContext(connection) as few:
        assert len(titles(client.get(reverse("alerts")).content.decode())) == 3
    client = client_for(charlie)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse("alerts")).content.decode()
    assert len(titles(html)) == 50
    assert len(many) == len(few) <= 15
