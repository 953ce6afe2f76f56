"""The lock page's self-refreshing parts: each refresh reads only what its part shows, in as
many queries for a lock with 20 codes as for one with 2."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from locks import access_codes
from locks.views import LOCK_PARTIALS


def refresh(client, lock, part: str) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            reverse("lock_detail", args=[lock.pk]),
            headers={"HX-Request": "true", "HX-Target": part},
        )
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def add_codes(lock, t0, count: int) -> None:
    for n in range(count):
        access_codes.access_code_create(
            lock=lock,
            now=t0,
            name=f"Guest {count}-{n}",
            starts_at=t0 + timedelta(days=n + 1),
            ends_at=t0 + timedelta(days=n + 2),
        )


@pytest.mark.parametrize("part", sorted(LOCK_PARTIALS))
def test_a_part_costs_the_same_queries_for_2_or_20_codes(client_for, alice, lock, t0, part):
    client = client_for(alice)
    add_codes(lock, t0, 2)
    html, few = refresh(client, lock, part)
    assert html.lstrip().startswith(f'<section id="{part}"')
    add_codes(lock, t0, 18)
    _, many = refresh(client, lock, part)
    assert many == few


def test_the_events_refresh_reads_no_codes_and_the_status_strip_no_events(
    client_for, alice, lock, t0
):
    client = client_for(alice)
    add_codes(lock, t0, 3)
    _, whole = refresh(client, lock, "none-of-them")
    _, events = refresh(client, lock, "events")
    _, status = refresh(client, lock, "lock-status")
    assert events < whole and status < whole
    with CaptureQueriesContext(connection) as captured:
        client.get(
            reverse("lock_detail", args=[lock.pk]),
            headers={"HX-Request": "true", "HX-Target": "lock-status"},
        )
    assert not any("locks_event" in q["sql"] for q in captured)
