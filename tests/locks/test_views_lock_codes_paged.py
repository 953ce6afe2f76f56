"""A shared entrance holds a code for every stay behind it: its page lists them a page at a
time, those with a problem first, and its timeline draws a bounded number of them."""

import re
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from locks import access_codes
from locks.issue_codes import FAILED_TO_SET_ON_DEVICE
from locks.timeline import ROWS
from locks.views import CODES_PER_PAGE


def add_codes(lock, count: int, *, hours_apart: int = 24) -> list:
    now = timezone.now()
    return [
        access_codes.access_code_create(
            lock=lock,
            now=now,
            name=f"Guest {n:03}",
            starts_at=now + timedelta(hours=(n + 1) * hours_apart),
            ends_at=now + timedelta(hours=(n + 1) * hours_apart + 20),
        )[0]
        for n in range(count)
    ]


def listed(html: str) -> list[str]:
    return re.findall(r'<strong class="code-name">([^<]+)</strong>', html)


def test_the_codes_come_a_page_at_a_time_those_with_a_problem_first(client_for, alice, lock):
    codes = add_codes(lock, CODES_PER_PAGE + 5)
    refused = codes[-1]
    refused.add_error(FAILED_TO_SET_ON_DEVICE, "The lock refused it.", timezone.now())
    refused.save(update_fields=["errors"])
    client = client_for(alice)
    url = reverse("lock_detail", args=[lock.pk])

    first = client.get(url).content.decode()
    names = listed(first)
    assert len(names) == CODES_PER_PAGE
    assert names[0] == refused.name
    assert names[1:] == [c.name for c in codes[: CODES_PER_PAGE - 1]]
    assert f"Codes 1–{CODES_PER_PAGE} of {len(codes)}" in first

    second = client.get(
        url, {"codes_page": 2}, headers={"HX-Request": "true", "HX-Target": "codes"}
    ).content.decode()
    assert listed(second) == [c.name for c in codes[CODES_PER_PAGE - 1 : -1]]
    # Its refresh every 5 seconds stays on the page the clerk is reading.
    assert f'hx-get="{url}?codes_page=2"' in second


def test_the_whole_page_costs_the_same_queries_for_3_or_40_codes(client_for, alice, lock):
    client = client_for(alice)
    url = reverse("lock_detail", args=[lock.pk])
    add_codes(lock, 3)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    add_codes(lock, 37)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert len(many) == len(few)
    assert len(listed(html)) == CODES_PER_PAGE


def test_the_timeline_draws_its_first_rows_and_counts_the_rest(client_for, alice, lock):
    add_codes(lock, ROWS + 6, hours_apart=6)  # all within the next 14 days
    html = client_for(alice).get(reverse("lock_detail", args=[lock.pk])).content.decode()
    assert html.count('<g class="tl-bar') == ROWS
    assert "And 6 more codes in these days" in html
