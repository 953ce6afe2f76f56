"""The Locks page of a big estate: a line per property, a property opened, a search, paging."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks.models import AccessCode, Lock
from tests import factories
from tests.pages import html_of


def doors(owner, prop, count, **fields):
    start = Lock.objects.count()
    Lock.objects.bulk_create(
        Lock(
            owner=owner,
            property=prop,
            name=f"{prop.name} door {start + n:03}",
            driver="simulated",
            device_id=f"device-{prop.pk}-{start + n}",
            **{"battery_level": 0.9, **fields},
        )
        for n in range(count)
    )


def hotels(owner, count):
    return [factories.PropertyFactory(owner=owner, name=f"Hotel {p}") for p in range(count)]


def queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_past_three_properties_each_is_one_line_with_its_counts(client_for, alice, owner):
    first, *_ = hotels(owner, 4)
    doors(owner, first, 3)
    doors(owner, first, 1, online=False)
    doors(owner, first, 2, battery_level=0.05)
    html = html_of(client_for(alice), "home")
    assert "Hotel 0" in html and "Hotel 3" in html
    assert "6 doors" in html
    assert "1 offline" in html
    assert "2 low battery" in html
    assert f"?property={first.pk}" in html
    assert "door 000" not in html  # no lock cards until a property is opened
    assert "Find a door by name" in html


def test_a_line_counts_the_codes_with_a_problem(client_for, alice, owner, t0):
    first, *_ = hotels(owner, 4)
    doors(owner, first, 1)
    lock = Lock.objects.get()
    AccessCode.objects.create(
        owner=owner, lock=lock, name="Anna", code="1234", errors=[{"error_code": "x"}]
    )
    assert "1 code has a problem" in html_of(client_for(alice), "home")


def test_an_opened_property_shows_its_doors_the_troubled_first(client_for, alice, owner):
    first, second, *_ = hotels(owner, 4)
    doors(owner, first, 2)
    doors(owner, first, 1, online=False)
    doors(owner, second, 1)
    html = html_of(client_for(alice), "home", property=first.pk)
    assert "All properties" in html
    assert "Hotel 1 door" not in html
    offline = Lock.objects.get(online=False).name
    assert html.index(offline) < html.index("Hotel 0 door 000")


def test_a_property_of_many_doors_comes_fifty_at_a_time(client_for, alice, owner, hotel):
    doors(owner, hotel, 51)
    client = client_for(alice)
    html = html_of(client, "home")
    assert "Seaside Hotel door 049" in html
    assert "Seaside Hotel door 050" not in html
    assert "Show all 51 doors of Seaside Hotel" in html

    html = html_of(client, "home", property=hotel.pk)
    assert "Doors 1–50 of 51" in html
    html = html_of(client, "home", property=hotel.pk, page=2)
    assert "Seaside Hotel door 050" in html
    assert "Seaside Hotel door 000" not in html


def test_a_search_finds_doors_by_name_in_every_property(client_for, bob, owner):
    first, *_, last = hotels(owner, 4)
    doors(owner, first, 2)
    doors(owner, last, 2)
    html = html_of(client_for(bob), "home", q="door 003")
    assert "1 door named like “door 003”" in html
    assert "Hotel 3 door 003" in html
    assert "Hotel 0 door 000" not in html
    html = html_of(client_for(bob), "home", q="garage")
    assert "No door is named like “garage”" in html


def test_the_refresh_keeps_the_opened_property(client_for, alice, owner):
    first, *_ = hotels(owner, 4)
    doors(owner, first, 1)
    url = reverse("home") + f"?property={first.pk}"
    response = client_for(alice).get(url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="locks")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<div id="locks" hx-get="{url}"')
    assert "Hotel 0 door 000" in html


def test_the_page_costs_the_same_queries_for_3_or_30_doors(client_for, alice, owner):
    client = client_for(alice)
    few, many = factories.OwnerFactory(slug="few"), owner
    for estate, count in ((few, 1), (many, 10)):
        for prop in hotels(estate, 4)[:3]:
            doors(estate, prop, count, backup_pool_enabled=True)
    factories.member(few, "frank", role="manager")
    small = client_for(factories.UserFactory(username="frank"))
    big_hotel = Lock.objects.filter(owner=many).first().property_id
    small_hotel = Lock.objects.filter(owner=few).first().property_id
    for path, big, little in (
        ("", "", ""),
        ("?property=", big_hotel, small_hotel),
        ("?q=", "door", "door"),
    ):
        url = reverse("home") + path
        assert queries_of(client, f"{url}{big}") <= queries_of(small, f"{url}{little}")


def test_the_lines_come_twenty_at_a_time_the_troubled_first(client_for, alice, owner):
    *_, last = hotels(owner, 21)
    doors(owner, last, 1, online=False)
    client = client_for(alice)
    html = html_of(client, "home")
    assert "Properties 1–20 of 21" in html
    assert html.index("Hotel 20") < html.index("Hotel 0")
    assert "Hotel 9" not in html  # 0, 1, 10, 11, ... 19, 2 by name: 9 is the last
    assert "Hotel 9" in html_of(client, "home", page=2)
